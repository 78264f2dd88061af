"""Every upload re-encoded (lib/images.py) and every private file served by lib/files.py.

Each upload path (lead, 协查, publicity, assistant photo, task images) gets a JPEG carrying EXIF
GPS and a non-image named .jpg: the stored file has no EXIF at all, and the disguised file is
refused in Chinese with nothing stored. Each private file view answers with
``Cache-Control: private, no-store`` and ``nosniff``; non-images only as downloads.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xieguan.indicators.tests.factories import InspectionFactory
from xieguan.inspections.models import InspectionPhoto
from xieguan.leads import actions as lead_actions
from xieguan.leads.actions import LeadRefused
from xieguan.leads.models import AssistPhoto, LeadPhoto
from xieguan.leads.tests.factories import make_lead
from xieguan.lib.testing import TOWNSHIP, EmployerFactory
from xieguan.outreach import actions as outreach_actions
from xieguan.outreach.models import PublicityPhoto
from xieguan.personnel import actions as personnel_actions
from xieguan.personnel.tests.factories import AssistantFactory
from xieguan.regions.models import Region
from xieguan.tasks import actions as task_actions
from xieguan.tasks.models import AnswerFile, TaskAttachment
from xieguan.tasks.tests.factories import document, issue

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
DISGUISED = b"<html><script>alert(document.cookie)</script></html>"


def gps_jpeg() -> bytes:
    """A phone-like photo: EXIF with the camera and the GPS position where it was taken."""
    img = Image.new("RGB", (640, 480), (90, 140, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (26.0, 35.0, 12.0), 3: "E", 4: (104.0, 50.0, 3.0)})
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture really has GPS
    return data


def upload(name: str = "现场.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, gps_jpeg() if data is None else data, content_type="image/jpeg")


def assert_reencoded(field) -> None:
    with field.open("rb") as fh:
        data = fh.read()
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    exif = img.getexif()
    assert not exif.get_ifd(GPS_IFD) and not exif, "EXIF (GPS) kept"
    assert data != gps_jpeg()
    assert field.name.endswith(".jpg") and "现场" not in field.name  # a new random name


def test_lead_photos(personas):
    lead = make_lead(personas, photos=[upload()])
    assert_reencoded(lead.photos.get().image)
    count = LeadPhoto.objects.count()
    with pytest.raises(LeadRefused) as refused:
        make_lead(personas, photos=[upload("假照片.jpg", DISGUISED)])
    assert "假照片.jpg" in " ".join(refused.value.messages) and "不是有效的图片" in " ".join(
        refused.value.messages
    )
    assert LeadPhoto.objects.count() == count


def _assist(personas):
    employer = EmployerFactory.create()
    return lead_actions.request_assist(by=personas.jiandu, assistant=personas.xieguan, employer=employer)


def test_assist_photos(personas):
    item = _assist(personas)
    with pytest.raises(LeadRefused):
        lead_actions.record_assist(
            item,
            by=personas.xieguan,
            done_on=timezone.localdate(),
            what_done="现场查看",
            outcome="已整改",
            photos=[upload("a.jpg", DISGUISED)],
        )
    assert not AssistPhoto.objects.exists()
    item.refresh_from_db()
    assert item.done_on is None  # nothing half-saved
    lead_actions.record_assist(
        item,
        by=personas.xieguan,
        done_on=timezone.localdate(),
        what_done="现场查看",
        outcome="已整改",
        photos=[upload()],
    )
    assert_reencoded(AssistPhoto.objects.get().image)


def test_publicity_photos(personas):
    def record(photos):
        return outreach_actions.record_publicity_event(
            recorded_by=personas.xieguan,
            region=Region.objects.get(code=TOWNSHIP),
            held_on=dt.date(2025, 5, 1),
            kind="lecture",
            topic="职业病防治法宣传周",
            photos=photos,
        )

    with pytest.raises(ValidationError) as refused:
        record([upload("b.jpg", DISGUISED)])
    assert "b.jpg" in " ".join(refused.value.messages)
    assert not PublicityPhoto.objects.exists()
    event = record([upload()])
    assert_reencoded(event.photos.get().image)
    outreach_actions.add_publicity_photos(event, [upload()])
    with pytest.raises(ValidationError):
        outreach_actions.add_publicity_photos(event, [upload(), upload("c.jpg", DISGUISED)])
    assert event.photos.count() == 2  # all or none


def test_assistant_photo(personas):
    person = AssistantFactory.create()
    person.photo = upload("face.jpg", DISGUISED)
    with pytest.raises(ValidationError) as refused:
        personnel_actions.save_assistant(person)
    assert "photo" in refused.value.message_dict
    person.refresh_from_db()
    assert not person.photo
    person.photo = upload()
    personnel_actions.save_assistant(person)
    person.refresh_from_db()
    assert_reencoded(person.photo)


def test_task_images_are_reencoded_and_documents_kept(personas):
    task = issue(personas.panzhou, regions=[TOWNSHIP], files=[document(), upload()])
    image = task.attachments.get(name="现场.jpg")
    assert_reencoded(image.file)
    with pytest.raises(ValidationError):
        issue(personas.panzhou, regions=[TOWNSHIP], files=[document(), upload("伪装.png", DISGUISED)])
    assert TaskAttachment.objects.count() == 2
    assignment = task.assignments.get()
    task_actions.complete_assignment(assignment, by=personas.xieguan, note="已完成", files=[upload()])
    assert_reencoded(AnswerFile.objects.get().file)


# --- serving -------------------------------------------------------------------------------


def assert_private(response, *, inline: bool) -> None:
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    if inline:
        assert response["Content-Type"] in ("image/jpeg", "image/png")
    else:
        assert response["Content-Disposition"].startswith("attachment")
        assert not response["Content-Type"].startswith(("text/html", "image/svg", "application/xhtml"))


def test_every_private_file_view_says_no_store(personas, client_for):
    client = client_for("xieguan")
    lead = make_lead(personas, photos=[upload()])
    assert_private(client.get(reverse("leads:photo", args=[lead.photos.get().pk])), inline=True)

    item = _assist(personas)
    lead_actions.record_assist(
        item,
        by=personas.xieguan,
        done_on=timezone.localdate(),
        what_done="查看",
        outcome="无",
        photos=[upload()],
    )
    assert_private(client.get(reverse("leads:assist_photo", args=[item.photos.get().pk])), inline=True)

    event = outreach_actions.record_publicity_event(
        recorded_by=personas.xieguan,
        region=Region.objects.get(code=TOWNSHIP),
        held_on=dt.date(2025, 5, 1),
        kind="lecture",
        topic="宣传",
        photos=[upload()],
    )
    assert_private(client.get(reverse("outreach:photo", args=[event.photos.get().pk])), inline=True)

    person = AssistantFactory.create()
    person.photo = upload()
    personnel_actions.save_assistant(person)
    assert_private(client_for("panzhou").get(reverse("personnel:photo", args=[person.pk])), inline=True)

    inspection = InspectionFactory.create(assistant=personas.xieguan, employer=EmployerFactory.create())
    photo = InspectionPhoto.objects.create(inspection=inspection, image=ContentFile(gps_jpeg(), name="p.jpg"))
    inspection.assistant_signature.save("s.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    assert_private(client.get(reverse("inspections:photo", args=[photo.pk])), inline=True)
    assert_private(
        client.get(reverse("inspections:signature", args=[inspection.pk, "assistant"])), inline=True
    )

    task = issue(
        personas.panzhou,
        regions=[TOWNSHIP],
        files=[document(), document("说明.txt", b"<html><script>alert(1)</script></html>"), upload()],
    )
    files = {f.name: f for f in task.attachments.all()}
    pdf = client.get(reverse("tasks:task_file", args=[files["通知.pdf"].pk]))
    assert_private(pdf, inline=False)
    assert pdf["Content-Type"] == "application/pdf"
    html = client.get(reverse("tasks:task_file", args=[files["说明.txt"].pk]))  # HTML inside: a download
    assert_private(html, inline=False)
    assert html["Content-Type"] == "text/plain; charset=utf-8"
    assert_private(client.get(reverse("tasks:task_file", args=[files["现场.jpg"].pk])), inline=True)
    assignment = task.assignments.get()
    task_actions.complete_assignment(assignment, by=personas.xieguan, note="已完成", files=[document()])
    answer = assignment.files.get()
    assert_private(client_for("panzhou").get(reverse("tasks:answer_file", args=[answer.pk])), inline=False)


def test_behind_nginx_the_file_is_handed_over_with_the_same_headers(personas, client_for, settings):
    settings.XIEGUAN_ACCEL_REDIRECT = "/_private/"
    lead = make_lead(personas, photos=[upload()])
    photo = lead.photos.get()
    response = client_for("xieguan").get(reverse("leads:photo", args=[photo.pk]))
    assert response["X-Accel-Redirect"] == f"/_private/{photo.image.name}"
    assert response.content == b""
    assert_private(response, inline=True)
    photo.image.storage.delete(str(photo.image.name))
    assert client_for("xieguan").get(reverse("leads:photo", args=[photo.pk])).status_code == 404

"""Publicity events: record, list, detail, photos — and who is refused."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xieguan.indicators.tests.factories import EmployerFactory, PublicityEventFactory
from xieguan.lib.testing import OTHER_TOWNSHIP, TOWNSHIP
from xieguan.outreach.models import PublicityEvent, PublicityPhoto

pytestmark = pytest.mark.django_db


def jpeg(name="p.jpg"):
    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def form_data(**extra):
    data = {
        "held_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "kind": "law",
        "topic": "职业病防治法宣传",
        "location": "镇政府广场",
        "audience": "80",
        "description": "发放宣传册",
    }
    data.update(extra)
    return data


def test_assistant_records_an_event_in_their_township(client_for, personas):
    mine = EmployerFactory.create(region_id=TOWNSHIP + "001", name="柏果煤矿")
    response = client_for("xieguan").post(
        reverse("outreach:create"),
        {**form_data(), "employers": [mine.pk], "photos": [jpeg("a.jpg"), jpeg("b.jpg")]},
    )
    event = PublicityEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("outreach:detail", args=[event.pk])
    assert event.region_id == TOWNSHIP  # fixed to the assistant's township
    assert event.recorded_by == personas.xieguan
    assert list(event.employers.all()) == [mine]
    assert event.photos.count() == 2
    body = client_for("xieguan").get(response["Location"]).content.decode()
    assert "职业病防治法宣传" in body and "柏果煤矿" in body


def test_the_form_starts_at_today(client_for):
    page = client_for("xieguan").get(reverse("outreach:create")).content.decode()
    assert f'name="held_on" value="{timezone.localdate().isoformat()}"' in page


def test_assistant_cannot_move_the_event_to_another_township(client_for, personas):
    response = client_for("xieguan").post(reverse("outreach:create"), form_data(region=OTHER_TOWNSHIP))
    assert response.status_code == 302
    assert PublicityEvent.objects.get().region_id == TOWNSHIP  # the posted township is ignored


def test_county_admin_cannot_record_for_another_county(client_for, personas):
    response = client_for("panzhou").post(reverse("outreach:create"), form_data(region=OTHER_TOWNSHIP))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert PublicityEvent.objects.count() == 0


def test_the_action_refuses_a_region_outside_the_scope_or_not_a_township(personas):
    from django.core.exceptions import ValidationError

    from xieguan.outreach.actions import record_publicity_event
    from xieguan.regions.models import Region

    common = {"recorded_by": personas.xieguan, "held_on": dt.date(2025, 5, 1), "kind": "law", "topic": "t"}
    with pytest.raises(ValidationError, match="本辖区"):
        record_publicity_event(region=Region.objects.get(code=OTHER_TOWNSHIP), **common)
    with pytest.raises(ValidationError, match="乡\\(镇、街道\\)一级"):
        record_publicity_event(region=Region.objects.get(code=TOWNSHIP + "001"), **common)
    assert PublicityEvent.objects.count() == 0


def test_employers_of_another_township_are_refused(client_for, personas):
    other = EmployerFactory.create(region_id="520281104001", name="民主化工厂")
    response = client_for("xieguan").post(
        reverse("outreach:create"), {**form_data(), "employers": [other.pk]}
    )
    assert response.status_code == 200 and PublicityEvent.objects.count() == 0


def test_county_admin_picks_a_township_and_its_employers(client_for, personas):
    e = EmployerFactory.create(region_id="520281104001", name="民主化工厂")
    client = client_for("panzhou")
    partial = client.get(reverse("outreach:employer_choices"), {"region": "520281104"}).content.decode()
    assert "民主化工厂" in partial
    assert client.get(reverse("outreach:employer_choices"), {"region": OTHER_TOWNSHIP}).status_code == 404
    response = client.post(reverse("outreach:create"), {**form_data(region="520281104"), "employers": [e.pk]})
    assert response.status_code == 302
    assert PublicityEvent.objects.get().region_id == "520281104"


def test_bad_input_is_said_in_chinese_and_nothing_saved(client_for, personas):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    not_an_image = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client_for("xieguan").post(
        reverse("outreach:create"), {**form_data(held_on=future, topic=""), "photos": [not_an_image]}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "活动日期不能晚于今天" in body
    assert "这个字段是必填项" in body
    assert PublicityEvent.objects.count() == 0 and PublicityPhoto.objects.count() == 0


def test_list_shows_only_the_scope(client_for, personas):
    PublicityEventFactory(region_id=TOWNSHIP, topic="柏果镇的宣传", recorded_by=personas.xieguan)
    PublicityEventFactory(region_id=OTHER_TOWNSHIP, topic="岩脚镇的宣传", recorded_by=personas.xieguan2)
    for persona, seen, unseen in [
        ("xieguan", "柏果镇的宣传", "岩脚镇的宣传"),
        ("panzhou", "柏果镇的宣传", "岩脚镇的宣传"),
        ("liuzhi", "岩脚镇的宣传", "柏果镇的宣传"),
    ]:
        body = client_for(persona).get(reverse("outreach:list")).content.decode()
        assert seen in body and unseen not in body, persona
    county = client_for("panzhou").get(reverse("outreach:list")).content.decode()
    assert reverse("indicators:drill", args=["publicity"]) + "?region=520281" in county
    assert (
        'data-testid="townships-without-publicity"'
        not in client_for("xieguan").get(reverse("outreach:list")).content.decode()
    )
    lps = client_for("lps").get(reverse("outreach:list")).content.decode()
    assert "柏果镇的宣传" in lps and "岩脚镇的宣传" in lps


def test_list_filters(client_for, personas):
    PublicityEventFactory(
        region_id=TOWNSHIP, topic="去年", held_on=dt.date(2024, 5, 1), recorded_by=personas.xieguan
    )
    PublicityEventFactory(region_id=TOWNSHIP, topic="煤矿指导", kind="guidance", recorded_by=personas.xieguan)
    client = client_for("panzhou")
    body = client.get(reverse("outreach:list"), {"year": "2024"}).content.decode()
    assert "去年" in body and "煤矿指导" not in body
    body = client.get(reverse("outreach:list"), {"kind": "guidance"}).content.decode()
    assert "煤矿指导" in body and "去年" not in body


def test_list_query_count(client_for, personas, django_assert_max_num_queries):
    for _ in range(5):
        PublicityEventFactory(region_id=TOWNSHIP, recorded_by=personas.xieguan)
    client = client_for("panzhou")
    with django_assert_max_num_queries(10):
        client.get(reverse("outreach:list"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("liuzhi", 404), ("xieguan2", 404), ("jiandu2", 404), ("jiandu", 200), ("lps", 200)],
)
def test_detail_and_photo_are_scoped(client_for, personas, persona, status):
    event = PublicityEventFactory.create(region_id=TOWNSHIP, recorded_by=personas.xieguan)
    photo = PublicityPhoto.objects.create(event=event, image=jpeg())
    client = client_for(persona)
    assert client.get(reverse("outreach:detail", args=[event.pk])).status_code == status
    response = client.get(reverse("outreach:photo", args=[photo.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize("persona", ["jiandu", "lps", "sheng"])
def test_only_assistants_and_county_admins_record(client_for, personas, persona):
    assert client_for(persona).get(reverse("outreach:create")).status_code == 403
    assert client_for(persona).get(reverse("outreach:employer_choices")).status_code == 403


def test_anonymous_goes_to_login(client):
    assert client.get(reverse("outreach:list")).status_code == 302

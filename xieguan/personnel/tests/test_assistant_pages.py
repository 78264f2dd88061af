"""The assistant record pages: eligibility, account, edit with villages, renewal; the demo data."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.demo import DemoContext
from xieguan.accounts.demo import seed as seed_accounts
from xieguan.accounts.models import Role, User
from xieguan.personnel import demo
from xieguan.personnel.models import Assistant, AssistantStatus
from xieguan.personnel.rules import TERM_NOTICE_DAYS, missing_for_appointment

pytestmark = pytest.mark.django_db


def test_eligibility_needs_evidence_for_each_confirmed_condition(client_for, world):
    candidate = world["candidate"]
    client = client_for("panzhou")
    target = reverse("personnel:eligibility", args=[candidate.pk])
    response = client.post(target, {"law_abiding": "on", "law_abiding_evidence": ""})
    assert "请填写“遵纪守法、廉洁奉公”的依据或本人声明" in response.content.decode()
    candidate.refresh_from_db()
    assert not candidate.law_abiding
    data = {}
    for field in ("law_abiding", "fit_for_duty", "qualified", "knowledgeable"):
        data[field] = "on"
        data[f"{field}_evidence"] = "本人书面声明"
    assert client.post(target, data).status_code == 302
    candidate.refresh_from_db()
    assert missing_for_appointment(candidate) == [
        "尚未通过岗前培训（须参加县(区)组织的岗前培训并考核合格）。"
    ]


def test_account_from_the_assistant_page(client_for, world, client):
    candidate = world["candidate"]
    admin = client_for("panzhou")
    target = reverse("personnel:account", args=[candidate.pk])
    response = admin.post(target, {"username": "xieguan", "password": "Xg-2026-secret"})
    assert "该用户名已被使用" in response.content.decode()
    response = admin.post(target, {"username": "liqiang", "password": "12345678"})
    assert response.status_code == 200 and not User.objects.filter(username="liqiang").exists()
    assert admin.post(target, {"username": "liqiang", "password": "Xg-2026-secret"}).status_code == 302
    user = User.objects.get(username="liqiang")
    assert (user.role, user.region_id, user.full_name) == (Role.ASSISTANT, "520281105", "李强")
    assert not user.is_active  # a candidate cannot log in before the appointment
    response = client.post(reverse("accounts:login"), {"username": "liqiang", "password": "Xg-2026-secret"})
    assert "_auth_user_id" not in client.session
    response = admin.post(target, {"username": "other", "password": "Xg-2026-secret"})
    assert "已有登录账号" in response.content.decode()


def test_edit_with_villages(client_for, world):
    a = world["appointed"]
    client = client_for("panzhou")
    body = client.get(reverse("personnel:edit", args=[a.pk])).content.decode()
    assert "柏果社区居民委员会" in body
    data = {
        "name": "王芳",
        "gender": "female",
        "id_number": a.id_number,
        "phone": "0858-1234567",
        "education": "college",
        "origin": "village_doctor",
        "township": "520281117",
        "villages": ["520281117001", "520281117002"],
    }
    assert client.post(reverse("personnel:edit", args=[a.pk]), data).status_code == 302
    a.refresh_from_db()
    assert sorted(a.villages.values_list("code", flat=True)) == ["520281117001", "520281117002"]
    assert a.user.villages.count() == 2 and a.user.phone == "0858-1234567"
    response = client.post(reverse("personnel:edit", args=[a.pk]), {**data, "villages": ["520281105001"]})
    assert response.status_code == 200


def test_renew_page(client_for, world, personas):
    a = world["appointed"]
    term = a.appointments.get()
    client = client_for("panzhou")
    body = client.get(reverse("personnel:renew", args=[a.pk])).content.decode()
    start = term.end + dt.timedelta(days=1)
    assert f"新聘期自 {start.year}年{start.month}月{start.day}日 起" in body
    end = term.end + dt.timedelta(days=1000)
    assert client.post(reverse("personnel:renew", args=[a.pk]), {"end": end.isoformat()}).status_code == 302
    personas.xieguan.refresh_from_db()
    assert personas.xieguan.access_until == end


def test_expireterms_command(world):
    term = world["appointed"].appointments.get()
    term.start = timezone.localdate() - dt.timedelta(days=400)
    term.end = timezone.localdate() - dt.timedelta(days=1)
    term.save()
    out = StringIO()
    call_command("expireterms", stdout=out)
    assert "1 人" in out.getvalue()
    call_command("expireterms", stdout=out)
    assert out.getvalue().endswith("0 人\n")
    world["appointed"].refresh_from_db()
    assert world["appointed"].status == AssistantStatus.EXPIRED


def test_demo_is_idempotent_and_has_what_the_brief_asks(regions):
    ctx = DemoContext()
    seed_accounts(ctx)
    demo.seed(ctx)
    demo.seed(ctx)
    assert Assistant.objects.count() == 4
    today = timezone.localdate()
    active = Assistant.objects.in_service()
    assert set(active.filter(user__isnull=False).values_list("user__username", flat=True)) == {
        "xieguan",
        "xieguan2",
    }
    assert Assistant.objects.filter(status=AssistantStatus.CANDIDATE).count() == 1
    ending = [a for a in active if (a.appointments.latest("end").end - today).days <= TERM_NOTICE_DAYS]
    assert len(ending) == 1
    assert User.objects.get(username="xieguan").term_is_current()


def test_photo_is_served_only_inside_the_scope(client_for, world):
    from io import BytesIO

    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from xieguan.personnel.tests.factories import AssistantFactory

    buffer = BytesIO()
    Image.new("RGB", (40, 50), "white").save(buffer, "PNG")
    a = world["appointed"]
    data = {
        "name": a.name,
        "gender": a.gender,
        "id_number": a.id_number,
        "phone": a.phone,
        "education": a.education,
        "origin": a.origin,
        "township": a.township_id,
        "photo": SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png"),
    }
    assert client_for("panzhou").post(reverse("personnel:edit", args=[a.pk]), data).status_code == 302
    url = reverse("personnel:photo", args=[a.pk])
    for persona, status in (
        ("panzhou", 200),
        ("lps", 200),
        ("xieguan", 200),
        ("liuzhi", 404),
        ("xieguan2", 404),
    ):
        assert client_for(persona).get(url).status_code == status, persona
    assert client_for("jiandu").get(url).status_code == 403
    # an assistant sees only their own photo, not a colleague's in the same township
    colleague = AssistantFactory.create(township_id="520281117")
    colleague.photo.save("c.png", ContentFile(buffer.getvalue()))
    assert client_for("panzhou").get(reverse("personnel:photo", args=[colleague.pk])).status_code == 200
    assert client_for("xieguan").get(reverse("personnel:photo", args=[colleague.pk])).status_code == 404
    response = client_for("panzhou").get(url)
    assert response["Content-Type"] == "image/jpeg"  # re-encoded on upload (lib/images.py)
    assert response["Cache-Control"] == "private, no-store"

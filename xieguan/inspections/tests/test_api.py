"""The inspections API: templates, drafts, photos, idempotent submit, list, detail, refusals."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xieguan.inspections.models import Inspection, InspectionPhoto, forget_template_items, template_items
from xieguan.inspections.tests.factories import api_payload, jpeg
from xieguan.leads.models import Lead

pytestmark = pytest.mark.django_db

BASE = "/api/v1/inspections"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def test_templates(client_for, templates):
    data = client_for("xieguan").get(f"{BASE}/templates").json()
    assert {t["code"] for t in data} == {"fubiao1", "regulation-text"}
    active = client_for("xieguan2").get(f"{BASE}/templates/active").json()
    assert active["code"] == "fubiao1" and [i["number"] for i in active["items"]] == list(range(1, 8))
    assert active["items"][1]["na_rule"] == "no_construction_project"


def test_submit_is_idempotent(client_for, fubiao1, employer):
    client = client_for("xieguan")
    body = api_payload(employer, fubiao1)
    first = post(client, f"{BASE}/submit", body)
    assert first.status_code == 201, first.content
    out = first.json()
    assert out["created"] and out["leads_created"] == 2 and out["inspection"]["id"] == body["id"]
    assert out["inspection"]["complete"] and out["inspection"]["findings_count"] == 2
    assert out["inspection"]["latitude"] == "25.712345" and out["inspection"]["accuracy_m"] == 12.5
    again = post(
        client, f"{BASE}/submit", {**body, "answers": [{"number": n, "answer": "yes"} for n in range(1, 8)]}
    )
    assert again.status_code == 200 and not again.json()["created"]
    assert again.json()["inspection"] == out["inspection"]
    assert Inspection.objects.count() == 1 and Lead.objects.count() == 2


def test_submit_refusals(client, client_for, fubiao1, employer, other_employer):
    body = api_payload(employer, fubiao1)
    assert post(client, f"{BASE}/submit", body).status_code == 401
    assert post(client_for("jiandu"), f"{BASE}/submit", body).status_code == 403
    assert post(client_for("panzhou"), f"{BASE}/submit", body).status_code == 403
    # an employer of another county is not found
    assert post(client_for("xieguan2"), f"{BASE}/submit", body).status_code == 404
    assert (
        post(client_for("xieguan"), f"{BASE}/submit", api_payload(other_employer, fubiao1)).status_code == 404
    )
    assert not Inspection.objects.exists()


def test_submit_explains_what_is_missing(client_for, fubiao1, employer):
    body = api_payload(employer, fubiao1, {1: "na"}, assistant_signature="")
    response = post(client_for("xieguan"), f"{BASE}/submit", body)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert response.json()["detail"] == "提交前还有以下问题"
    assert "第1项不允许选“合理缺项”，请选择“有”或“无”。" in problems and "缺少协管员签字。" in problems
    assert not Inspection.objects.exists()


def test_same_uuid_from_someone_else_is_not_found(client_for, fubiao1, employer, personas):
    body = api_payload(employer, fubiao1)
    assert post(client_for("xieguan"), f"{BASE}/submit", body).status_code == 201
    from xieguan.lib.testing import UserFactory

    colleague = UserFactory.create(username="xieguan-b", role="assistant", region_id="520281117")
    from django.test import Client

    other = Client()
    other.force_login(colleague)
    assert post(other, f"{BASE}/submit", body).status_code == 404


def test_draft_photo_submit_flow(client_for, fubiao1, employer):
    client = client_for("xieguan")
    body = api_payload(employer, fubiao1, {1: "yes"})
    url = f"{BASE}/{body['id']}/draft"
    response = put(client, url, body)
    assert response.status_code == 200 and response.json()["status"] == "draft"
    upload = SimpleUploadedFile("x.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(
        f"{BASE}/{body['id']}/photos", {"image": upload, "latitude": "25.7", "longitude": "104.6"}
    )
    assert response.status_code == 201, response.content
    photo_id = response.json()["id"]
    assert client.get(response.json()["url"]).status_code == 200
    bad = SimpleUploadedFile("x.jpg", b"GIF89a but not really", content_type="image/jpeg")
    response = client.post(f"{BASE}/{body['id']}/photos", {"image": bad})
    assert response.status_code == 422 and "不是有效的图片" in response.json()["problems"][0]
    # others cannot touch the draft or its photo
    assert client_for("xieguan2").post(f"{BASE}/{body['id']}/photos", {"image": upload}).status_code == 404
    assert client_for("panzhou").delete(f"{BASE}/photos/{photo_id}").status_code == 404
    assert client_for("panzhou").get(f"{BASE}/{body['id']}").status_code == 404
    full = api_payload(employer, fubiao1, id=body["id"])
    del full["companion_signature"]  # already on the draft? no: the draft had it too
    response = post(client, f"{BASE}/submit", full)
    assert response.status_code == 201, response.content
    assert len(response.json()["inspection"]["photos"]) == 1
    assert put(client, url, body).status_code == 422  # read-only after submission
    assert client.delete(f"{BASE}/photos/{photo_id}").status_code == 422
    assert InspectionPhoto.objects.count() == 1


def test_draft_id_mismatch_and_future_time(client_for, fubiao1, employer):
    client = client_for("xieguan")
    body = api_payload(employer, fubiao1)
    other = api_payload(employer, fubiao1)
    assert put(client, f"{BASE}/{other['id']}/draft", body).status_code == 422
    body["inspected_at"] = "2099-01-01T00:00:00+08:00"
    response = put(client, f"{BASE}/{body['id']}/draft", body)
    assert response.status_code == 422 and response.json()["problems"] == ["巡查时间不能晚于现在。"]


def test_list_and_detail_are_scoped(
    client_for, fubiao1, employer, other_employer, django_assert_max_num_queries
):
    for _ in range(3):
        assert (
            post(client_for("xieguan"), f"{BASE}/submit", api_payload(employer, fubiao1)).status_code == 201
        )
    other = api_payload(other_employer, fubiao1)
    assert post(client_for("xieguan2"), f"{BASE}/submit", other).status_code == 201
    county = client_for("panzhou")
    with django_assert_max_num_queries(6):
        data = county.get(BASE).json()
    assert data["count"] == 3 and all(i["employer_name"] == employer.name for i in data["items"])
    assert client_for("lps").get(BASE).json()["count"] == 4
    assert client_for("panzhou").get(f"{BASE}?findings=false").json()["count"] == 0
    assert client_for("panzhou").get(f"{BASE}?employer={other_employer.pk}").json()["count"] == 0
    assert client_for("panzhou").get(f"{BASE}/{other['id']}").status_code == 404
    detail = client_for("liuzhi").get(f"{BASE}/{other['id']}").json()
    assert [a["answer_label"] for a in detail["answers"]] == ["有", "合理缺项", "无", "有", "有", "有", "无"]
    assert client_for("liuzhi").get(f"{BASE}/not-a-uuid").status_code == 404


def test_openapi_documents_the_operations(client_for):
    paths = client_for("sheng").get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/inspections/submit" in paths and "/api/v1/inspections/templates" in paths
    assert any(p.endswith("/draft") for p in paths)


def test_delete_draft(client_for, fubiao1, employer):
    body = api_payload(employer, fubiao1, {1: "yes"})
    url = f"{BASE}/{body['id']}/draft"
    assert put(client_for("xieguan"), url, body).status_code == 200
    assert client_for("panzhou").delete(url).status_code == 404
    assert client_for("xieguan2").delete(url).status_code == 404
    assert client_for("xieguan").delete(url).status_code == 204
    assert not Inspection.objects.exists()


def test_submission_response_is_what_was_stored(client_for, fubiao1, employer):
    """The response is built from what the submission stored, and says what the detail says."""
    import base64

    photo = "data:image/jpeg;base64," + base64.b64encode(jpeg()).decode()
    photos = [
        {"image": photo, "taken_at": "2026-01-02T02:00:00Z", "caption": "后拍的"},
        {"image": photo, "taken_at": "2026-01-02T01:00:00Z", "caption": "先拍的", "item_number": 3},
    ]
    client = client_for("xieguan")
    body = api_payload(employer, fubiao1, photos=photos)
    out = post(client, f"{BASE}/submit", body).json()["inspection"]
    assert [p["caption"] for p in out["photos"]] == ["先拍的", "后拍的"] and len(out["leads"]) == 2
    assert out == client.get(f"{BASE}/{body['id']}").json()


def test_submission_query_count(client_for, fubiao1, employer, django_assert_num_queries):
    """Session, user, the employer with the UUID pre-check (one statement); insert, answers,
    最近巡查日期, the assistant's half-year count (one upsert; in a savepoint here, a transaction
    in production); the response reads nothing back. The template's items (with the template)
    are read by the process's first submission with that template only (models.template_items)."""
    client = client_for("xieguan")
    client.get(f"{BASE}/templates/active")
    answers = {1: "yes", 2: "na", 3: "yes", 4: "yes", 5: "yes", 6: "no", 7: "no"}  # no findings
    forget_template_items()
    with django_assert_num_queries(10):
        response = post(client, f"{BASE}/submit", api_payload(employer, fubiao1, answers))
    assert response.status_code == 201 and response.json()["inspection"]["findings_count"] == 0
    with django_assert_num_queries(9):
        response = post(client, f"{BASE}/submit", api_payload(employer, fubiao1, answers))
    assert response.status_code == 201 and response.json()["inspection"]["findings_count"] == 0
    # the region and the province's reporting policy once (the policy is memoised for the
    # request, regions/policy.py), then four per lead (the lead, its event …)
    with django_assert_num_queries(9 + 2 + 4 * 2):
        response = post(client, f"{BASE}/submit", api_payload(employer, fubiao1))  # (in a savepoint)
    assert response.status_code == 201 and response.json()["leads_created"] == 2


def test_the_template_and_its_items_are_read_once_per_process(
    client_for, fubiao1, employer, django_assert_num_queries
):
    """``template_items`` keeps the template and its items (never changed once made); saving a
    template or an item drops the copy, so a new one is read again."""
    forget_template_items()
    with django_assert_num_queries(1):
        template, items = template_items(fubiao1.pk) or (None, [])
    assert template == fubiao1 and [i.number for i in items] == list(range(1, 8))
    assert all(i.template == template for i in items)
    with django_assert_num_queries(0):
        assert template_items(fubiao1.pk) == (template, items)
    items[0].save()  # (unchanged) any save of an item or a template drops the copies
    with django_assert_num_queries(1):
        assert template_items(fubiao1.pk) is not None
    assert template_items(fubiao1.pk + 1000) is None  # no such template: not kept
    response = post(client_for("xieguan"), f"{BASE}/submit", api_payload(employer, fubiao1))
    assert response.status_code == 201


def test_the_copy_of_a_template_is_read_again_when_its_id_names_another_one(
    client_for, fubiao1, employer, django_assert_num_queries
):
    """After ``gendata --reset`` or a restore while the server runs, a template id may name
    another template than the one this process keeps: the submission reads the template's
    ``created_at`` with the employer (no statement more) and reads the items again when it
    differs. Done here without the save signals that drop the copy in this process, as another
    process (the command, the restore) would."""
    import datetime as dt

    from xieguan.inspections.models import ChecklistItem, ChecklistTemplate

    client = client_for("xieguan")
    client.get(f"{BASE}/templates/active")
    answers = {1: "yes", 2: "na", 3: "yes", 4: "yes", 5: "yes", 6: "no", 7: "no"}
    forget_template_items()
    assert post(client, f"{BASE}/submit", api_payload(employer, fubiao1, answers)).status_code == 201
    with django_assert_num_queries(9):  # the kept copy matches: no statement for it
        response = post(client, f"{BASE}/submit", api_payload(employer, fubiao1, answers))
    assert response.json()["inspection"]["answers"][0]["wording"] == fubiao1.items.get(number=1).wording
    ChecklistTemplate.objects.filter(pk=fubiao1.pk).update(
        created_at=fubiao1.created_at + dt.timedelta(days=1)
    )
    ChecklistItem.objects.filter(template=fubiao1, number=1).update(wording="恢复后的第1项")
    with django_assert_num_queries(10):  # the copy does not match: the items are read again
        response = post(client, f"{BASE}/submit", api_payload(employer, fubiao1, answers))
    assert response.status_code == 201
    assert response.json()["inspection"]["answers"][0]["wording"] == "恢复后的第1项"
    with django_assert_num_queries(9):
        response = post(client, f"{BASE}/submit", api_payload(employer, fubiao1, answers))
    assert response.json()["inspection"]["answers"][0]["wording"] == "恢复后的第1项"


def test_another_provinces_own_template_is_not_found(client_for, fubiao1, employer, regions):
    """The copy kept per process is checked against the employer's province like the query was
    (ChecklistTemplate.visible_in): another province's own version is a 404, first and again."""
    from xieguan.inspections.models import ChecklistItem, ChecklistTemplate
    from xieguan.regions.models import Level, Region

    Region.objects.get_or_create(code="53", defaults={"name": "云南省", "level": Level.PROVINCE})
    theirs = ChecklistTemplate.objects.create(province_id="53", code=fubiao1.code, version=9, name="云南版")
    ChecklistItem.objects.bulk_create(
        ChecklistItem(template=theirs, number=i.number, wording=i.wording, kind=i.kind, na_rule=i.na_rule)
        for i in fubiao1.items.all()
    )
    client = client_for("xieguan")
    for _ in range(2):  # the second time from the copy
        response = post(client, f"{BASE}/submit", api_payload(employer, theirs))
        assert response.status_code == 404
    assert template_items(theirs.pk) is not None and not Inspection.objects.exists()
    # the rule for a template in hand is the queryset's rule
    for template in (fubiao1, theirs):
        for code in ("52", "520281117", "53", "530102", None):
            listed = ChecklistTemplate.visible_in(code).filter(pk=template.pk).exists()
            assert template.is_visible_in(code) == listed, (template.province_id, code)


def test_a_time_without_a_zone_is_local_time(client_for, fubiao1, employer):
    """An inspection time or a photo time without a UTC offset (a client that sends the phone's
    clock as it reads) is the local time (Asia/Shanghai), as Django reads such a value for the
    leads: not a server error from comparing it with the aware clock."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    client = client_for("xieguan")
    body = api_payload(employer, fubiao1, inspected_at="2025-06-01T09:30:00", photos=[])
    response = post(client, f"{BASE}/submit", body)
    assert response.status_code == 201, response.content
    local = dt.datetime(2025, 6, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert Inspection.objects.get(pk=body["id"]).inspected_at == local
    draft = api_payload(employer, fubiao1, {1: "yes"}, inspected_at="2025-06-02T10:00:00")
    assert put(client, f"{BASE}/{draft['id']}/draft", draft).status_code == 200
    upload = SimpleUploadedFile("x.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(
        f"{BASE}/{draft['id']}/photos", {"image": upload, "taken_at": "2025-06-02T10:05:00"}
    )
    assert response.status_code == 201, response.content
    photo = InspectionPhoto.objects.get(pk=response.json()["id"])
    assert photo.taken_at == dt.datetime(2025, 6, 2, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    future = api_payload(employer, fubiao1, inspected_at="2999-01-01T00:00:00")
    response = post(client, f"{BASE}/submit", future)
    assert response.status_code == 422 and "晚于现在" in "".join(response.json()["problems"])


def test_an_item_answered_twice_is_refused(client_for, fubiao1, employer):
    """Two answers for one item (a client's bug, or a hostile body) contradict each other: the
    submission is refused naming the item, not stored with whichever came last."""
    body = api_payload(employer, fubiao1)
    body["answers"].append({"number": 1, "answer": "no", "note": "又一次"})
    response = post(client_for("xieguan"), f"{BASE}/submit", body)
    assert response.status_code == 422
    assert "第1项填写了不止一次。" in response.json()["problems"]
    assert not Inspection.objects.exists() and not Lead.objects.exists()


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+00:00", "1999-12-31T23:59:00+08:00"])
def test_an_inspection_time_before_the_registers_years_is_refused(client_for, fubiao1, employer, when):
    """No register or indicator reaches a year before 2000 (indicators.periods.MIN_YEAR): an
    inspection dated then (year 1 from a broken clock) would be stored where nobody sees it."""
    client = client_for("xieguan")
    body = api_payload(employer, fubiao1, inspected_at=when)
    response = post(client, f"{BASE}/submit", body)
    assert response.status_code == 422 and "巡查时间不能早于2000年。" in response.json()["problems"]
    response = put(client, f"{BASE}/{body['id']}/draft", body)
    assert response.status_code == 422 and "巡查时间不能早于2000年。" in response.json()["problems"]
    assert not Inspection.objects.exists()

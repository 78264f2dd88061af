"""Lead pages: refusals (anonymous, wrong role, other county), entry forms, steps, query counts."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xieguan.leads.actions import State
from xieguan.leads.models import Complaint, EventKind, Importance, Lead, LeadStatus, LeadType
from xieguan.leads.tests.factories import agency, assist_for, employer, lead_in, lead_of, make_lead, report
from xieguan.lib.testing import VILLAGE

pytestmark = pytest.mark.django_db


def png(name="p.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- who may open what -------------------------------------------------------------------------

LEAD_PAGES = [
    "leads:detail",
    "leads:report",
    "leads:request_assist",
    "leads:handling",
    "leads:officer_action",
    "leads:close",
]


@pytest.mark.parametrize("name", LEAD_PAGES)
def test_other_county_gets_404_on_every_lead_page(personas, client_for, name):
    lead = make_lead(personas)
    url = reverse(name, args=[lead.pk])
    allowed = {"leads:detail": "liuzhi", "leads:report": "liuzhi"}.get(name, "jiandu2")
    assert client_for(allowed).get(url).status_code == 404
    assert client_for("xieguan2").get(url).status_code in (403, 404)


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("leads:report", ["jiandu", "sheng", "lps"]),
        ("leads:request_assist", ["xieguan", "panzhou", "sheng"]),
        ("leads:handling", ["xieguan", "panzhou"]),
        ("leads:officer_action", ["xieguan", "panzhou"]),
        ("leads:close", ["xieguan", "panzhou"]),
    ],
)
def test_wrong_role_gets_403(personas, client_for, name, refused):
    lead = make_lead(personas)
    for persona in refused:
        assert client_for(persona).get(reverse(name, args=[lead.pk])).status_code == 403, persona


def test_acknowledge_refusals(personas, client_for):
    lead = lead_in(State.REPORTED, personas)
    url = reverse("leads:acknowledge", args=[lead.pk])
    assert client_for("xieguan").post(url).status_code == 403
    assert client_for("jiandu2").post(url).status_code == 404
    assert client_for("jiandu").get(url).status_code == 405
    lead.refresh_from_db()
    assert lead.acknowledged_at is None


@pytest.mark.parametrize(
    ("name", "refused", "outside"),
    [
        ("leads:new", ["jiandu", "panzhou", "sheng"], None),
        ("leads:new_complaint", ["jiandu", "sheng", "lps"], None),
        ("leads:inbox", ["xieguan", "panzhou", "sheng"], None),
        ("leads:assists", ["sheng", "lps"], None),
    ],
)
def test_role_limited_pages(personas, client_for, name, refused, outside):
    for persona in refused:
        response = client_for(persona).get(reverse(name))
        expected = 200 if name == "leads:assists" else 403
        assert response.status_code == expected, persona


def test_anonymous_is_sent_to_login(client, personas):
    lead = make_lead(personas)
    for url in [reverse("leads:list"), reverse("leads:detail", args=[lead.pk]), reverse("leads:export")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_region_filter_outside_scope_is_404(personas, client_for):
    assert client_for("liuzhi").get(reverse("leads:list"), {"region": "520281"}).status_code == 404
    assert client_for("liuzhi").get(reverse("leads:export"), {"region": "520281"}).status_code == 404
    assert client_for("liuzhi").get(reverse("leads:list"), {"region": "520203"}).status_code == 200


def _region_conditions(queries, table):
    """How many prefix conditions (``LIKE``) on ``table``'s region each statement reading it has."""
    like = re.compile(rf'"{table}"\."region_id"(::text)? LIKE')  # PostgreSQL casts it
    return [len(like.findall(q["sql"])) for q in queries if f'FROM "{table}"' in q["sql"]]


@pytest.mark.parametrize("name", ["leads:list", "leads:export"])
def test_the_region_filter_and_the_scope_are_one_condition(personas, client_for, name):
    """The region filter narrows the user's scope in one prefix condition (visible_within),
    never a second LIKE on the same column (PostgreSQL multiplies their selectivities);
    another county's code is 404 and a disjoint one inside no scope gives nothing, as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    here = make_lead(personas)
    there = make_lead(
        personas, discovered_by=personas.xieguan2, place="岩脚镇某厂", region=None, employer=None
    )
    Lead.objects.filter(pk=there.pk).update(region_id="520203102")
    client = client_for("panzhou")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), {"region": "520281117"})
    assert response.status_code == 200
    counts = _region_conditions(queries.captured_queries, "leads_lead")
    assert counts and max(counts) == 1, counts  # none with two
    if name == "leads:list":
        assert [lead.pk for lead in response.context["page"].object_list] == [here.pk]
        # the province's code asked by a county admin is outside their scope: 404, as before
        assert client.get(reverse(name), {"region": "52"}).status_code == 404
        # the province admin asking for a township without leads sees none
        empty = client_for("sheng").get(reverse(name), {"region": "520281104"})
        assert not empty.context["page"].object_list
    assert client_for("liuzhi").get(reverse(name), {"region": "520281117"}).status_code == 404


def test_lists_are_scoped(personas, client_for):
    mine = make_lead(personas)
    theirs = make_lead(
        personas, discovered_by=personas.xieguan2, place="岩脚镇某厂", region=None, employer=None
    )
    assert theirs.region_id == VILLAGE  # factory default region; move it to the other county
    Lead.objects.filter(pk=theirs.pk).update(region_id="520203102")
    ids = {lead.pk for lead in client_for("panzhou").get(reverse("leads:list")).context["page"].object_list}
    assert ids == {mine.pk}
    ids = {lead.pk for lead in client_for("liuzhi").get(reverse("leads:list")).context["page"].object_list}
    assert ids == {theirs.pk}
    assert client_for("liuzhi").get(reverse("leads:detail", args=[mine.pk])).status_code == 404


# --- lists --------------------------------------------------------------------------------------


def test_list_query_count_and_filters(personas, client_for, django_assert_max_num_queries):
    place = employer()
    for _ in range(12):
        make_lead(personas, employer=place)
    for state in State:
        lead_in(state, personas)
    client = client_for("panzhou")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("leads:list"))
    assert response.context["page"].paginator.count == 18  # 12 + one in each state (withdrawn too)
    assert client.get(reverse("leads:list"), {"employer": place.pk}).context["page"].paginator.count == 12
    assert client.get(reverse("leads:list"), {"status": "closed"}).context["page"].paginator.count == 1
    assert client.get(reverse("leads:list"), {"reported": "no"}).context["page"].paginator.count == 13
    assert (
        client.get(reverse("leads:list"), {"assistant": personas.xieguan.pk}).context["page"].paginator.count
        == 18
    )
    assert client.get(reverse("leads:list"), {"type": "complaint"}).context["page"].paginator.count == 0
    body = client.get(reverse("leads:list"), {"employer": place.pk, "reported": "no"}).content.decode()
    assert f"employer={place.pk}" in body  # kept in the export link


def test_inbox_important_first_and_query_count(personas, client_for, django_assert_max_num_queries):
    ordinary = lead_in(State.REPORTED, personas)
    important = lead_in(State.REPORTED, personas, importance=Importance.IMPORTANT)
    lead_in(State.DISCOVERED, personas)  # not reported: not in the inbox
    for _ in range(5):
        lead_in(State.REPORTED, personas)
    client = client_for("jiandu")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("leads:inbox"))
    rows = list(response.context["page"].object_list)
    assert rows[0] == important and ordinary in rows and len(rows) == 7
    assert response.context["counts"] == {"waiting": 7, "open": 0, "closed": 0}
    # another county's officer sees none of them
    assert client_for("jiandu2").get(reverse("leads:inbox")).context["counts"]["waiting"] == 0


# --- detail and steps -----------------------------------------------------------------------------


def test_detail_shows_timeline_and_only_allowed_steps(personas, client_for):
    lead = lead_in(State.REPORTED, personas)
    body = client_for("jiandu").get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "签收" in body and reverse("leads:acknowledge", args=[lead.pk]) in body
    assert reverse("leads:close", args=[lead.pk]) not in body
    assert body.count('list-group-item">') >= 0 and "发现" in body and "报告" in body
    body = client_for("xieguan").get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert reverse("leads:acknowledge", args=[lead.pk]) not in body
    assert reverse("leads:withdraw", args=[lead.pk]) in body  # not yet signed for: may be withdrawn


def test_report_page_flow(personas, client_for):
    lead = make_lead(personas)
    client = client_for("xieguan")
    url = reverse("leads:report", args=[lead.pk])
    page = client.get(url).content.decode()
    assert "盘州市卫生健康综合监督执法大队" in page and "jiandu" in page
    agency = personas.jiandu.agency
    response = client.post(
        url, {"target": "agency:999999", "method": "system", "reported_at": local(timezone.now())}
    )
    assert response.status_code == 200 and "请选择报告的监督机构或执法人员" in response.content.decode()
    response = client.post(
        url, {"target": f"agency:{agency.pk}", "method": "phone", "reported_at": local(timezone.now())}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REPORTED and lead.report_method == "phone"
    # reporting twice is refused with the reason, and nothing changes
    response = client.get(url, follow=True)
    assert "该线索已报告，不能重复报告。" in response.content.decode()


def test_report_before_discovery_is_refused_in_the_form(personas, client_for):
    lead = make_lead(personas, discovered_at=timezone.now() - dt.timedelta(hours=1))
    response = client_for("xieguan").post(
        reverse("leads:report", args=[lead.pk]),
        {
            "target": f"officer:{personas.jiandu.pk}",
            "method": "system",
            "reported_at": local(lead.discovered_at - dt.timedelta(hours=2)),
        },
    )
    assert "报告时间不能早于发现时间。" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISCOVERED


def test_officer_steps_through_pages(personas, client_for):
    lead = lead_in(State.REPORTED, personas)
    client = client_for("jiandu")
    client.post(reverse("leads:acknowledge", args=[lead.pk]))
    response = client.post(
        reverse("leads:request_assist", args=[lead.pk]),
        {"assistant": personas.xieguan.pk, "due_on": "", "note": "请核实"},
    )
    assert response.status_code == 302
    assist = lead.assists.get()
    assistant = client_for("xieguan")
    response = assistant.post(
        reverse("leads:assist", args=[assist.pk]),
        {
            "done_on": timezone.localdate().isoformat(),
            "what_done": "现场核实",
            "outcome": "情况属实",
            "photos": [png("a.png"), png("b.png")],
        },
    )
    assert response.status_code == 302
    assist.refresh_from_db()
    assert assist.status == "done" and assist.photos.count() == 2
    photo = assist.photos.all()[0]
    assert assistant.get(reverse("leads:assist_photo", args=[photo.pk])).status_code == 200
    assert client_for("xieguan2").get(reverse("leads:assist_photo", args=[photo.pk])).status_code == 404
    client.post(reverse("leads:handling", args=[lead.pk]), {"handling": "enforcement", "reason": ""})
    response = client.post(reverse("leads:close", args=[lead.pk]), {"outcome": "已处罚"})
    assert "须先记录执法处理" in response.content.decode()
    client.post(reverse("leads:officer_action", args=[lead.pk]), {"action": "penalty", "reason": "罚款"})
    client.post(reverse("leads:close", args=[lead.pk]), {"outcome": "已处罚"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLOSED and lead.officer_action == "penalty"
    body = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    for label in ["发现", "报告", "签收", "发起协查", "协查完成", "确定处置方式", "执法处理", "办结"]:
        assert label in body


def test_assist_page_refusals(personas, client_for):
    assist = assist_for(personas)
    assert client_for("xieguan2").get(reverse("leads:assist", args=[assist.pk])).status_code == 404
    other = client_for("panzhou")
    assert other.get(reverse("leads:assist", args=[assist.pk])).status_code == 200
    response = other.post(
        reverse("leads:assist", args=[assist.pk]),
        {"done_on": timezone.localdate().isoformat(), "what_done": "x", "outcome": "y"},
        follow=True,
    )
    assert "只有被请求协查的协管员可以记录" in response.content.decode()
    assist.refresh_from_db()
    assert assist.status == "requested"


def test_assist_lists(personas, client_for):
    assist = assist_for(personas)
    mine = client_for("xieguan").get(reverse("leads:assists")).context["page"].object_list
    assert list(mine) == [assist]
    assert list(client_for("xieguan2").get(reverse("leads:assists")).context["page"].object_list) == []
    assert list(client_for("jiandu").get(reverse("leads:assists")).context["page"].object_list) == [assist]


# --- entry forms ------------------------------------------------------------------------------------


def test_direct_entry_with_photos(personas, client_for):
    place = employer()
    client = client_for("xieguan")
    response = client.post(
        reverse("leads:new"),
        {
            "lead_type": LeadType.ABNORMAL,
            "abnormal_kind": "",
            "importance": "",
            "employer": place.pk,
            "region": "520281117",
            "discovered_at": local(timezone.now()),
            "description": "车间噪声很大",
        },
    )
    assert "工作场所异常请选择异常类别" in response.content.decode() and not Lead.objects.exists()
    response = client.post(
        reverse("leads:new"),
        {
            "lead_type": LeadType.ABNORMAL,
            "abnormal_kind": "noise",
            "importance": "",
            "employer": place.pk,
            "region": "520281117",
            "discovered_at": local(timezone.now()),
            "description": "车间噪声很大",
            "photos": [png()],
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("leads:detail", args=[lead.pk])
    assert lead.region_id == place.region_id and lead.source == "direct" and lead.photos.count() == 1
    photo = lead.photos.get()
    assert client.get(reverse("leads:photo", args=[photo.pk])).status_code == 200
    assert client_for("liuzhi").get(reverse("leads:photo", args=[photo.pk])).status_code == 404


def test_direct_entry_refuses_bad_input(personas, client_for):
    client = client_for("xieguan")
    future = local(timezone.now() + dt.timedelta(days=1))
    response = client.post(
        reverse("leads:new"),
        {
            "lead_type": LeadType.POISONING,
            "region": "520203102",  # another county's township
            "discovered_at": future,
            "description": "",
            "photos": [SimpleUploadedFile("x.png", b"not an image", content_type="image/png")],
        },
    )
    body = response.content.decode()
    assert "时间不能晚于现在" in body and "请选择用人单位，或填写地点" in body
    assert not Lead.objects.exists()


def test_complaint_intake(personas, client_for):
    client = client_for("xieguan")
    data = {
        "received_at": local(timezone.now()),
        "channel": "phone",
        "content": "工厂夜间排放刺鼻气体",
        "place": "大寨村",
        "region": VILLAGE,
        "importance": "normal",
        "anonymous": "on",
        "complainant_name": "张三",
    }
    response = client.post(reverse("leads:new_complaint"), data)
    assert (
        "匿名举报不记录举报人姓名和联系方式" in response.content.decode() and not Complaint.objects.exists()
    )
    data.pop("anonymous")
    response = client.post(reverse("leads:new_complaint"), data)
    complaint = Complaint.objects.get()
    assert response["Location"] == reverse("leads:detail", args=[complaint.lead_id])
    assert lead_of(complaint).lead_type == LeadType.COMPLAINT and complaint.region_id == VILLAGE
    assert lead_of(complaint).events.get().kind == EventKind.DISCOVERED
    # the county admin may record one too, for any township of the county
    response = client_for("panzhou").post(reverse("leads:new_complaint"), {**data, "region": "520281117"})
    assert response.status_code == 302


def test_report_page_lists_only_agencies_over_the_lead(personas, client_for):
    agency(name="盘州市卫生健康局", kind="administration")
    lead = make_lead(personas)
    page = client_for("xieguan").get(reverse("leads:report", args=[lead.pk])).content.decode()
    assert "六枝特区卫生健康综合监督执法大队" not in page and "盘州市卫生健康局" not in page
    assert "jiandu2" not in page


def test_reported_leads_leave_the_report_form(personas, client_for):
    lead = make_lead(personas)
    report(lead, personas)
    response = client_for("xieguan").get(reverse("leads:report", args=[lead.pk]))
    assert response.status_code == 302


def test_officer_asks_for_an_employer_assist(personas, client_for):
    place = employer()
    client = client_for("jiandu")
    page = client.get(reverse("leads:new_assist")).content.decode()
    assert place.name in page and "xieguan（柏果镇）" in page and "xieguan2" not in page
    response = client.post(
        reverse("leads:new_assist"), {"employer": place.pk, "assistant": personas.xieguan.pk}
    )
    item = personas.xieguan.assists.get()
    assert response["Location"] == reverse("leads:assist", args=[item.pk])
    assert item.lead is None and item.employer == place
    assert client_for("xieguan").get(reverse("leads:new_assist")).status_code == 403
    assert client_for("panzhou").get(reverse("leads:new_assist")).status_code == 403
    other = client_for("jiandu2").post(
        reverse("leads:new_assist"), {"employer": place.pk, "assistant": personas.xieguan.pk}
    )
    assert other.status_code == 200 and personas.xieguan.assists.count() == 1  # not a choice out of scope


def test_employer_page_lists_its_leads(personas, client_for):
    place = employer()
    lead = make_lead(personas, employer=place, description="该单位的线索")
    make_lead(personas, description="别家的线索")
    body = client_for("jiandu").get(reverse("employers:detail", args=[place.pk])).content.decode()
    assert 'data-testid="employer-leads"' in body and "该单位的线索" in body and "别家的线索" not in body
    assert reverse("leads:detail", args=[lead.pk]) in body and f"?employer={place.pk}" in body
    assert reverse("leads:new_assist") in body  # officers may ask for a 协查 of it
    body = client_for("xieguan").get(reverse("employers:detail", args=[place.pk])).content.decode()
    assert "该单位的线索" in body and reverse("leads:new_assist") not in body
    form = client_for("jiandu").get(reverse("leads:new_assist"), {"employer": place.pk}).context["form"]
    assert str(form["employer"].value()) == str(place.pk)

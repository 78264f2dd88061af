"""Web pages: who may open what (refusals), lists, detail, files, amendments, templates."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieguan.inspections import actions
from xieguan.inspections.models import ChecklistTemplate, Inspection, InspectionAmendment
from xieguan.inspections.tests.factories import jpeg, payload
from xieguan.leads.models import Lead
from xieguan.lib.testing import TOWNSHIP as TOWNSHIP_CODE

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(personas, fubiao1, employer):
    inspection = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1)).inspection
    actions_photo = actions.PhotoData(jpeg())
    draft = actions.save_draft(personas.xieguan, payload(employer, fubiao1, {1: "yes"}))
    actions.add_photo(draft, personas.xieguan, actions_photo)
    photo = draft.photos.get()
    photo.inspection = inspection
    photo.save()
    actions.delete_draft(draft, personas.xieguan)
    return inspection


def urls_of(inspection):
    return [
        reverse("inspections:detail", args=[inspection.pk]),
        reverse("inspections:print", args=[inspection.pk, "pdf"]),
        reverse("inspections:print", args=[inspection.pk, "docx"]),
        reverse("inspections:signature", args=[inspection.pk, "companion"]),
        reverse("inspections:signature", args=[inspection.pk, "assistant"]),
        reverse("inspections:photo", args=[inspection.photos.get().pk]),
        reverse("inspections:employer_history", args=[inspection.employer_id]),
    ]


def test_in_scope_users_open_everything(client_for, submitted):
    for name in ("xieguan", "panzhou", "jiandu", "lps", "sheng"):
        client = client_for(name)
        for url in urls_of(submitted):
            assert client.get(url).status_code == 200, (name, url)


@pytest.mark.parametrize("name", ["liuzhi", "xieguan2", "jiandu2"])
def test_other_county_gets_404_on_every_page_and_file(client_for, submitted, name):
    client = client_for(name)
    for url in urls_of(submitted):
        assert client.get(url).status_code == 404, url
    # the amend page is role-limited first (an officer may never amend: 403), then scoped
    assert client.get(reverse("inspections:amend", args=[submitted.pk])).status_code == (
        403 if name == "jiandu2" else 404
    )
    assert client.get(reverse("inspections:new", args=[submitted.employer_id])).status_code in (403, 404)


def test_anonymous_is_sent_to_login(client, submitted):
    for url in [*urls_of(submitted), reverse("inspections:index"), reverse("inspections:start")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_wrong_roles_get_403(client_for, submitted, employer):
    officer = client_for("jiandu")
    assert officer.get(reverse("inspections:start")).status_code == 403
    assert officer.get(reverse("inspections:new", args=[employer.pk])).status_code == 403
    assert officer.get(reverse("inspections:amend", args=[submitted.pk])).status_code == 403
    assert client_for("panzhou").get(reverse("inspections:templates")).status_code == 403
    assert client_for("xieguan").post(reverse("inspections:activate", args=[1])).status_code == 403


def test_a_draft_is_its_authors_only(client_for, personas, fubiao1, employer):
    draft = actions.save_draft(personas.xieguan, payload(employer, fubiao1, {1: "yes"}))
    assert client_for("xieguan").get(reverse("inspections:edit", args=[draft.pk])).status_code == 200
    assert client_for("panzhou").get(reverse("inspections:detail", args=[draft.pk])).status_code == 404
    assert client_for("panzhou").get(reverse("inspections:print", args=[draft.pk, "pdf"])).status_code == 404


def test_new_form_is_prefilled_and_resumes_a_draft(client_for, personas, fubiao1, employer):
    client = client_for("xieguan")
    page = client.get(reverse("inspections:new", args=[employer.pk])).content.decode()
    assert 'value="贵州盘州测试煤矿有限公司"' in page and 'value="张三"' in page
    # 合理缺项 only on item 2 for this employer; two more for 普法宣传 已开展 / 未开展
    assert page.count('class="btn-check"') == 7 * 2 + 1 + 2
    assert "inspection-form.js" in page and 'id="form-config"' in page
    draft = actions.save_draft(personas.xieguan, payload(employer, fubiao1, {1: "yes"}))
    response = client.get(reverse("inspections:new", args=[employer.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:edit", args=[draft.pk]
    )


def test_the_answer_that_is_a_finding_is_the_red_one(client_for, fubiao1, employer):
    """无 is red on a document item (1-5) and 有 on a lead item (6-7): on 工作场所异常情况 and
    群众投诉举报情况, 有 is the finding that makes a lead, 无 is all right."""
    page = client_for("xieguan").get(reverse("inspections:new", args=[employer.pk])).content.decode()
    colours = {
        (int(number), answer): colour
        for colour, number, answer in re.findall(
            r'<label class="btn btn-outline-(\w+) btn-lg" for="a(\d+)-(yes|no)">', page
        )
    }
    kinds = {item.number: item.kind for item in fubiao1.items.all()}
    assert len(colours) == 2 * len(kinds) == 14
    for number, kind in kinds.items():
        finding = "no" if kind == "document" else "yes"
        fine = "yes" if finding == "no" else "no"
        assert colours[number, finding] == "danger" and colours[number, fine] == "success", number
    assert {kinds[6], kinds[7]} == {"lead"}


def test_edit_of_a_submitted_inspection_goes_to_detail(client_for, submitted):
    response = client_for("xieguan").get(reverse("inspections:edit", args=[submitted.pk]))
    assert response["Location"] == reverse("inspections:detail", args=[submitted.pk])


def test_list_filters_and_query_count(
    client_for, personas, fubiao1, employer, other_employer, django_assert_max_num_queries
):
    clean = {1: "yes", 2: "yes", 3: "yes", 4: "yes", 5: "yes", 6: "no", 7: "no"}
    for answers in (clean, None, None):
        actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, answers))
    actions.submit_inspection(personas.xieguan2, payload(other_employer, fubiao1))
    client = client_for("panzhou")
    client.get(reverse("inspections:index"))  # log-in bookkeeping (session, axes) out of the count
    with django_assert_max_num_queries(12):
        page = client.get(reverse("inspections:index")).content.decode()
    assert "共 3 次巡查" in page and "六枝特区测试建材厂" not in page
    assert "共 1 次巡查" in client.get(reverse("inspections:index") + "?findings=0").content.decode()
    assert "共 2 次巡查" in client.get(reverse("inspections:index") + "?findings=1").content.decode()
    assert "共 0 次巡查" in client.get(reverse("inspections:index") + "?q=不存在").content.decode()
    assert (
        "共 3 次巡查"
        in client.get(reverse("inspections:index") + f"?assistant={personas.xieguan.pk}").content.decode()
    )
    assert "共 3 次巡查" in client.get(reverse("inspections:index") + "?region=520281117").content.decode()
    assert (
        "共 3 次巡查"
        in client.get(reverse("inspections:index") + f"?employer={employer.pk}").content.decode()
    )
    assert "共 0 次巡查" in client.get(reverse("inspections:index") + "?date_to=2000-01-01").content.decode()
    other_template = ChecklistTemplate.objects.get(code="regulation-text")
    assert (
        "共 0 次巡查"
        in client.get(reverse("inspections:index") + f"?template={other_template.pk}").content.decode()
    )
    # outside the scope, a region filter cannot widen it
    assert "共 3 次巡查" in client.get(reverse("inspections:index") + "?region=52").content.decode()


def test_detail_shows_answers_leads_and_print_links(client_for, submitted):
    page = client_for("jiandu").get(reverse("inspections:detail", args=[submitted.pk])).content.decode()
    assert "工作场所职业病危害因素检测与评价情况" in page
    assert re.search(r"已生成线索：<a href=\"/leads/\d+/\">违法相关信息", page)
    assert reverse("inspections:print", args=[submitted.pk, "pdf"]) in page
    assert (
        "修订"
        not in re.sub(r"<title>.*?</title>", "", page).split('data-testid="print-docx"')[1].split("</div>")[0]
    )


def test_detail_links_to_the_leads_it_made(client_for, personas, fubiao1, employer, submitted):
    leads = list(Lead.objects.filter(inspection=submitted).order_by("inspection_answer__item__number"))
    assert len(leads) == 2  # items 3 (document missing) and 6 (abnormal)
    for name in ("xieguan", "jiandu", "panzhou"):
        page = client_for(name).get(reverse("inspections:detail", args=[submitted.pk])).content.decode()
        section = page.split('data-testid="inspection-leads"')[1].split("</section>")[0]
        assert "本次巡查生成的线索（2 条）" in section
        hrefs = re.findall(r'href="(/leads/\d+/)"', section)
        assert hrefs == [reverse("leads:detail", args=[lead.pk]) for lead in leads]
        assert "第 3 项" in section and "第 6 项" in section
        assert client_for(name).get(hrefs[0]).status_code == 200  # each link opens for the reader

    # The section costs the same queries whatever the number of leads (no query per lead).
    many = {1: "no", 2: "na", 3: "no", 4: "no", 5: "no", 6: "yes", 7: "yes"}
    other = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, many)).inspection
    assert Lead.objects.filter(inspection=other).count() == 6
    client = client_for("jiandu")
    counts = []
    for inspection in (submitted, other):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("inspections:detail", args=[inspection.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_detail_without_findings_has_no_leads_section(client_for, personas, fubiao1, employer):
    answers = {1: "yes", 2: "na", 3: "yes", 4: "yes", 5: "yes", 6: "no", 7: "no"}
    inspection = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, answers)).inspection
    page = client_for("xieguan").get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert 'data-testid="inspection-leads"' not in page


def test_files_are_served_privately(client_for, submitted):
    response = client_for("panzhou").get(reverse("inspections:signature", args=[submitted.pk, "companion"]))
    assert response["Content-Type"] == "image/png" and response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    photo = client_for("panzhou").get(reverse("inspections:photo", args=[submitted.photos.get().pk]))
    assert photo["Content-Type"] == "image/jpeg"
    assert (
        client_for("panzhou").get(reverse("inspections:signature", args=[submitted.pk, "other"])).status_code
        == 404
    )


def test_amend_keeps_the_original_and_makes_new_leads(client_for, personas, submitted):
    client = client_for("xieguan")
    form = {
        "employer_name": submitted.employer_name,
        "address": submitted.address,
        "legal_representative": submitted.legal_representative,
        "phone": submitted.phone,
        "inspected_at": "2020-01-01T09:30",
        "accompanying_person": "李四",
        "reason": "",
    }
    answers = {1: "yes", 2: "na", 3: "no", 4: "yes", 5: "no", 6: "yes", 7: "no"}
    for n, a in answers.items():
        form[f"answer_{n}"] = a
        form[f"note_{n}"] = "补记：无培训记录" if n == 5 else ""
    url = reverse("inspections:amend", args=[submitted.pk])
    response = client.post(url, form)
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert not InspectionAmendment.objects.exists()
    form["reason"] = "第5项漏记"
    response = client.post(url, form)
    assert response.status_code == 302
    submitted.refresh_from_db()
    amendment = InspectionAmendment.objects.get()
    assert (amendment.revision, submitted.revision, submitted.findings_count) == (1, 1, 3)
    assert (
        amendment.before["answers"]["5"]["answer"] == "yes"
        and amendment.after["answers"]["5"]["answer"] == "no"
    )
    assert Lead.objects.filter(inspection=submitted).count() == 3
    page = client_for("panzhou").get(reverse("inspections:detail", args=[submitted.pk])).content.decode()
    assert "第5项漏记" in page and "第5项：" in page


def test_amend_needs_a_change(client_for, submitted):
    data = actions.InspectionData(
        id=submitted.pk,
        employer=submitted.employer,
        template=submitted.template,
        employer_name=submitted.employer_name,
        address=submitted.address,
        legal_representative=submitted.legal_representative,
        phone=submitted.phone,
        inspected_at=submitted.inspected_at,
        accompanying_person=submitted.accompanying_person,
        answers=[
            actions.AnswerData(a.item.number, a.answer, a.note)
            for a in submitted.answers.select_related("item")
        ],
    )
    with pytest.raises(actions.InspectionError, match="没有修改任何内容"):
        actions.amend_inspection(submitted, submitted.assistant, data, "看看")


def test_templates_page_activate_and_revise(client_for, templates):
    client = client_for("sheng")
    page = client.get(reverse("inspections:templates")).content.decode()
    assert "附表1 职业健康监督协管巡查个案信息表" in page and "具有放射危害因素的用人单位" in page
    variant = templates["regulation-text"]
    assert client.post(reverse("inspections:activate", args=[variant.pk])).status_code == 302
    active = ChecklistTemplate.active("52")
    assert active is not None and active.province_id == "52" and active.code == variant.code
    form = client.get(reverse("inspections:revise", args=[variant.pk])).context["form"]
    data = dict(form.initial)
    data["wording_8"] = "职业病防护用品发放情况"
    data["kind_8"] = "document"
    data["na_rule_8"] = "never"
    data["lead_type_8"] = ""
    for i in range(1, 8):
        data.setdefault(f"lead_type_{i}", "")
    response = client.post(reverse("inspections:revise", args=[variant.pk]), data)
    assert response.status_code == 302
    new = ChecklistTemplate.active("52")
    assert new is not None and new.province_id == "52"
    assert new.version == 3 and new.code == "regulation-text" and new.items.count() == 8


def test_employer_history_partial(client_for, submitted, employer):
    page = (
        client_for("xieguan")
        .get(reverse("inspections:employer_history", args=[employer.pk]))
        .content.decode()
    )
    assert "发现问题 2 项" in page and reverse("inspections:new", args=[employer.pk]) in page
    page = (
        client_for("panzhou")
        .get(reverse("inspections:employer_history", args=[employer.pk]))
        .content.decode()
    )
    assert reverse("inspections:new", args=[employer.pk]) not in page


def test_worklist_shows_due_employers_and_drafts(client_for, personas, fubiao1, employer):
    from xieguan.lib.testing import EmployerFactory

    EmployerFactory(name="柏果镇另一家单位")
    actions.save_draft(personas.xieguan, payload(employer, fubiao1, {1: "yes"}))
    page = client_for("xieguan").get("/").content.decode()
    assert "本半年待巡查的用人单位" in page and "柏果镇另一家单位" in page
    assert "未提交的巡查草稿" in page
    actions.submit_inspection(personas.xieguan, payload(employer, fubiao1))
    page = client_for("xieguan").get("/").content.decode()
    assert reverse("inspections:new", args=[employer.pk]) not in page


def test_discard_draft(client_for, personas, fubiao1, employer):
    draft = actions.save_draft(personas.xieguan, payload(employer, fubiao1, {1: "yes"}))
    response = client_for("xieguan").post(reverse("inspections:discard", args=[draft.pk]))
    assert response.status_code == 302 and not Inspection.objects.exists()


def test_employer_page_includes_the_history(client_for, submitted, employer):
    page = client_for("xieguan").get(employer.get_absolute_url()).content.decode()
    assert "巡查记录" in page and 'data-testid="employer-inspections"' in page and "发现问题 2 项" in page
    assert reverse("inspections:detail", args=[submitted.pk]) in page


def test_worklist_narrows_to_an_assistants_villages(personas, employer):
    from xieguan.inspections.worklist import due_employers
    from xieguan.lib.testing import EmployerFactory

    elsewhere = EmployerFactory(name="柏果镇另一村的单位", region_id="520281117002")
    assert set(due_employers(personas.xieguan)) == {employer, elsewhere}
    personas.xieguan.villages.set(["520281117001"])
    assert list(due_employers(personas.xieguan)) == [employer]


def test_the_due_list_reads_the_villages_without_joining_regions(personas):
    """PostgreSQL plans every statement of the home page on every request: the villages'
    subquery reads the placement table alone (it joined the regions twice for nothing)."""
    from xieguan.inspections.worklist import due_employers

    sql = str(due_employers(personas.xieguan).query)
    assert "accounts_user_villages" in sql and "regions_region" not in sql


def test_the_drafts_section_is_left_out_when_there_are_none(client_for, personas):
    """A section marked show_empty=False is not shown empty (lib.worklist.worklist_for)."""
    page = client_for("xieguan").get("/").content.decode()
    assert "本半年待巡查的用人单位" in page  # show_empty: "nothing to do" is said
    assert "未提交的巡查草稿" not in page


def test_list_filters_are_grouped_searchable_and_scoped(client_for, personas, submitted):
    """The province's 协管员 filter was a flat list of bare names and its 区划 filter the nine
    prefectures only: the assistants are grouped by 市州·县区 with their township, the regions
    offer every county under its prefecture, both searchable (data-picker) and plain selects
    without JavaScript. A region or person outside the user's scope is refused (the filter is
    ignored), never listed."""
    body = client_for("sheng").get(reverse("inspections:index")).content.decode()
    people = body.split('data-testid="picker-assistant"', 1)[1].split("</select>", 1)[0]
    assert '<optgroup label="六盘水市·盘州市">' in people
    assert f'<option value="{personas.xieguan.pk}">xieguan（柏果镇）</option>' in people
    regions = body.split('data-testid="picker-region"', 1)[1].split("</select>", 1)[0]
    assert regions.count("<optgroup ") == 9 and 'value="520281">盘州市</option>' in regions
    assert "xieguan/picker.js" in body

    liuzhi = client_for("liuzhi")
    for query in ({"region": "520281"}, {"assistant": personas.xieguan.pk}):
        response = liuzhi.get(reverse("inspections:index"), query)
        assert response.status_code == 200
        html = response.content.decode()
        assert "筛选条件有误，已忽略。" in html and f'value="{personas.xieguan.pk}"' not in html
        assert 'value="520281"' not in html
    # a county's own: townships, and its assistants by township
    own = client_for("panzhou").get(reverse("inspections:index"), {"region": TOWNSHIP_CODE})
    html = own.content.decode()
    assert f'<option value="{TOWNSHIP_CODE}" selected>柏果镇</option>' in html
    assert '<optgroup label="柏果镇">' in html
    assert own.context["page"].paginator.count == 1


def test_the_list_over_several_counties_says_each_inspections_county(client_for, submitted):
    """The province's and a prefecture's 巡查记录 have a 县(区) column; a county's has none."""
    for persona in ("sheng", "lps"):
        body = client_for(persona).get(reverse("inspections:index")).content.decode()
        assert "县(区)</th>" in body
        assert 'data-testid="inspection-county">盘州市</td>' in body
    body = client_for("panzhou").get(reverse("inspections:index")).content.decode()
    assert submitted.employer_name in body and "inspection-county" not in body

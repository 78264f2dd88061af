import datetime as dt

import pytest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from xieguan.employers.models import Employer, LedgerPolicy
from xieguan.employers.tests.factories import make_employer, valid_credit_code

pytestmark = pytest.mark.django_db


def form_post(**overrides):
    data = {
        "name": "盘州市柏果镇新登记煤矿",
        "credit_code": "",
        "region": "520281117001",
        "address": "柏果社区 3 组",
        "legal_representative": "李四",
        "phone": "13908581126",
        "industry": "",
        "industry_code": "06",
        "hazard_categories": ["dust"],
        "workers": "120",
        "exposed_workers": "80",
        "status": "operating",
        "declaration_date": "",
        "declaration_receipt": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def baiguo(personas):
    return make_employer(personas.xieguan, credit_code=valid_credit_code(1))


# --- list -------------------------------------------------------------------------------


def test_list_shows_counts_and_rate_of_the_filter(client_for, personas):
    make_employer(personas.xieguan, name="甲煤矿")
    make_employer(
        personas.xieguan, name="乙砖厂", industry="building_materials", industry_code=None, phone=""
    )
    make_employer(personas.xieguan2, name="岩脚煤矿", region_code="520203102001")
    response = client_for("xieguan").get(reverse("employers:ledger"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts.total, counts.registered, counts.rate) == (2, 1, 50.0)
    assert "岩脚煤矿" not in response.content.decode()
    response = client_for("xieguan").get(reverse("employers:ledger"), {"registered": "no"})
    assert [e.name for e in response.context["page"]] == ["乙砖厂"]
    assert "缺：联系电话" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "砖厂"}, ["乙砖厂"]),
        ({"q": "乙 砖 厂"}, ["乙砖厂"]),
        ({"q": "柏果社区"}, ["甲煤矿", "乙砖厂"]),
        ({"q": valid_credit_code(5)[:10].lower()}, ["甲煤矿"]),
        ({"industry": "building_materials"}, ["乙砖厂"]),
        ({"industry": "key"}, ["甲煤矿", "乙砖厂"]),
        ({"hazard": "physical"}, ["乙砖厂"]),
        ({"serious": "on"}, ["甲煤矿"]),
        ({"status": "suspended"}, ["乙砖厂"]),
        ({"region": "520281117002"}, ["乙砖厂"]),
        ({"sort": "-workers"}, ["乙砖厂", "甲煤矿"]),
        ({"overdue": "on"}, ["乙砖厂"]),
    ],
)
def test_list_filters(client_for, personas, params, expected):
    from xieguan.employers.models import HazardCategory

    make_employer(
        personas.xieguan,
        name="甲煤矿",
        credit_code=valid_credit_code(5),
        serious_hazard=True,
        declaration_date=timezone.localdate() - dt.timedelta(days=10),
    )
    make_employer(
        personas.xieguan,
        name="乙砖厂",
        region_code="520281117002",
        industry="building_materials",
        industry_code=None,
        hazard_categories=list(HazardCategory.objects.filter(code__in=["dust", "physical"])),
        workers=300,
        status="suspended",
    )
    response = client_for("xieguan").get(reverse("employers:ledger"), params)
    names = [e.name for e in response.context["page"]]
    assert names == expected if "sort" in params else sorted(names) == sorted(expected)


def test_closed_employers_are_listed_only_on_request(client_for, personas):
    from xieguan.employers.actions import close_employer

    employer = make_employer(personas.xieguan)
    close_employer(employer, reason="注销", by=personas.xieguan)
    client = client_for("xieguan")
    assert client.get(reverse("employers:ledger")).context["counts"].total == 0
    assert client.get(reverse("employers:ledger"), {"status": "all"}).context["counts"].total == 1


def test_declaration_window_is_data(client_for, personas):
    make_employer(personas.xieguan, declaration_date=timezone.localdate() - dt.timedelta(days=200))
    client = client_for("xieguan")
    assert client.get(reverse("employers:ledger")).context["counts"].overdue == 0
    LedgerPolicy.objects.create(declaration_max_age_days=180)
    assert client.get(reverse("employers:ledger")).context["counts"].overdue == 1


def test_list_paginates_and_its_query_count_does_not_grow(
    client_for, personas, django_assert_max_num_queries
):
    for n in range(30):
        make_employer(personas.xieguan, name=f"煤矿{n:02d}")
    client = client_for("panzhou")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("employers:ledger"))
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(14):
        response = client.get(reverse("employers:ledger"), {"page": 2, "region": "520281117"})
    assert len(response.context["page"].object_list) == 5


def test_region_filter_outside_the_scope_is_404(client_for):
    assert client_for("liuzhi").get(reverse("employers:ledger"), {"region": "520281117"}).status_code == 404


# --- detail -------------------------------------------------------------------------------


def test_detail_shows_the_record_and_its_history(client_for, personas, baiguo):
    from xieguan.employers.actions import update_employer

    update_employer(baiguo, {"phone": "0858-3621108"}, by=personas.panzhou, expected_version=1)
    response = client_for("xieguan").get(baiguo.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "0858-3621108" in body and "13908581126" in body  # new and old value in the history
    assert "新建登记" in body and "申报超期" in body


def test_detail_includes_sections_of_other_apps(client_for, personas, baiguo, settings, tmp_path):
    from django.apps import apps

    from xieguan.employers import sections

    template_dir = tmp_path / "templates"
    (template_dir / "extra").mkdir(parents=True)
    (template_dir / "extra" / "_section.html").write_text(
        "巡查次数：{{ section.context.count }} {{ employer.name }}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}]
    config = apps.get_app_config("leads")
    config.employer_sections = f"{__name__}.extra_sections"  # type: ignore[attr-defined]
    try:
        body = client_for("xieguan").get(baiguo.get_absolute_url()).content.decode()
    finally:
        del config.employer_sections  # type: ignore[attr-defined]
    assert "巡查记录（测试）" in body and f"巡查次数：3 {baiguo.name}" in body
    request = HttpRequest()
    request.user = personas.xieguan
    titles = [section.title for section in sections.sections_for(request, baiguo)]
    assert "巡查记录（测试）" not in titles  # the hook is gone again


def extra_sections(request, employer):
    from xieguan.employers.sections import EmployerSection

    return [EmployerSection("巡查记录（测试）", "extra/_section.html", {"count": 3})]


# --- create ---------------------------------------------------------------------------------


def test_assistant_creates_an_employer(client_for, personas):
    client = client_for("xieguan")
    assert client.get(reverse("employers:create")).status_code == 200
    response = client.post(reverse("employers:create"), form_post(credit_code=valid_credit_code(3).lower()))
    employer = Employer.objects.get()
    assert response.status_code == 302 and response.url == employer.get_absolute_url()
    assert employer.credit_code == valid_credit_code(3) and employer.industry == "coal"
    assert employer.registered and employer.created_by == personas.xieguan


def test_rejected_credit_code_says_why_in_chinese(client_for, personas):
    code = valid_credit_code(3)
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client_for("xieguan").post(reverse("employers:create"), form_post(credit_code=bad))
    assert response.status_code == 200
    assert "校验位不对" in response.content.decode()
    assert not Employer.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "0858-12345"}, "phone", "电话号码无效"),
        ({"exposed_workers": "200"}, "exposed_workers", "不能多于劳动者人数"),
        ({"hazard_categories": []}, "hazard_categories", "至少选择一类"),
        ({"industry": "chemical"}, "industry", "不一致"),
        ({"industry_code": "", "industry": ""}, "industry", "请选择行业类别"),
        ({"region": "520203102001"}, "region", "选择"),
        ({"radiation_work": "on"}, "radiation_work", "放射性因素"),
        ({"declaration_receipt": "R1"}, "declaration_date", "请同时填写申报日期"),
        ({"declaration_date": "2999-01-01"}, "declaration_date", "不能晚于今天"),
    ],
)
def test_form_refusals(client_for, personas, overrides, field, message):
    response = client_for("xieguan").post(reverse("employers:create"), form_post(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not Employer.objects.exists()


def test_a_factor_ticks_its_category(client_for, personas):
    from xieguan.employers.models import HazardFactor

    noise = HazardFactor.objects.get(name="噪声")
    client_for("xieguan").post(reverse("employers:create"), form_post(hazard_factors=[noise.pk]))
    employer = Employer.objects.get()
    assert set(employer.hazard_categories.values_list("code", flat=True)) == {"dust", "physical"}


def test_duplicate_is_refused_with_a_link_to_the_existing_record(client_for, personas, baiguo):
    response = client_for("xieguan").post(
        reverse("employers:create"), form_post(name="盘州市柏果镇 测试煤矿", region="520281117005")
    )
    body = response.content.decode()
    assert response.status_code == 200 and "本乡镇已登记同名单位" in body
    assert baiguo.get_absolute_url() in body
    response = client_for("panzhou").post(
        reverse("employers:create"),
        form_post(name="别的名字", region="520281104001", credit_code=baiguo.credit_code),
    )
    assert baiguo.get_absolute_url() in response.content.decode()
    assert Employer.objects.count() == 1


def test_duplicate_in_another_county_is_not_linked(client_for, personas, baiguo):
    response = client_for("xieguan2").post(
        reverse("employers:create"),
        form_post(name="岩脚某厂", region="520203102001", credit_code=baiguo.credit_code),
    )
    body = response.content.decode()
    assert "其他辖区" in body and baiguo.get_absolute_url() not in body and baiguo.name not in body


# --- edit and concurrency --------------------------------------------------------------------


def test_edit_saves_and_lists_the_changed_fields(client_for, baiguo):
    client = client_for("xieguan")
    assert client.get(reverse("employers:edit", args=[baiguo.pk])).status_code == 200
    response = client.post(
        reverse("employers:edit", args=[baiguo.pk]),
        form_post(name=baiguo.name, credit_code=baiguo.credit_code, workers="150", version="1"),
        follow=True,
    )
    assert "已保存，修改了" in response.content.decode()
    baiguo.refresh_from_db()
    assert baiguo.workers == 150 and baiguo.version == 2


def test_second_save_is_refused_and_both_versions_are_shown(client_for, baiguo):
    first, second = client_for("xieguan"), client_for("panzhou")
    url = reverse("employers:edit", args=[baiguo.pk])
    common = {"name": baiguo.name, "credit_code": baiguo.credit_code, "version": "1"}
    assert first.post(url, form_post(**common, workers="150")).status_code == 302
    response = second.post(url, form_post(**common, workers="99", phone="0858-3620081"))
    body = response.content.decode()
    assert response.status_code == 200 and response.context["conflict"]
    assert "99" in body and "150" in body and "0858-3620081" in body
    rows = {row["label"]: row for row in response.context["conflict"]}
    assert rows["劳动者人数"]["mine"] == "99" and rows["劳动者人数"]["theirs"] == "150"
    assert rows["劳动者人数"]["differs"] and not rows["用人单位名称"]["differs"]
    baiguo.refresh_from_db()
    assert baiguo.workers == 150
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert response.context["form"]["version"].value() == "2"
    assert second.post(url, form_post(**{**common, "version": "2"}, workers="99")).status_code == 302
    baiguo.refresh_from_db()
    assert baiguo.workers == 99 and baiguo.version == 3


def test_close_and_reopen(client_for, baiguo):
    client = client_for("xieguan")
    client.post(reverse("employers:close", args=[baiguo.pk]), {"reason": "已注销", "version": "1"})
    baiguo.refresh_from_db()
    assert baiguo.status == "closed"
    form = client.get(reverse("employers:edit", args=[baiguo.pk])).context["form"]
    assert "closed_reason" in form.fields
    client.post(
        reverse("employers:edit", args=[baiguo.pk]),
        form_post(name=baiguo.name, credit_code=baiguo.credit_code, status="operating", version="2"),
    )
    baiguo.refresh_from_db()
    assert baiguo.status == "operating" and baiguo.closed_reason == ""


def test_close_with_a_stale_version_is_refused(client_for, personas, baiguo):
    from xieguan.employers.actions import update_employer

    update_employer(baiguo, {"workers": 50}, by=personas.panzhou, expected_version=1)
    response = client_for("xieguan").post(
        reverse("employers:close", args=[baiguo.pk]), {"reason": "注销", "version": "1"}, follow=True
    )
    assert "已被他人修改" in response.content.decode()
    baiguo.refresh_from_db()
    assert baiguo.status == "operating"


def test_purge_by_the_province_admin(client_for, baiguo):
    client = client_for("sheng")
    assert client.get(reverse("employers:purge", args=[baiguo.pk])).status_code == 200
    assert client.post(reverse("employers:purge", args=[baiguo.pk])).status_code == 302
    assert not Employer.objects.exists()


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["liuzhi", "xieguan2"])
@pytest.mark.parametrize("view", ["detail", "edit", "close"])
def test_other_county_gets_404(client_for, baiguo, persona, view):
    client = client_for(persona)
    url = reverse(f"employers:{view}", args=[baiguo.pk])
    response = client.post(url, {"reason": "x", "version": "1"}) if view == "close" else client.get(url)
    assert response.status_code == 404
    baiguo.refresh_from_db()
    assert baiguo.status == "operating"


def test_other_county_officer_gets_404_on_detail(client_for, baiguo):
    assert client_for("jiandu2").get(baiguo.get_absolute_url()).status_code == 404


def test_purge_is_role_limited_then_scoped(client_for, personas):
    # Purge is role-limited (403 for others) and scoped (the province admin sees everything).
    employer = make_employer(personas.xieguan2, region_code="520203102001")
    assert client_for("liuzhi").get(reverse("employers:purge", args=[employer.pk])).status_code == 403
    assert client_for("sheng").get(reverse("employers:purge", args=[employer.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["jiandu", "lps"])
def test_read_only_roles_get_403_on_changes(client_for, baiguo, persona):
    client = client_for(persona)
    assert client.get(baiguo.get_absolute_url()).status_code == 200
    assert client.get(reverse("employers:create")).status_code == 403
    assert client.get(reverse("employers:edit", args=[baiguo.pk])).status_code == 403
    assert client.post(reverse("employers:close", args=[baiguo.pk]), {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("persona", ["panzhou", "xieguan"])
def test_purge_is_forbidden_below_the_province(client_for, baiguo, persona):
    assert client_for(persona).post(reverse("employers:purge", args=[baiguo.pk])).status_code == 403
    assert Employer.objects.filter(pk=baiguo.pk).exists()


def test_anonymous_is_sent_to_login(client, baiguo):
    for url in [reverse("employers:ledger"), baiguo.get_absolute_url(), reverse("employers:create")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_work_list_names_unregistered_employers(client_for, personas):
    make_employer(personas.xieguan, name="缺电话煤矿", phone="")
    body = client_for("xieguan").get("/").content.decode()
    assert "登记信息不全的用人单位" in body and "缺电话煤矿" in body and "缺：联系电话" in body


def test_a_ledger_of_several_counties_says_each_employers_county(client_for, personas):
    """The province's and a prefecture's ledger have a 县(区) column (the data file and 打印版
    have one too); a county's own ledger has none."""
    make_employer(personas.xieguan, name="盘州测试矿业")
    make_employer(personas.xieguan2, name="六枝测试建材", region_code="520203102")
    for persona in ("sheng", "lps"):
        body = client_for(persona).get(reverse("employers:ledger")).content.decode()
        assert "县(区)</th>" in body
        assert 'data-testid="ledger-county">盘州市</td>' in body
        assert 'data-testid="ledger-county">六枝特区</td>' in body
    body = client_for("panzhou").get(reverse("employers:ledger")).content.decode()
    assert "盘州测试矿业" in body and "县(区)</th>" not in body and "ledger-county" not in body


def test_county_names_of_region_codes_in_one_query(django_assert_num_queries):
    from xieguan.regions.models import Region

    with django_assert_num_queries(1):
        names = Region.objects.county_names(
            ["520281117001", "520281117", "520281", "520203102", "52", "5202"]
        )
    assert names == {
        "520281117001": "盘州市",
        "520281117": "盘州市",
        "520281": "盘州市",
        "520203102": "六枝特区",
    }
    with django_assert_num_queries(0):
        assert Region.objects.county_names(["52", "5202"]) == {}

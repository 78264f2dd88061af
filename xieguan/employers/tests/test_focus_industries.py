"""A county names its own focus industries (自定行业领域) on its own page; refreshing key flags
touches only that county and never lowers another county's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xieguan.employers.actions import LedgerError, add_focus_industry, refresh_key_flags
from xieguan.employers.models import Employer, FocusIndustry, IndustryCode
from xieguan.lib.testing import EmployerFactory
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db

URL = "/employers/focus-industries/"


@pytest.fixture
def furniture():
    return IndustryCode.objects.get(code="21")


@pytest.fixture
def two_counties(personas, furniture):
    """A furniture maker in 盘州市 and one in 六枝特区, which already named furniture its focus."""
    ours = EmployerFactory.create(name="盘州木器厂", industry="other", industry_code=furniture, is_key=False)
    theirs = EmployerFactory.create(
        name="六枝木器厂", region_id="520203102001", industry="other", industry_code=furniture, is_key=True
    )
    FocusIndustry.objects.create(region_id="520203", industry_code=furniture)
    return ours, theirs


def test_the_county_adds_and_removes_its_focus_industry_and_only_its_employers_change(
    client_for, two_counties, furniture
):
    ours, theirs = two_counties
    client = client_for("panzhou")
    page = client.get(URL)
    assert page.status_code == 200 and "自定行业领域" in page.content.decode()
    response = client.post(URL, {"industry_code": furniture.pk})
    assert response.status_code == 302
    assert FocusIndustry.objects.filter(region_id="520281", industry_code=furniture).exists()
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.is_key and theirs.is_key
    listed = client.get(URL).content.decode()
    assert "家具制造业" in listed or furniture.name in listed
    focus = FocusIndustry.objects.get(region_id="520281")
    assert client.post(reverse("employers:focus_industry_remove", args=[focus.pk])).status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert not ours.is_key
    assert theirs.is_key  # 六枝特区's own focus industry: never lowered by 盘州市's change


def test_a_refresh_is_for_one_county_only(personas, two_counties):
    _ours, theirs = two_counties
    # a province or prefecture code would judge every county below it by the wrong list
    for code in ("52", "5202", "520281117"):
        with pytest.raises(LedgerError):
            refresh_key_flags(code)
    assert refresh_key_flags("520281") == 0
    theirs.refresh_from_db()
    assert theirs.is_key and Employer.objects.filter(is_key=True).count() == 1


def test_refused_additions(personas, furniture):
    county = Region.objects.get(code="520281")
    coal = IndustryCode.objects.filter(category="coal").first()
    assert coal is not None
    with pytest.raises(LedgerError, match="重点行业"):
        add_focus_industry(county=county, industry_code=coal, by=personas.panzhou)
    add_focus_industry(county=county, industry_code=furniture, by=personas.panzhou)
    with pytest.raises(LedgerError, match="已是本县"):
        add_focus_industry(county=county, industry_code=furniture, by=personas.panzhou)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        add_focus_industry(
            county=county, industry_code=IndustryCode.objects.get(code="22"), by=personas.liuzhi
        )
    assert FocusIndustry.objects.count() == 1


def test_refusals(client, client_for, personas, two_counties):
    theirs_focus = FocusIndustry.objects.get(region_id="520203")
    remove = reverse("employers:focus_industry_remove", args=[theirs_focus.pk])
    # another county's row: 404 (and nothing removed)
    assert client_for("panzhou").post(remove).status_code == 404
    assert FocusIndustry.objects.filter(pk=theirs_focus.pk).exists()
    # wrong roles: 403
    for name in ("xieguan", "jiandu", "lps", "sheng"):
        assert client_for(name).get(URL).status_code == 403, name
        assert client_for(name).post(remove).status_code == 403, name
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    # the page lists the county's own rows only
    assert "六枝" not in client_for("panzhou").get(URL).content.decode()


def test_the_province_admin_site_accepts_counties_only(personas, furniture):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="县"):
        FocusIndustry(region_id="5202", industry_code=furniture).full_clean()
    FocusIndustry(region_id="520281", industry_code=furniture).full_clean()


def test_the_admin_site_lists_the_province_admins_focus_industries(client_for, personas, two_counties):
    """The admin's list, change, history and delete pages of a focus industry open (they were a
    500: a prefix lookup on the foreign key itself, found by the scope matrix)."""
    personas.sheng.is_superuser = True  # as bootstrap makes the province admin
    personas.sheng.save(update_fields=["is_superuser"])
    client = client_for("sheng")
    listed = client.get("/admin/employers/focusindustry/")
    assert listed.status_code == 200
    focus = FocusIndustry.objects.get(region_id="520203")
    for page in ("change", "history", "delete"):
        assert client.get(f"/admin/employers/focusindustry/{focus.pk}/{page}/").status_code == 200, page

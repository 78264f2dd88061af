"""The region filters of the list pages (台账, 线索, 经费; 巡查记录 in inspections/tests/test_views.py):
counties — and a prefecture's or county's townships — grouped and searchable in one select
(regions.pickers.region_filter_choices), not the scope's children only (a county took two round
trips). A region outside the scope stays refused: 404 on 台账, 线索 and 经费."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xieguan.lib.testing import TOWNSHIP, VILLAGE
from xieguan.regions.models import Level, Region

pytestmark = pytest.mark.django_db


def _select(body: str, testid: str) -> str:
    return body.split(f'data-testid="picker-{testid}"', 1)[1].split("</select>", 1)[0]


@pytest.mark.parametrize("url", ["employers:ledger", "leads:list", "funding:index"])
def test_the_province_picks_any_county_without_a_round_trip(client_for, personas, url):
    body = client_for("sheng").get(reverse(url)).content.decode()
    select = _select(body, "region")
    assert re.findall(r'<optgroup label="([^"]+)"', select) == list(
        Region.objects.filter(level=Level.PREFECTURE).order_by("code").values_list("name", flat=True)
    )
    assert 'value="520281">盘州市</option>' in select and 'value="5202">六盘水市（全部）</option>' in select
    assert select.count("<option ") == 1 + 9 + 88
    assert "xieguan/picker.js" in body


def test_a_prefecture_picks_counties_and_townships(client_for, personas):
    select = _select(client_for("lps").get(reverse("employers:ledger")).content.decode(), "region")
    assert len(re.findall("<optgroup ", select)) == 4  # 六盘水市's counties
    assert f'value="{TOWNSHIP}">柏果镇</option>' in select
    # the funding page stops at counties
    select = _select(client_for("lps").get(reverse("funding:index")).content.decode(), "region")
    assert 'value="520281">盘州市</option>' in select and TOWNSHIP not in select


def test_a_county_picks_its_townships_then_their_villages(client_for, personas):
    body = client_for("panzhou").get(reverse("employers:ledger"), {"region": VILLAGE}).content.decode()
    select = _select(body, "region")
    assert f'value="{TOWNSHIP}">柏果镇</option>' in select
    assert re.search(rf'<optgroup label="柏果镇下辖"><option value="{VILLAGE}" selected>', select)
    # a chosen township offers its villages (the filter went one level down per submit before)
    body = client_for("panzhou").get(reverse("employers:ledger"), {"region": TOWNSHIP}).content.decode()
    select = _select(body, "region")
    assert f'<option value="{TOWNSHIP}" selected>柏果镇</option>' in select
    assert f'<optgroup label="柏果镇下辖"><option value="{VILLAGE}">' in select
    # a county admin's funding page has nothing to choose
    assert (
        'data-testid="picker-region"'
        not in client_for("panzhou").get(reverse("funding:index")).content.decode()
    )


@pytest.mark.parametrize("url", ["employers:ledger", "leads:list", "funding:index"])
def test_a_region_outside_the_scope_is_404(client_for, personas, url):
    assert client_for("liuzhi").get(reverse(url), {"region": TOWNSHIP}).status_code == 404

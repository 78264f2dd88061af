"""The grouped pickers (regions/pickers.py) as the forms render them: groups, select-all buttons,
a bounded number of queries; the type-ahead itself is tested in the browser
(tasks/tests/test_picker_browser.py)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieguan.lib.testing import COUNTY, TOWNSHIP
from xieguan.personnel.tests.factories import serve
from xieguan.regions.models import Level, Region

pytestmark = pytest.mark.django_db


def _groups(body: str, name: str) -> list[str]:
    picker = body.split(f'data-testid="picker-{name}"', 1)[1].split("</fieldset>", 1)[0]
    return re.findall(r'data-picker-group="(\d*)"', picker)


def test_the_province_picks_counties_grouped_by_prefecture(client_for, personas):
    body = client_for("sheng").get(reverse("tasks:create")).content.decode()
    prefectures = list(
        Region.objects.filter(level=Level.PREFECTURE).order_by("code").values_list("code", flat=True)
    )
    assert _groups(body, "counties") == prefectures
    assert body.count("全选本市州") >= 9
    assert 'data-testid="picker-townships"' not in body  # the province names counties only
    assert "xieguan/picker.js" in body


def test_a_prefecture_picks_townships_grouped_by_county(client_for, personas):
    body = client_for("lps").get(reverse("tasks:create")).content.decode()
    counties = list(Region.objects.filter(parent_id="5202").order_by("code").values_list("code", flat=True))
    assert _groups(body, "townships") == counties
    assert _groups(body, "counties") == ["5202"]
    assert "全选本县(区)" in body


def test_a_county_picks_assistants_grouped_by_township(client_for, personas):
    body = client_for("panzhou").get(reverse("tasks:create")).content.decode()
    assert TOWNSHIP in _groups(body, "assistants")
    assert _groups(body, "townships") == [COUNTY]


def test_grouping_costs_one_query_per_picker_whatever_the_choices(client_for, personas):
    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(name).get(reverse("tasks:create")).status_code == 200
        return len(ctx.captured_queries)

    # 六盘水市: 4 counties and ~90 townships; the province: 88 counties in nine prefectures
    assert queries("sheng") <= queries("lps")


def test_training_invitations_are_grouped_by_township(client_for, personas):
    serve(personas.xieguan, TOWNSHIP, 2024, 2030, personas.panzhou)
    body = client_for("panzhou").get(reverse("personnel:training_new")).content.decode()
    assert _groups(body, "invited") == [TOWNSHIP]
    assert "全选本乡镇" in body and "xieguan/picker.js" in body


def test_the_register_page_groups_townships_by_county(client_for, personas):
    body = client_for("lps").get(reverse("indicators:register")).content.decode()
    picker = body.split('data-testid="picker-township"', 1)[1].split("</select>", 1)[0]
    labels = re.findall(r'<optgroup label="([^"]+)"', picker)
    assert labels == list(
        Region.objects.filter(parent_id="5202").order_by("code").values_list("name", flat=True)
    )
    assert 'value="520281117"' in picker


def test_the_publicity_list_groups_the_provinces_townships_by_county(client_for, personas):
    body = client_for("sheng").get(reverse("outreach:list")).content.decode()
    picker = body.split('data-testid="picker-township"', 1)[1].split("</select>", 1)[0]
    assert len(re.findall("<optgroup ", picker)) == 88  # Guizhou's counties
    assert picker.count("<option ") == 1 + Region.objects.filter(level=Level.TOWNSHIP).count()

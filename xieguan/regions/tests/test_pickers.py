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


def test_a_county_admins_county_is_its_own_group(client_for, personas):
    """A county admin's 交办给全县(区) showed their one county under 六盘水市 with a 全选本市州
    button that selected only their county: no group is wider than the user's scope."""
    body = client_for("panzhou").get(reverse("tasks:create")).content.decode()
    assert _groups(body, "counties") == [COUNTY]
    assert "全选本市州" not in body and "全选本县(区)" in body


def test_the_provinces_invitations_are_grouped_by_prefecture_and_county(client_for, personas):
    """The province could only select a whole prefecture of assistants: they are grouped by
    prefecture and, inside it, by county, each with its select-all button; the markup per person
    is one label around one checkbox (no id, no 在聘 on every line)."""
    from xieguan.personnel.tests.factories import AssistantFactory

    AssistantFactory.create(name="甲", township_id=TOWNSHIP, status="appointed")
    AssistantFactory.create(name="乙", township_id="520102016")
    body = client_for("sheng").get(reverse("personnel:training_new")).content.decode()
    assert _groups(body, "invited") == ["5201", "520102", "5202", COUNTY]
    assert (
        body.count('data-select-all="全选本市州"') == 2 and body.count('data-select-all="全选本县(区)"') == 2
    )
    assert "甲（柏果镇）</label>" in body and "乙（新华路街道·待聘）</label>" in body
    assert 'data-picker-count="已选 N 人"' in body and "data-picker-summary" in body

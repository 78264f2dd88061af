import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieguan.accounts.models import Notification
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "role", "region"),
    [
        ("sheng", "省卫生健康委管理员", "贵州省"),
        ("lps", "市(州)卫生健康局", "贵州省六盘水市"),
        ("panzhou", "县(区)卫生健康行政部门", "贵州省六盘水市盘州市"),
        ("jiandu", "卫生健康监督执法人员", "贵州省六盘水市盘州市"),
        ("xieguan", "职业健康监督协管员", "贵州省六盘水市盘州市柏果镇"),
    ],
)
def test_home_says_who_and_where(client_for, persona, role, region):
    body = client_for(persona).get(reverse("accounts:home")).content.decode()
    assert role in body
    assert f'data-testid="home-region">{region}<' in body


def test_home_query_count(client_for, django_assert_max_num_queries):
    client = client_for("panzhou")
    with django_assert_max_num_queries(40):
        client.get(reverse("accounts:home"))


def test_notifications_are_per_recipient(client_for, personas):
    Notification.objects.create(
        recipient=personas.xieguan, region_id="520281117", kind="t", title="新的协查请求", key="k1"
    )
    Notification.objects.create(
        recipient=personas.xieguan2, region_id="520203102", kind="t", title="别人的", key="k1"
    )
    client = client_for("xieguan")
    body = client.get(reverse("accounts:notifications")).content.decode()
    assert "新的协查请求" in body and "别人的" not in body
    client.post(reverse("accounts:notifications_read"), {"id": "999999"})
    assert personas.xieguan.notifications.filter(read_at__isnull=True).count() == 1
    client.post(reverse("accounts:notifications_read"))
    assert personas.xieguan.notifications.filter(read_at__isnull=True).count() == 0
    assert personas.xieguan2.notifications.filter(read_at__isnull=True).count() == 1


def test_an_assistants_region_path_and_villages_are_one_statement(client_for, personas):
    """The home page read the region's ancestors (its full name) and the assistant's villages in
    two statements; PostgreSQL plans each on every request. One UNION ALL now, and the page
    says the same."""
    personas.xieguan.villages.set(["520281117002", "520281117001"])
    client = client_for("xieguan")
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("accounts:home")).content.decode()
    assert 'data-testid="home-region">贵州省六盘水市盘州市柏果镇<' in body
    shown = body.split("负责的村(社区)：", 1)[1].split("</div>", 1)[0]
    names = dict(Region.objects.filter(code__in=["520281117001", "520281117002"]).values_list("code", "name"))
    assert shown == f"{names['520281117001']}、{names['520281117002']}"
    sql = [q["sql"] for q in captured.captured_queries]
    [villages] = [q for q in sql if '"regions_region"' in q and "accounts_user_villages" in q]
    assert "UNION ALL" in villages
    assert [q for q in sql if '"regions_region"."code" IN (' in q] == [villages]


def test_home_of_a_province_admin_reads_no_ancestors(client_for):
    """The province has no ancestors and no villages: no statement for them at all."""
    client = client_for("sheng")
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("accounts:home")).content.decode()
    assert 'data-testid="home-region">贵州省<' in body
    assert not [q for q in captured.captured_queries if '"regions_region"."code" IN (' in q["sql"]]

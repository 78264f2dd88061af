import pytest
from django.urls import reverse

from xieguan.accounts.models import Notification

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

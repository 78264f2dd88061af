"""The province a page names comes from the database: the user's, or the installation's before login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xieguan.regions.models import Level, Region
from xieguan.regions.province import province_name

pytestmark = pytest.mark.django_db


def test_login_page_names_the_installation_province(regions: None, settings: Any) -> None:
    assert "贵州省" in Client().get("/login/").content.decode()
    Region.objects.create(code="53", name="云南省", level=Level.PROVINCE)
    settings.XIEGUAN_PROVINCE = "53"
    province_name.cache_clear()
    page = Client().get("/login/").content.decode()
    assert "云南省" in page and "贵州省" not in page


def test_pages_name_the_users_province(client_for: Any) -> None:
    page = client_for("panzhou").get("/").content.decode()
    assert "贵州省职业健康监督协管信息系统" in page


def test_manifest_names_the_province(client_for: Any) -> None:
    province_name.cache_clear()
    data = client_for("xieguan").get("/manifest.webmanifest").json()
    assert data["description"].startswith("贵州省")

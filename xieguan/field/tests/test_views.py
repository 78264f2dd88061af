"""The field app's pages: who may open them, what the worker and the manifest say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from xieguan.employers.models import OperatingStatus
from xieguan.inspections.tests.factories import load_templates
from xieguan.lib.testing import EmployerFactory

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_for_the_whole_app(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    # Workbox from our own static files, never a CDN.
    assert 'importScripts("/static/vendor/workbox/workbox-core.prod.js")' in body
    assert "http" not in body.split("importScripts", 1)[1].split("precacheAndRoute")[0]


def precache(body: str) -> list[dict[str, str]]:
    start = body.index("precacheAndRoute(") + len("precacheAndRoute(")
    end = body.index(");", start)
    entries: list[dict[str, str]] = json.loads(body[start:end])
    return entries


def test_precache_is_the_shell_without_the_chart_library(client):
    entries = precache(client.get("/sw.js").content.decode())
    urls = [e["url"] for e in entries]
    assert "/static/xieguan/field/status.js" in urls and "/field/offline/" in urls
    assert not [u for u in urls if "echarts" in u or "dashboard" in u]
    assert all(len(e["revision"]) == 16 for e in entries)


def test_every_module_of_the_field_app_is_precached(client):
    """status.js imports the field app (status-bar.js) only on an assistant's page, when the page
    has loaded: offline, that import is answered from the precache, so every module must be in it."""
    folder = Path(str(finders.find("xieguan/field/status.js"))).parent
    modules = {f"/static/xieguan/field/{p.name}" for p in folder.glob("*.js")}
    urls = {e["url"] for e in precache(client.get("/sw.js").content.decode())}
    assert "/static/xieguan/field/status-bar.js" in modules
    assert modules <= urls, modules - urls


def test_a_new_release_is_a_new_worker(client, settings):
    first = client.get("/sw.js").content
    settings.XIEGUAN_RELEASE = "next"
    second = client.get("/sw.js").content
    assert first != second
    assert precache(first.decode()) == precache(second.decode())  # same shell, new version


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "职业健康监督协管" and data["short_name"] == "职业健康协管"
    assert data["display"] == "standalone" and data["start_url"] == "/"
    sizes = {i["sizes"] for i in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_offline_page_is_public_and_personal_data_free(client):
    response = client.get("/field/offline/")
    assert response.status_code == 200
    assert "现在没有网络" in response.content.decode()


@pytest.mark.parametrize("name", ["sheng", "panzhou", "jiandu", "lps"])
def test_outbox_and_prepare_are_for_assistants_only(client_for, name):
    client = client_for(name)
    assert client.get("/field/outbox/").status_code == 403
    assert client.get("/field/prepare.json").status_code == 403


def test_anonymous_is_sent_to_login(client):
    for url in ["/field/outbox/", "/field/prepare.json"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_outbox_page_for_an_assistant(client_for):
    response = client_for("xieguan").get("/field/outbox/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="outbox-list"' in body and "离线准备" in body
    assert 'id="xg-status"' in body and 'data-user="xieguan"' in body


def test_status_bar_only_for_assistants(client_for):
    assert 'id="xg-status"' not in client_for("panzhou").get("/").content.decode()
    body = client_for("xieguan").get("/").content.decode()
    assert 'id="xg-status"' in body and 'rel="manifest"' in body


def test_prepare_lists_the_scope_only(client_for, personas):
    load_templates()
    mine = EmployerFactory.create()
    closed = EmployerFactory.create(status=OperatingStatus.CLOSED)
    other = EmployerFactory.create(
        region_id=personas.xieguan2.region_id, township_id=personas.xieguan2.region_id[:9]
    )
    pages = client_for("xieguan").get("/field/prepare.json").json()["pages"]
    assert pages[:4] == ["/", "/field/outbox/", "/inspections/start/", "/employers/"]
    assert f"/employers/{mine.pk}/" in pages and f"/inspections/new/{mine.pk}/" in pages
    assert f"/employers/{closed.pk}/" not in pages
    assert "/leads/new/" in pages and "/leads/complaints/new/" in pages
    assert "/outreach/consultations/new/" in pages
    assert f"/employers/{other.pk}/" not in pages
    other_pages = client_for("xieguan2").get("/field/prepare.json").json()["pages"]
    assert f"/employers/{mine.pk}/" not in other_pages


def test_prepare_query_count(client_for, django_assert_max_num_queries):
    load_templates()
    EmployerFactory.create_batch(5)
    client = client_for("xieguan")
    with django_assert_max_num_queries(8):
        assert len(client.get("/field/prepare.json").json()["pages"]) == 4 + 15 + 7

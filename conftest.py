"""Fixtures shared by the whole suite: regions, personas, clients, and the browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.backends.signals import connection_created
from django.test import Client

from xieguan.lib.testing import PASSWORD, Personas, ensure_regions, make_personas

CHROMIUM = os.environ.get("XIEGUAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _sqlite_readers_take_no_table_locks(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The tests' SQLite database is in memory with a shared cache: the live server's threads
    and the test share it, and a reader's table lock made a writer fail at once with "database
    table is locked" (no busy timeout applies to shared-cache locks) — e.g. a test creating a task
    while the phone's page reads the notification bell. Readers that take no table locks
    (read_uncommitted, meaningful in shared-cache mode only) remove that race in the tests."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


connection_created.connect(_sqlite_readers_take_no_table_locks, dispatch_uid="xieguan_tests_sqlite")


def pytest_configure(config: pytest.Config) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.XIEGUAN_CHECK_PREPARED = True  # every prepared statement checked against a fresh compile
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        ensure_regions()


@pytest.fixture
def regions(db: Any) -> None:
    ensure_regions()


@pytest.fixture
def personas(regions: None) -> Personas:
    return make_personas()


@pytest.fixture
def client_for(personas: Personas) -> Any:
    """client_for("xieguan") -> a test client logged in as that persona."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(getattr(personas, name))
        return client

    return make


@pytest.fixture(autouse=True)
def _private_media(tmp_path: Path, settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


# --- browser tests (Playwright on Debian's Chromium) ----------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"浏览器测试需要 Debian 的 Chromium（{CHROMIUM}）：apt-get install chromium"
        if IN_CI:
            pytest.fail(message + "；CI 中不允许跳过。")
        pytest.skip(message)  # loud: reported in the summary by pytest_terminal_summary
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A 360 px wide phone page."""
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    """A desktop page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Any:
    """screenshot(page, "step") saves var/test-artifacts/<test>-<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login_page(live_server: Any) -> Any:
    """login_page(page, user) logs a persona in through the real login form."""

    def login(page: Any, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return login


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgresql`` (plans, operator classes, two writers at once) are deselected,
    not skipped, when the suite runs on another database: a skip fails a CI run, and on SQLite
    such a test has nothing to check. CI runs the suite on both databases."""
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_sep(
            "!", f"{len(skipped)} 个测试被跳过（浏览器测试需要 /usr/bin/chromium）", red=True
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Under CI nothing may be skipped.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

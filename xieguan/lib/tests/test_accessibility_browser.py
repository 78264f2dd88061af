"""axe-core over the pages an assistant uses on a 360 px phone (and the county admin's main pages):
no serious or critical violation. Runs on the demo data, so the pages have realistic content."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from xieguan.accounts.demo import DEMO_PASSWORD
from xieguan.employers.models import Employer
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.inspections.tests.factories import load_templates
from xieguan.leads.models import AssistRequest, Lead
from xieguan.lib.a11y import axe_violations, describe, size_problems
from xieguan.outreach.models import PublicityEvent
from xieguan.tasks.models import TaskAssignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(regions: None) -> None:
    load_templates()  # the flush of a transactional test removed the migrated 附表1 template
    call_command("seeddemo", force=True, without_year=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A 360 px phone whose pages accept the injected axe-core (the app's CSP allows only its own
    scripts, as it should; bypass_csp lifts it for this test's browser context alone)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, locale="zh-CN", device_scale_factor=1, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assistant_pages() -> list[tuple[str, str]]:
    employer = Employer.objects.within("520281117").order_by("pk").first()
    inspection = Inspection.objects.filter(
        assistant__username="xieguan", status=InspectionStatus.SUBMITTED
    ).first()
    lead = Lead.objects.within("520281117").order_by("pk").first()
    assist = AssistRequest.objects.filter(assistant__username="xieguan").first()
    event = PublicityEvent.objects.within("520281117").first()
    assignment = TaskAssignment.objects.filter(assignee__username="xieguan").first()
    assert employer and inspection and lead and assist and event and assignment
    return [
        ("home", reverse("accounts:home")),
        ("employers", reverse("employers:ledger")),
        ("employer", reverse("employers:detail", args=[employer.pk])),
        ("employer-form", reverse("employers:edit", args=[employer.pk])),
        ("inspection-start", reverse("inspections:start")),
        ("inspection-form", reverse("inspections:new", args=[employer.pk])),
        ("inspection", reverse("inspections:detail", args=[inspection.pk])),
        ("inspections", reverse("inspections:index")),
        ("leads", reverse("leads:list")),
        ("lead", reverse("leads:detail", args=[lead.pk])),
        ("lead-form", reverse("leads:new")),
        ("complaint-form", reverse("leads:new_complaint")),
        ("assists", reverse("leads:assists")),
        ("assist", reverse("leads:assist", args=[assist.pk])),
        ("publicity", reverse("outreach:list")),
        ("publicity-event", reverse("outreach:detail", args=[event.pk])),
        ("publicity-form", reverse("outreach:create")),
        ("tasks", reverse("tasks:mine")),
        ("task", reverse("tasks:assignment", args=[assignment.pk])),
        ("indicators", reverse("indicators:dashboard")),
        ("drill", reverse("indicators:drill", args=["employer_patrol"])),
        ("me", reverse("personnel:me")),
        ("consultation-form", reverse("outreach:consultation_create")),
        ("outbox", reverse("field:outbox")),
    ]


def admin_pages() -> list[tuple[str, str]]:
    return [
        ("admin-home", reverse("accounts:home")),
        ("admin-indicators", reverse("indicators:dashboard")),
        ("admin-leads", reverse("leads:list")),
        ("admin-inspections", reverse("inspections:index")),
        ("admin-employers", reverse("employers:ledger")),
        ("admin-personnel", reverse("personnel:list")),
        ("admin-tasks", reverse("tasks:index")),
        ("admin-funding", reverse("funding:index")),
        ("admin-drill", reverse("indicators:drill", args=["key_coverage"])),
    ]


def check_pages(
    page: Any, base: str, pages: list[tuple[str, str]], screenshot: Any, sizes: bool = False
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, path in pages:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, path)
        page.wait_for_load_state("networkidle")
        screenshot(page, name)
        if sizes:  # text >= 16 px, controls >= 44 x 44 px
            problems = size_problems(page)
            if problems["small"] or problems["tiny"]:
                found[f"{name}-sizes"] = [
                    {"id": "size", "impact": "serious", "help": "", "nodes": [{"target": t, "summary": ""}]}
                    for t in problems["small"] + problems["tiny"]
                ]
        if name.endswith("home"):  # the menu open: the navigation's links are checked too
            page.click(".navbar-toggler")
            page.wait_for_selector("#mainnav.show")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    return found


def report(found: dict[str, Any], name: str) -> str:
    from conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    return "\n".join(f"[{page}]\n{describe(v)}" for page, v in found.items())


def test_assistant_pages_have_no_serious_violation_and_readable_sizes(
    demo, live_server, phone, login_page, screenshot
):
    login_page(phone, "xieguan", DEMO_PASSWORD)
    found = check_pages(phone, live_server.url, assistant_pages(), screenshot, sizes=True)
    assert not found, report(found, "assistant")
    # The size check sees what it is meant to: a small button and 12 px text are reported.
    phone.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
            '<p style="font-size:12px">小字</p><button style="all:unset;height:20px">小</button>')"""
    )
    problems = size_problems(phone)
    assert any("小字" in t for t in problems["small"]) and any("20" in t for t in problems["tiny"])


def test_the_outbox_with_a_waiting_record_and_the_password_dialog(
    personas, live_server, phone, login_page, screenshot
):
    """The outbox page with a record waiting, the status bar in each state it shows here, and the
    password dialog of an ended session: no serious violation, text >= 16 px, taps >= 44 px."""
    from django.contrib.sessions.models import Session
    from playwright.sync_api import expect

    base = live_server.url
    login_page(phone, "xieguan")
    phone.context.route("**/api/v1/**", lambda route: route.abort("connectionreset"))
    phone.goto(base + reverse("leads:new_complaint"))
    phone.select_option("[name=channel]", "phone")
    phone.fill("[name=content]", "无障碍检查用的投诉")
    phone.fill("[name=place]", "柏果镇")
    phone.click("[data-testid=entry-form] [type=submit]")
    phone.wait_for_url("**/field/outbox/#queued")
    expect(phone.get_by_test_id("outbox-item")).to_contain_text("网络不稳定")
    expect(phone.get_by_test_id("sync-status")).to_contain_text("待上传 1 项")
    found: dict[str, Any] = {}
    for state in ("waiting", "auth"):
        if state == "auth":  # the session ends on the server; the API is reachable again
            Session.objects.all().delete()
            phone.context.unroute("**/api/v1/**")
            phone.get_by_test_id("sync-now").click()
            expect(phone.get_by_test_id("relogin-dialog")).to_be_visible()
        screenshot(phone, f"outbox-{state}")
        violations = axe_violations(phone)
        if violations:
            found[f"outbox-{state}"] = violations
        problems = size_problems(phone)
        if problems["small"] or problems["tiny"]:
            found[f"outbox-{state}-sizes"] = [
                {"id": "size", "impact": "serious", "help": "", "nodes": [{"target": t, "summary": ""}]}
                for t in problems["small"] + problems["tiny"]
            ]
    assert not found, report(found, "outbox")


def test_county_admin_pages_have_no_serious_violation(demo, live_server, phone, login_page, screenshot):
    login_page(phone, "panzhou", DEMO_PASSWORD)
    found = check_pages(phone, live_server.url, admin_pages(), screenshot)
    assert not found, report(found, "admin")


CARD_LISTS = [
    ("cards-drill-employers", "indicators:drill", ["employer_patrol"], "?show=all"),
    ("cards-drill-records", "indicators:drill", ["records"], "?show=all"),
    ("cards-drill-leads", "indicators:drill", ["reporting"], "?show=all"),
    ("cards-drill-assistants", "indicators:drill", ["assistant_patrol"], "?show=all"),
    ("cards-inspections", "inspections:index", [], ""),
    ("cards-training", "personnel:training", [], ""),
    ("cards-assistants", "personnel:list", [], ""),
    ("cards-access-log", "audit:log", [], ""),
]


def card_layout(page: Any) -> list[dict[str, Any]]:
    """For each row of the page's table-cards table: its display, width and first visible cell."""
    return page.evaluate(
        """() => [...document.querySelectorAll("table.table-cards > tbody > tr")].map(tr => {
            const cells = [...tr.children].filter(td => td.offsetParent !== null);
            const first = cells.slice().sort((a, b) =>
                a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0];
            return {display: getComputedStyle(tr).display, width: tr.getBoundingClientRect().width,
                    narrowest: Math.min(...cells.map(td => td.getBoundingClientRect().width)),
                    first: first ? first.className : "", cells: cells.length};
        })"""
    )


def test_lists_are_cards_on_a_phone_and_tables_on_a_desk(
    demo, live_server, phone, desk, login_page, screenshot
):
    from xieguan.audit.models import AccessLog, Kind

    AccessLog.objects.create(
        username="panzhou",
        role="county_admin",
        kind=Kind.COMPLAINANT,
        region_id="520281",
        record="线索 #1 的举报人",
        detail="查看举报人姓名和联系方式",
        ip="10.1.2.3",
    )
    login_page(phone, "panzhou", DEMO_PASSWORD)
    login_page(desk, "panzhou", DEMO_PASSWORD)
    for name, url_name, args, query in CARD_LISTS:
        url = live_server.url + reverse(url_name, args=args) + query
        phone.goto(url)
        rows = card_layout(phone)
        assert rows, name
        for row in rows:
            assert row["display"] == "flex" and row["width"] >= 300, (name, row)
            assert row["narrowest"] >= 280, (name, row)  # full-width lines, not a squeezed column
            assert "card-title" in row["first"], (name, row)  # what the card is about comes first
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, name
        assert not phone.locator("table.table-cards > thead").first.is_visible()
        screenshot(phone, name)
        desk.goto(url)
        assert desk.locator("table.table-cards > thead").first.is_visible(), name
        screenshot(desk, f"{name}-desk")
        assert all(row["display"] == "table-row" for row in card_layout(desk)), name


def test_the_ledgers_short_cells_keep_to_one_line_on_a_desk(demo, live_server, desk, login_page, screenshot):
    """At 1280 px the ledger's 状态 column had shrunk to one character per line (正/常/生/产);
    the status and the registration badge keep to one line, the long columns wrap instead."""
    login_page(desk, "panzhou", DEMO_PASSWORD)
    desk.goto(live_server.url + reverse("employers:ledger"))
    screenshot(desk, "ledger-desk")
    lines = desk.evaluate(
        """() => [...document.querySelectorAll("[data-testid=ledger-table] [data-testid=ledger-status]")]
            .map(td => {
                const range = document.createRange();
                range.selectNodeContents(td);
                const tops = [...range.getClientRects()].map(r => Math.round(r.top));
                return [td.textContent.trim(), new Set(tops).size];
            })"""
    )
    assert lines, "no rows"
    assert all(n == 1 for _, n in lines), lines
    assert desk.evaluate("document.documentElement.scrollWidth") <= 1280

"""Offline journeys on a 360 px phone: online once, then the network off (context.set_offline).

Each test checks the database at the end: what was recorded offline arrives exactly once.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from xieguan.field.tests.journey import controlled, fill_inspection, photo_file, prepare_offline
from xieguan.inspections.models import Inspection, InspectionPhoto
from xieguan.inspections.tests.factories import load_templates
from xieguan.leads.models import Complaint, Lead, LeadPhoto, LeadSource
from xieguan.lib.testing import EmployerFactory
from xieguan.outreach.models import PublicityEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_online_once_then_what_is_made_offline_arrives_once(
    live_server, personas, phone, login_page, screenshot, tmp_path
):
    load_templates()
    employer = EmployerFactory.create(name="贵州盘州离线测试煤矿", address="盘州市柏果镇测试路9号")
    photo = photo_file(tmp_path)
    base = live_server.url
    context = phone.context

    # Online once: log in, the worker installs, 离线准备 downloads the township's pages.
    login_page(phone, "xieguan")
    controlled(phone)
    expect(phone.get_by_test_id("sync-status")).to_contain_text("已同步")
    info = prepare_offline(phone, base)
    assert re.search(r"上次准备：今天 \d\d:\d\d，\d+ 个页面，共 [\d.]+ (KB|MB)", info), info
    screenshot(phone, "1-prepared")
    # The progress line sits under the button, not squeezed and wrapped beside it at 360 px.
    button, progress = (
        phone.get_by_test_id("prepare").bounding_box(),
        phone.locator("#prepare-progress").bounding_box(),
    )
    assert button and progress and progress["y"] >= button["y"] + button["height"]

    # Close everything; the network goes; the app is opened again at the work list.
    phone.close()
    context.set_offline(True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/")
    expect(page.get_by_test_id("sync-status")).to_contain_text("离线")
    assert page.get_by_text(employer.name).count() >= 1  # the due list, from the cache
    screenshot(page, "2-offline-home")

    # A page that was never saved says so (and proves the network is really off).
    page.goto(f"{base}/indicators/")
    expect(page.get_by_test_id("offline-page")).to_be_visible()
    screenshot(page, "3-offline-fallback")

    # The employer with its ledger header, then the 附表1 form, all from the cache.
    page.goto(f"{base}{employer.get_absolute_url()}")
    expect(page.get_by_role("heading", name=employer.name)).to_be_visible()
    page.get_by_test_id("employer-inspections").get_by_role("link", name="开始巡查").click()
    fill_inspection(page, photo)
    expect(page.get_by_test_id("photo-status")).to_contain_text("照片已保存在手机上")
    assert page.locator("[data-testid=problems] li").count() == 0
    page.click("[data-testid=submit]")
    page.wait_for_url("**/field/outbox/#queued")
    expect(page.get_by_test_id("queued-note")).to_be_visible()
    item = page.get_by_test_id("outbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(employer.name)
    expect(item.locator("img")).to_have_count(1)  # a thumbnail, from the phone
    expect(page.get_by_test_id("sync-status")).to_contain_text("离线 · 待上传 1 项")
    assert Inspection.objects.count() == 0

    # A complaint taken on the spot, and a lead found directly, with a photo: offline too.
    page.goto(f"{base}/leads/complaints/new/")
    page.select_option("[name=channel]", "visit")
    page.fill("[name=content]", "群众反映粉碎车间夜间粉尘很大")
    page.select_option("[name=employer]", str(employer.pk))
    page.click("[data-testid=entry-form] [type=submit]")
    page.wait_for_url("**/field/outbox/#queued")
    page.goto(f"{base}/leads/new/")
    page.select_option("[name=lead_type]", "illegal")
    page.fill("[name=description]", "仓库旁发现未申报的喷漆作业")
    page.select_option("[name=employer]", str(employer.pk))
    page.set_input_files("[data-testid=entry-form] input[type=file]", str(photo))
    expect(page.get_by_test_id("offline-photos").locator("img")).to_have_count(1)
    page.click("[data-testid=entry-form] [type=submit]")
    page.wait_for_url("**/field/outbox/#queued")
    # A publicity event with a photo, covering the employer.
    page.goto(f"{base}/outreach/new/")
    form = page.get_by_test_id("event-form")
    form.get_by_label("日期").fill(timezone.localdate().isoformat())
    form.get_by_label("形式").select_option("knowledge")
    form.get_by_label("主题").fill("粉尘危害与防护知识讲座")
    form.get_by_label("受众人数").fill("45")
    form.get_by_label(employer.name).check()
    form.get_by_label("现场照片").set_input_files(str(photo))
    expect(page.get_by_test_id("offline-photos").locator("img")).to_have_count(1)
    form.get_by_role("button", name="保存").click()
    page.wait_for_url("**/field/outbox/#queued")
    expect(page.get_by_test_id("outbox-item")).to_have_count(4)
    expect(page.get_by_test_id("sync-status")).to_contain_text("离线 · 待上传 4 项")
    screenshot(page, "4-queued")
    assert Complaint.objects.count() == 0 and Lead.objects.count() == 0
    assert PublicityEvent.objects.count() == 0

    # The network returns: the outbox empties by itself, and the server has it once.
    context.set_offline(False)
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("queued-note")).to_be_hidden()  # "联网后自动上传" is over
    expect(page.get_by_test_id("sync-status")).to_contain_text("已同步")
    expect(page.get_by_test_id("sent-list")).to_contain_text(employer.name)
    screenshot(page, "5-synced")
    inspection = Inspection.objects.get()
    assert inspection.is_submitted and inspection.complete and inspection.findings_count == 2
    assert inspection.employer_id == employer.pk and inspection.accompanying_person == "李四"
    assert bool(inspection.companion_signature) and bool(inspection.assistant_signature)
    assert InspectionPhoto.objects.filter(inspection=inspection).count() == 1
    assert Lead.objects.filter(inspection=inspection).count() == 2
    complaint = Complaint.objects.get()
    assert complaint.employer_id == employer.pk and complaint.channel == "visit"
    direct = Lead.objects.get(source=LeadSource.DIRECT)
    assert direct.description == "仓库旁发现未申报的喷漆作业" and direct.photos.count() == 1
    assert Lead.objects.count() == 2 + 1 + 1  # two findings, the complaint's lead, the direct one
    # A later sync (another page opening) sends nothing again.
    page.goto(f"{base}/")
    expect(page.get_by_test_id("sync-status")).to_contain_text("已同步")
    assert Inspection.objects.count() == 1 and InspectionPhoto.objects.count() == 1
    assert Complaint.objects.count() == 1 and Lead.objects.count() == 4 and LeadPhoto.objects.count() == 1
    event = PublicityEvent.objects.get()
    assert event.topic == "粉尘危害与防护知识讲座" and event.audience == 45
    assert list(event.employers.all()) == [employer] and event.photos.count() == 1

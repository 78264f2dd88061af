import pytest

from xieguan.accounts import demo as accounts_demo
from xieguan.accounts.models import Notification
from xieguan.leads import demo
from xieguan.leads.models import AssistRequest, Complaint, Lead, LeadStatus

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_covers_every_state(regions):
    ctx = accounts_demo.DemoContext()
    accounts_demo.seed(ctx)
    assert demo.seed(ctx)
    assert demo.seed(ctx) == []
    leads = Lead.objects.within("520281117")
    assert set(leads.values_list("status", flat=True)) == set(LeadStatus.values)
    assert leads.overdue_unreported().filter(importance="important").exists()
    assert Complaint.objects.count() == 1
    assist = AssistRequest.objects.get()
    assert assist.assistant.username == "xieguan" and assist.requested_by.username == "jiandu"
    assert Notification.objects.filter(recipient__username="xieguan", kind="assist_request").exists()
    assert Notification.objects.filter(recipient__username="xieguan", kind="lead_overdue").exists()


def test_demo_uses_the_township_employers_when_the_ledger_demo_ran(regions):
    from xieguan.employers import demo as employers_demo

    ctx = accounts_demo.DemoContext()
    accounts_demo.seed(ctx)
    employers_demo.seed(ctx)
    demo.seed(ctx)
    leads = Lead.objects.within("520281117")
    assert leads.count() == 8 and not leads.filter(employer__isnull=True).exists()
    assert all(
        lead.region_id == getattr(lead.employer, "region_id", None)
        for lead in leads.select_related("employer")
    )

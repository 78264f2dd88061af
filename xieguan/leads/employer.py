"""The leads section of the employer page (the employers app's section hook)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Role
from xieguan.employers.models import Employer
from xieguan.leads.models import Lead

SHOWN = 10


def sections(request: Any, employer: Employer) -> list[Any]:
    from xieguan.employers.sections import EmployerSection  # the hook lives in the employers app

    qs = Lead.objects.visible_to(request.user).filter(employer=employer)
    rows = list(
        qs.select_related("region", "discovered_by", "reported_to_agency").order_by("-discovered_at")[:SHOWN]
    )
    total = qs.count() if len(rows) >= SHOWN else len(rows)
    context = {
        "rows": rows,
        "total": total,
        "list_url": reverse("leads:list") + "?" + urlencode({"employer": employer.pk}),
        "assist_url": reverse("leads:new_assist") + "?" + urlencode({"employer": employer.pk})
        if request.user.role == Role.OFFICER
        else "",
    }
    return [EmployerSection(_("事件和线索"), "leads/_employer_leads.html", context, 20)]

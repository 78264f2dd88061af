"""The consultations section of the employer page (the employers app's section hook)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Role
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.outreach.models import Consultation

SHOWN = 5


def sections(request: Any, employer: Employer) -> list[Any]:
    from xieguan.employers.sections import EmployerSection  # the hook lives in the employers app

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    qs = Consultation.objects.visible_to(user).filter(employer=employer)
    rows = list(qs.select_related("recorded_by").order_by("-given_on", "-pk")[:SHOWN])
    total = qs.count() if len(rows) >= SHOWN else len(rows)
    can_record = user.role == Role.ASSISTANT and employer.status != OperatingStatus.CLOSED
    context = {
        "rows": rows,
        "total": total,
        "list_url": reverse("outreach:consultations") + "?" + urlencode({"employer": employer.pk}),
        "new_url": reverse("outreach:consultation_create") + "?" + urlencode({"employer": employer.pk})
        if can_record
        else "",
    }
    return [EmployerSection(_("咨询指导"), "outreach/_employer_consultations.html", context, 30)]

"""The inspection history section of the employer page (the employers app's section hook)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer
from xieguan.employers.sections import EmployerSection


def sections(request: Any, employer: Employer) -> list[EmployerSection]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []  # nothing is visible without a user
    from xieguan.inspections.views import history_context

    context = history_context(request, employer)
    return [EmployerSection(_("巡查记录"), "inspections/_employer_history.html", context, 10)]

"""The inspection history section of the employer page (the employers app's section hook)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xieguan.employers.models import Employer


def sections(request: Any, employer: Employer) -> list[Any]:
    from xieguan.employers.sections import EmployerSection  # the hook lives in the employers app
    from xieguan.inspections.views import history_context

    return [
        EmployerSection(
            _("巡查记录"), "inspections/_employer_history.html", history_context(request, employer), 10
        )
    ]

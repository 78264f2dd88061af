"""Sections other apps add to the employer detail page, without editing its template.

An app names a function in its AppConfig's ``employer_sections`` attribute (dotted path).
The function takes the request and the employer (already fetched through the scope) and
returns a list of ``EmployerSection``; the detail page includes each section's template
(with ``employer`` and ``section`` in its context) inside ``{% block employer_extra %}``,
in ``order``. Example, in xieguan/inspections/apps.py::

    employer_sections = "xieguan.inspections.employer.sections"

and in xieguan/inspections/employer.py::

    def sections(request, employer):
        rows = Inspection.objects.visible_to(request.user).filter(employer=employer)[:20]
        return [EmployerSection(_("巡查记录"), "inspections/_employer_inspections.html", {"rows": rows}, 10)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.http import HttpRequest

    from xieguan.employers.models import Employer


@dataclass
class EmployerSection:
    title: Any
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


def sections_for(request: HttpRequest, employer: Employer) -> list[EmployerSection]:
    sections: list[EmployerSection] = []
    for config in apps.get_app_configs():
        path = getattr(config, "employer_sections", None)
        if path:
            sections.extend(import_string(path)(request, employer))
    return sorted(sections, key=lambda s: s.order)

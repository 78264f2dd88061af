"""How the scope matrix (test_scope_matrix.py) fills each URL's path parameters.

Every URL pattern of the app and of the API is requested with the ids of county A's records and
of county B's (xieguan/lib/tests/scope_dataset.py). A parameter is filled:

1. by the route and parameter name in ``ROUTE_KINDS``, or by the route's beginning in
   ``PREFIX_KINDS`` (for the ambiguous ``pk``), else
2. by its name alone in ``KWARG_KINDS`` (``lead_id`` -> the dataset's lead): name a new URL's
   parameter after its object and it is covered with no change here, else
3. by a list of plain values in ``CONSTANTS`` (formats, slugs: no region of their own).

A kind is a key of ``Dataset.objects``; a regional kind has a record in each county, a global
kind (``GLOBAL_KINDS``) the same value for both. An unknown parameter fails the matrix with a
message that says which of these to add.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# 1. Ambiguous names (``pk``), by the route's beginning up to the parameter: every route under
#    "leads/<int:pk>/" fills its pk with a lead, so a new action page of a lead is covered as is.
#    The longest matching prefix wins.
PREFIX_KINDS: dict[str, str] = {
    "users/<int:pk>/": "user",
    "agencies/<int:pk>/": "agency",
    "tokens/<int:pk>/": "api_token",
    "tokens/county/<int:pk>/": "api_token",
    "employers/import/<int:pk>/": "employer_import",
    "employers/focus-industries/<int:pk>/": "focus_industry",
    "employers/<int:pk>/": "employer",
    "inspections/templates/<int:pk>/": "checklist_template",
    "inspections/photos/<int:pk>/": "inspection_photo",
    "inspections/<uuid:pk>/": "inspection",
    "leads/<int:pk>/": "lead",
    "leads/photos/<int:pk>/": "lead_photo",
    "leads/assists/<int:pk>/": "assist",
    "leads/assists/photos/<int:pk>/": "assist_photo",
    "personnel/<int:pk>/": "assistant",
    "personnel/assessments/<int:pk>/": "assessment",
    "personnel/training/<int:pk>/": "training",
    "tasks/<int:pk>/": "task",
    "tasks/a/<int:pk>/": "task_assignment",
    "tasks/files/<int:pk>/": "task_file",
    "tasks/answer-files/<int:pk>/": "answer_file",
    "funding/budget/<int:pk>/": "budget",
    "funding/disbursement/<int:pk>/": "disbursement",
    "funding/subsidy/<int:pk>/": "subsidy",
    "funding/<str:code>/": "county",
    "outreach/<int:pk>/": "publicity_event",
    "outreach/photos/<int:pk>/": "publicity_photo",
    "outreach/consultations/<int:pk>/": "consultation",
    "api/v1/personnel/assistants/<pk>": "assistant",
    "api/v1/tasks/assignments/<pk>": "task_assignment",
    "api/v1/inspections/photos/<photo_id>": "inspection_photo",
}

# The same, for a route whose parameter is not at the end of a prefix above (exact route).
ROUTE_KINDS: dict[tuple[str, str], str] = {
    ("employers/import/<int:pk>/report.xlsx", "pk"): "employer_import",
    ("inspections/<uuid:pk>/print.<str:fmt>", "pk"): "inspection",
    ("inspections/<uuid:pk>/signature/<str:who>.png", "pk"): "inspection",
    ("personnel/assessments/<int:pk>/print.pdf", "pk"): "assessment",
}

# 2. Unambiguous names: any route with this parameter gets this kind.
KWARG_KINDS: dict[str, str] = {
    "employer_pk": "employer",
    "employer_id": "employer",
    "inspection_id": "inspection",
    "lead_id": "lead",
    "complaint_id": "complaint",
    "assist_id": "assist",
    "assistant_id": "assistant",
    "assessment_id": "assessment",
    "training_id": "training",
    "task_id": "task",
    "assignment_id": "task_assignment",
    "budget_id": "budget",
    "event_id": "publicity_event",
    "consultation_id": "consultation",
    "user_id": "user",
    "agency_id": "agency",
    "import_id": "employer_import",
    "token": "roster_token",
    "code": "township",
    "year": "year",
}

# Kinds with the same value for both counties (no region of their own).
GLOBAL_KINDS = {"checklist_template", "year"}


def _blank_slugs() -> list[str]:
    from xieguan.documents.official import BLANK_FORMS

    return sorted(BLANK_FORMS)


def _indicator_keys() -> list[str]:
    from xieguan.indicators.registry import all_indicators

    return [indicator.key for indicator in all_indicators()]


# 3. Plain values: the route is requested once per value.
CONSTANTS: dict[str, Callable[[], list[str]]] = {
    "fmt": lambda: ["pdf", "docx", "xlsx"],
    "who": lambda: ["companion", "assistant"],
    "slug": _blank_slugs,
    "key": _indicator_keys,
}

# Django admin: guarded as a whole (province admins only, lib/access.py); its parameters.
ADMIN_CONSTANTS: dict[str, str] = {
    "app_label": "accounts",
    "object_id": "1",
    "content_type_id": "1",
    "url": "x/",
}

# A value of each regional kind that no record has (the answer to compare an out-of-scope one with).
MISSING: dict[str, Any] = {"uuid": "00000000-0000-4000-8000-000000000000", "int": 2_000_000_000}
MISSING_BY_KIND: dict[str, str] = {"township": "520299999", "county": "529999", "roster_token": "f" * 32}

HOW_TO_COVER = """\
Cover each in xieguan/lib/tests/scope_matrix.py, in one of three ways:
  - name the parameter after its object (e.g. lead_id, assist_id, employer_id): KWARG_KINDS
    maps those names, and a new name needs one line there;
  - or, for an ambiguous name such as pk, add the route's beginning to PREFIX_KINDS
    ("things/<int:pk>/": "<kind>" covers every route under it) or the route to ROUTE_KINDS;
  - or, for a value with no region (a format, a slug), add the parameter to CONSTANTS.
A kind is a key of Dataset.objects in xieguan/lib/tests/scope_dataset.py: when the record is of a
new model, create one in each county there (build()) and add it with data.add("<kind>", a, b).
"""

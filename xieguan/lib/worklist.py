"""The work list on every user's home page, assembled from the apps.

An app contributes sections by naming a function in its AppConfig's ``worklist``
attribute (dotted path). The function takes the user and returns a list of
``WorkSection``; each entry links to where the work is done. Sections with no entries
are still shown when ``show_empty`` is set, so "nothing to do" is said, not implied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.db.models import Count, Model, QuerySet, Window
from django.utils.module_loading import import_string

from xieguan.lib.prepared import Prepared

M = TypeVar("M", bound=Model)


@dataclass
class WorkEntry:
    title: str
    url: str
    detail: str = ""
    urgent: bool = False
    badge: str = ""


@dataclass
class WorkSection:
    title: Any
    entries: list[WorkEntry] = field(default_factory=list)
    total: int | None = None  # when entries are a first page of a longer list
    more_url: str = ""
    order: int = 50
    show_empty: bool = True
    empty_text: Any = ""


def worklist_for(user: Any) -> list[WorkSection]:
    sections: list[WorkSection] = []
    for config in apps.get_app_configs():
        path = getattr(config, "worklist", None)
        if path:
            sections.extend(import_string(path)(user))
    shown = [s for s in sections if s.entries or s.total or s.show_empty]
    return sorted(shown, key=lambda s: s.order)


def _first_page_query(qs: QuerySet[M], size: int) -> QuerySet[M]:
    return qs.annotate(_list_total=Window(Count("pk")))[:size]  # type: ignore[return-value]


def _total(rows: list[M]) -> int:
    return rows[0]._list_total if rows else 0  # type: ignore[attr-defined]


def first_page(qs: QuerySet[M], size: int) -> tuple[list[M], int]:
    """The first ``size`` rows of a list and the length of the whole list, in ONE query.

    The length is a window count over the whole result (computed before LIMIT), so a home
    page pays one statement per section instead of two. Not for ``distinct()`` querysets
    (the window would count the duplicates).
    """
    rows = list(_first_page_query(qs, size))
    return rows, _total(rows)


class FirstPage(Generic[M]):
    """``first_page`` of a list of fixed shape, its statement compiled once per process.

    ``build(**values)`` returns the list's queryset (through ``visible_to``); calling the
    ``FirstPage`` with the same values gives what ``first_page(build(**values), size)`` gives,
    binding the values to the statement compiled the first time (``lib.prepared``, whose rules the
    build function follows).
    """

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M]], size: int) -> None:
        self.size = size
        self.prepared = Prepared(model, lambda **values: _first_page_query(build(**values), size))

    def __call__(self, **values: Any) -> tuple[list[M], int]:
        rows = self.prepared.list(**values)
        return rows, _total(rows)

"""Searchable, grouped pickers over many regions (or people of many regions): issue 16.

A form field that lists counties, townships or assistants is marked with ``grouped(field, by)``;
its template (``regions/_grouped_picker.html``) then shows the choices in groups — counties under their
prefecture, townships under their county, assistants under their township — each with a
"select all of this group" button, and ``static/xieguan/picker.js`` adds a type-ahead filter.
The grouping only changes how the choices are shown: the field validates as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# by -> (the length of the group's region code, the select-all button's label)
GROUPS: dict[str, tuple[int, Any]] = {
    "prefecture": (4, _("全选本市州")),
    "county": (6, _("全选本县(区)")),
    "township": (9, _("全选本乡镇")),
}


@dataclass
class Group:
    code: str
    name: str
    select_label: Any
    choices: list[Any] = field(default_factory=list)


def grouped(form_field: forms.Field, by: str, code_of: Callable[[Any], str]) -> None:
    """Show ``form_field``'s choices grouped ``by`` a region level; ``code_of(obj)`` is the
    region code of one choice's object (e.g. ``lambda r: r.code``)."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    form_field.picker_by = by  # type: ignore[attr-defined]
    form_field.picker_code_of = code_of  # type: ignore[attr-defined]


def picker_groups(bound_field: forms.BoundField) -> list[Group]:
    """The bound field's choice widgets in groups, in the choices' order (one query for the
    groups' names, whatever the number of choices)."""
    from xieguan.regions.models import Region

    by = getattr(bound_field.field, "picker_by", None)
    code_of = getattr(bound_field.field, "picker_code_of", None)
    if by is None or code_of is None:
        return [Group("", "", "", list(bound_field.subwidgets))]
    length, label = GROUPS[by]
    keyed = []
    for widget in bound_field.subwidgets:
        value = widget.data["value"]
        instance = getattr(value, "instance", None)
        keyed.append(((code_of(instance) or "")[:length] if instance is not None else "", widget))
    names = dict(Region.objects.filter(code__in={k for k, _w in keyed if k}).values_list("code", "name"))
    groups: list[Group] = []
    for key, widget in keyed:
        if not groups or groups[-1].code != key:
            groups.append(Group(key, names.get(key, str(_("其他"))), label))
        groups[-1].choices.append(widget)
    return groups

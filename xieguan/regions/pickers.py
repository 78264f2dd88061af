"""Searchable, grouped pickers over many regions (or people of many regions): issue 16.

A form field that lists counties, townships or assistants is marked with
``grouped(field, by, code_of, scope=…)``; its template (``regions/_grouped_picker.html``) then
shows the choices in groups — counties under their prefecture, townships under their county,
assistants under their township, or two levels at once (``by=("prefecture", "county")``: the
province's assistants under their county under their prefecture) — each group with a "select
all of this group" button, and ``static/xieguan/picker.js`` adds a type-ahead filter, the
selected count and the select-all logic (which acts on the boxes the filter shows only).
A group never covers more than the user's own scope: a county admin's counties are grouped by
county (全选本县(区)), not under a prefecture they see one county of. The grouping only changes
how the choices are shown: the field validates as before.

Filters over regions or people on list pages (a single ``<select>``) use ``region_filter_choices``
and ``people_filter_choices``: grouped ``<optgroup>`` choices for ``regions/_filter_select.html``,
which picker.js makes searchable too; without JavaScript the plain select still works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

# by -> the length of the group's region code
GROUPS: dict[str, int] = {"prefecture": 4, "county": 6, "township": 9}
# a group's code length -> its select-all button's label
SELECT_LABELS: dict[int, Any] = {
    2: _("全选本省"),
    4: _("全选本市州"),
    6: _("全选本县(区)"),
    9: _("全选本乡镇"),
}


@dataclass
class Choice:
    value: str
    label: str
    checked: bool


@dataclass
class Group:
    code: str
    name: str
    select_label: Any
    choices: list[Choice] = field(default_factory=list)
    subgroups: list[Group] = field(default_factory=list)


def grouped(
    form_field: forms.Field,
    by: str | tuple[str, ...],
    code_of: Callable[[Any], str],
    *,
    scope: str = "",
    people: bool = False,
) -> None:
    """Show ``form_field``'s choices grouped ``by`` one region level (or two, outer first);
    ``code_of(obj)`` is the region code of one choice's object (e.g. ``lambda r: r.code``).
    ``scope`` is the user's region code: no group is wider than it. ``people`` counts the
    selection in persons (已选 N 人) rather than items."""
    levels = (by,) if isinstance(by, str) else tuple(by)
    if not levels or any(level not in GROUPS for level in levels):
        raise ValueError(f"unknown grouping {by!r}")
    lengths: list[int] = []
    for level in levels:
        length = max(GROUPS[level], len(scope))
        if not lengths or length > lengths[-1]:
            lengths.append(length)
    form_field.picker_lengths = lengths  # type: ignore[attr-defined]
    form_field.picker_code_of = code_of  # type: ignore[attr-defined]
    form_field.picker_people = people  # type: ignore[attr-defined]


def picker_groups(bound_field: forms.BoundField) -> list[Group]:
    """The bound field's choices in groups (and subgroups), in the choices' order (one query for
    the groups' names, whatever the number of choices)."""
    from xieguan.regions.models import Region

    lengths: list[int] | None = getattr(bound_field.field, "picker_lengths", None)
    code_of = getattr(bound_field.field, "picker_code_of", None)
    chosen = {str(v) for v in (bound_field.value() or ())}
    field_ = bound_field.field
    assert isinstance(field_, forms.ChoiceField)
    keyed: list[tuple[str, Choice]] = []
    for value, label in cast(Iterable[tuple[Any, Any]], field_.choices):
        instance = getattr(value, "instance", None)
        key = str(getattr(value, "value", value))
        code = (code_of(instance) or "") if (code_of is not None and instance is not None) else ""
        keyed.append((code, Choice(key, str(label), key in chosen)))
    if not lengths:
        return [Group("", "", "", [c for _k, c in keyed])]
    prefixes = {code[:n] for code, _c in keyed for n in lengths if code}
    names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name"))
    other = _g("其他")

    def group_of(code: str, length: int) -> Group:
        key = code[:length] if code else ""
        return Group(key, names.get(key, other), SELECT_LABELS.get(length, ""))

    groups: list[Group] = []
    for code, choice in keyed:
        outer_key = code[: lengths[0]] if code else ""
        if not groups or groups[-1].code != outer_key:
            groups.append(group_of(code, lengths[0]))
        target = groups[-1]
        if len(lengths) > 1:
            inner_key = code[: lengths[1]] if code else ""
            if not target.subgroups or target.subgroups[-1].code != inner_key:
                target.subgroups.append(group_of(code, lengths[1]))
            target = target.subgroups[-1]
        target.choices.append(choice)
    return groups


def is_people(bound_field: forms.BoundField) -> bool:
    return bool(getattr(bound_field.field, "picker_people", False))


# --- filter selects on list pages ------------------------------------------------------------

# (group label, [(value, label), …]); a group labelled "" is options outside any <optgroup>
FilterChoices = list[tuple[str, list[tuple[Any, str]]]]


def as_django_choices(choices: FilterChoices) -> list[tuple[Any, Any]]:
    """The same choices as a form field's (nested for the groups), so the field validates them."""
    flat: list[tuple[Any, Any]] = []
    for label, options in choices:
        if label:
            flat.append((label, options))
        else:
            flat.extend(options)
    return flat


def region_filter_choices(
    user: Any, selected: str = "", *, everything: str = "", deepest: int | None = None
) -> FilterChoices:
    """Choices of a list page's region filter, grouped for ``<optgroup>``s: the user's whole
    scope first (value ``everything``), then one group per prefecture (the province: the
    prefecture itself, then its counties), per county (a prefecture: the county, then its
    townships) or the county's townships in one group (a county). ``deepest`` caps the level
    offered (the funding page lists counties only). A ``selected`` region at the deepest level
    offered, or below it, adds its own (or its parent's) children: a county admin who chose a
    township can then choose one of its villages, and a village from a drill-down link stays
    selected. Only the user's subtree is offered (one query, three with such a choice)."""
    from xieguan.regions.models import Level, Region

    scope = user.region
    if scope is None:
        return []
    # the scope's next two levels, or one for a county (its townships, not all its villages) or
    # a township (its villages)
    last = min(scope.level + (1 if scope.level >= Level.COUNTY else 2), Level.VILLAGE)
    if deepest is not None:
        last = min(last, deepest)
    regions = list(
        Region.objects.visible_to(user)
        .filter(level__gt=scope.level, level__lte=last)
        .only("code", "name", "level", "parent_id")
        .order_by("code")
    )
    choices: FilterChoices = [("", [(everything, _g("全部（%(name)s）") % {"name": scope.name})])]
    if last == scope.level + 1:  # one level: a single group
        if regions:
            choices.append((scope.name, [(r.code, r.name) for r in regions]))
    else:
        below: dict[str, list[Any]] = {}
        for r in regions:
            if r.level == last:
                below.setdefault(r.parent_id or "", []).append(r)
        for parent in (r for r in regions if r.level == scope.level + 1):
            everything_in = _g("%(name)s（全部）") % {"name": parent.name}
            options = [(parent.code, everything_in), *((r.code, r.name) for r in below.get(parent.code, []))]
            choices.append((parent.name, options))
    # a level further down from the region chosen: a chosen county (or township) also offers its
    # townships (or villages), one more submit as the filter did; a deeper region from a
    # drill-down link comes with its siblings, so it stays selected
    if selected and deepest is None and selected.startswith(scope.code) and len(selected) > len(scope.code):
        chosen = Region.objects.visible_to(user).filter(code=selected).select_related("parent").first()
        if chosen is not None and chosen.level >= last:
            above: Region | None = chosen if chosen.level == last < Level.VILLAGE else chosen.parent
            if above is not None and above.level >= last:
                children = Region.objects.visible_to(user).filter(parent_id=above.code).order_by("code")
                label = _g("%(name)s下辖") % {"name": above.path_name(below=scope.code)}
                choices.append((label, [(r.code, r.name) for r in children.only("code", "name")]))
    return choices


def people_filter_choices(
    people: Iterable[Any], scope: str, label_of: Callable[[Any], str], code_of: Callable[[Any], str]
) -> FilterChoices:
    """Choices of a people filter, grouped for ``<optgroup>``s: by county under a province or
    prefecture scope (each person as 姓名（乡镇）; under the province the group is named 市州·县区,
    so a search for either finds them), by township under a county. ``people`` is ordered by
    region code; one query for the regions' names."""
    from xieguan.regions.models import Region

    rows = [(code_of(p) or "", p) for p in people]
    length = 6 if len(scope) < 6 else 9
    prefixes = {code[:n] for code, _p in rows for n in (4, 6, 9) if code}
    names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name"))
    groups: dict[str, list[tuple[Any, str]]] = {}
    for code, person in rows:
        label = label_of(person)
        if length == 6 and code[:9] in names:
            label = f"{label}（{names[code[:9]]}）"
        groups.setdefault(code[:length], []).append((person.pk, label))
    choices: FilterChoices = []
    for key, options in groups.items():
        title = names.get(key) or _g("其他")
        if length == 6 and len(scope) < 4:
            title = f"{names.get(key[:4], '')}·{title}"
        choices.append((title, options))
    return choices

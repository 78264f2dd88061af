"""Template filters of the grouped pickers (xieguan/regions/pickers.py)."""

from __future__ import annotations

from typing import Any

from django import template

from xieguan.regions import pickers

register = template.Library()


@register.filter
def picker_groups(bound_field: Any) -> list[pickers.Group]:
    return pickers.picker_groups(bound_field)


@register.filter
def is_grouped(bound_field: Any) -> bool:
    return getattr(bound_field.field, "picker_lengths", None) is not None


@register.filter
def picker_people(bound_field: Any) -> bool:
    return pickers.is_people(bound_field)

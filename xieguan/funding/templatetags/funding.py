from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value: Decimal | int | None) -> str:
    """12345.5 -> '12,345.50'; None -> '—' (exact: Decimal formatting, no float)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from xieguan.personnel import privacy

register = template.Library()


@register.filter
def id_number_for(assistant: Any, user: Any) -> str:
    """{{ assistant|id_number_for:user }}: full or masked, as personnel.privacy decides."""
    return privacy.id_number_for(user, assistant)


@register.filter
def percent(value: Decimal | float | None) -> str:
    """0.9123 -> 91.2%; None -> —."""
    if value is None:
        return "—"
    return f"{Decimal(str(value)) * 100:.1f}%"

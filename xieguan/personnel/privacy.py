"""Who sees an assistant's full ID number: the one decision, used by pages, exports and the API.

The issue's rule is "masked everywhere except to the county admin who manages them". So the full
number is shown only to a county admin whose county contains the assistant's township. Everyone
else sees the masked form (5201**********1236): the province admin, the prefecture viewer,
officers, other counties (who cannot reach the record anyway) and the assistant themselves.
The province reads everything else about assistants; it does not manage them, so it does not
need the number (documented in docs/personnel.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from xieguan.accounts.models import Role
from xieguan.lib.validators import mask_id_number

if TYPE_CHECKING:
    from xieguan.personnel.models import Assistant


def manages(user: Any, assistant: Assistant) -> bool:
    """Whether ``user`` is the county admin who manages ``assistant``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if getattr(user, "role", None) != Role.COUNTY_ADMIN:
        return False
    county = user.region_id or ""
    return bool(county) and assistant.township_id.startswith(county)


def audit_full_numbers(request: Any, assistants: Iterable[Assistant], *, what: str) -> None:
    """Log (xieguan.audit) that ``request.user`` was shown the full ID numbers of those of
    ``assistants`` they manage; nothing when every number shown was masked."""
    from xieguan.audit.log import record
    from xieguan.audit.models import Kind

    shown = [a for a in assistants if manages(request.user, a)]
    if shown:
        ids = "、".join(f"#{a.pk}" for a in shown)
        record(request, Kind.ID_NUMBER, region_id=request.user.region_id, record=what, detail=f"协管员 {ids}")


def id_number_for(user: Any, assistant: Assistant) -> str:
    """The ID number as ``user`` may see it: full for the managing county admin, masked otherwise."""
    return assistant.id_number if manages(user, assistant) else mask_id_number(assistant.id_number)

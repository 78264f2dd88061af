"""Who may see a complainant's identity (群众投诉举报人): the one rule, used everywhere.

SPEC §5 and issue 5: the complainant's name and contact are confidential. Only

- the person who recorded the complaint (normally the assistant who took it),
- the county admin of the complaint's county, and
- the supervision officer handling the lead (the one it was reported to, or who signed for it)

see them, and only on the complaint's own page (the lead detail). Every other user, every list,
every export and the API see them masked. Pages, exports and the API all call
``complainant_for``; nothing else reads ``complainant_name`` / ``complainant_contact`` for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from xieguan.accounts.models import Role
from xieguan.lib.scoping import region_in_scope

if TYPE_CHECKING:
    from xieguan.leads.models import Complaint


class Where(StrEnum):
    """Where the complainant would be shown."""

    DETAIL = "detail"  # the lead / complaint page of one record
    LIST = "list"  # any list of leads or complaints, the home work list, notifications
    EXPORT = "export"  # .xlsx and other files
    API = "api"  # the JSON API


def can_see_complainant(user: Any, complaint: Complaint, *, where: Where = Where.DETAIL) -> bool:
    """Whether ``user`` may see the complainant's name and contact of ``complaint`` at ``where``."""
    if where is not Where.DETAIL:
        return False
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not region_in_scope(user, complaint.region_id):
        return False
    if user.pk == complaint.recorded_by_id:
        return True
    if user.role == Role.COUNTY_ADMIN:
        return bool(user.region_id) and complaint.region_id[:6] == user.region_id
    if user.role == Role.OFFICER and complaint.lead_id is not None:
        return user.pk in complaint.lead.handling_officer_ids  # type: ignore[union-attr]
    return False


@dataclass(frozen=True)
class Complainant:
    name: str
    contact: str
    anonymous: bool
    masked: bool


def complainant_for(user: Any, complaint: Complaint, *, where: Where = Where.DETAIL) -> Complainant:
    """The complainant as ``user`` may see it at ``where``: real, masked, or anonymous."""
    if complaint.anonymous:
        return Complainant(name=_("匿名"), contact="", anonymous=True, masked=False)
    if complaint.identity_erased_at is not None and can_see_complainant(user, complaint, where=where):
        erased = _("（保存期限届满，已清除）")
        return Complainant(name=erased, contact=erased, anonymous=False, masked=False)
    if can_see_complainant(user, complaint, where=where):
        return Complainant(
            name=complaint.complainant_name or _("（未留姓名）"),
            contact=complaint.complainant_contact or _("（未留联系方式）"),
            anonymous=False,
            masked=False,
        )
    # The same mask whether or not a name was left, so the mask itself reveals nothing.
    hidden = _("（已保密）")
    return Complainant(name=hidden, contact=hidden, anonymous=False, masked=True)

"""API: assistants (list and detail), ID numbers as personnel.privacy decides.

Registered in xieguan/api/api.py under /api/v1/personnel/. Readable by the roles that read the
personnel pages (county admin, prefecture viewer, province admin); others get 403.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from ninja import Router, Schema
from ninja.errors import HttpError

from xieguan.accounts.models import MANAGER_ROLES
from xieguan.lib.access import AuthedRequest
from xieguan.lib.scoping import get_visible_or_404
from xieguan.personnel.models import Assistant, AssistantQuerySet, AssistantStatus
from xieguan.personnel.privacy import audit_full_numbers, id_number_for

router = Router(tags=["协管员"])


class AssistantOut(Schema):
    id: int
    name: str
    gender: str
    id_number: str
    phone: str
    education: str
    specialty: str
    origin: str
    township: str
    township_name: str
    villages: list[str]
    status: str
    status_label: str
    term_end: dt.date | None
    username: str | None


def _check_role(request: AuthedRequest) -> None:
    if request.user.role not in MANAGER_ROLES:
        raise HttpError(403, "您的角色无权查看协管员档案")


def _out(request: AuthedRequest, a: Assistant) -> AssistantOut:
    status = getattr(a, "derived_status", a.status)
    return AssistantOut(
        id=a.pk,
        name=a.name,
        gender=a.gender,
        id_number=id_number_for(request.user, a),
        phone=a.phone,
        education=a.education,
        specialty=a.specialty,
        origin=a.origin,
        township=a.township_id,
        township_name=a.township.name,
        villages=[v.code for v in a.villages.all()],
        status=status,
        status_label=str(AssistantStatus(status).label),
        term_end=getattr(a, "term_end", None),
        username=a.user.username if a.user else None,
    )


def _queryset(request: AuthedRequest) -> AssistantQuerySet:
    return (
        Assistant.objects.visible_to(request.user)
        .with_term()
        .select_related("township", "user")
        .prefetch_related("villages")
        .order_by("township_id", "name")
    )


@router.get("/assistants", response=list[AssistantOut], summary="协管员列表")
def assistants(
    request: AuthedRequest, township: str | None = None, status: str | None = None
) -> list[AssistantOut]:
    _check_role(request)
    qs = _queryset(request)
    if township:
        qs = qs.filter(township_id=township)
    if status:
        qs = qs.filter(Q(derived_status=status))
    shown = list(qs[:1000])
    audit_full_numbers(request, shown, what="API 协管员列表")
    return [_out(request, a) for a in shown]


@router.get("/assistants/{pk}", response=AssistantOut, summary="协管员")
def assistant(request: AuthedRequest, pk: int) -> AssistantOut:
    _check_role(request)
    found = get_visible_or_404(_queryset(request), request.user, pk=pk)
    audit_full_numbers(request, [found], what=f"API 协管员 #{found.pk}")
    return _out(request, found)

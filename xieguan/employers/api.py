"""The ledger API (/api/v1/employers…): list with the page's filters, detail, create, update.

Scoped like the pages (out of scope is 404). Input is validated by the same EmployerForm as
the web page (bad input is 400 with the Chinese messages per field), changes go through the
same actions: a duplicate is 409 (with the existing record's id when the caller may see it),
an edit on a stale ``version`` is 409 with the current record, a read-only role is 403.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from xieguan.api.pagination import BoundedPageNumberPagination as PageNumberPagination
from xieguan.employers.actions import (
    DuplicateEmployer,
    LedgerError,
    StaleEmployer,
    create_employer,
    missing_labels,
    update_employer,
)
from xieguan.employers.forms import EmployerForm, LedgerFilterForm
from xieguan.employers.ledger import ledger_for
from xieguan.employers.models import Employer
from xieguan.employers.views import EDIT_ROLES
from xieguan.lib.access import AuthedRequest
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.sync import is_repeat, owned_by, repeat_of

router = Router(tags=["用人单位台账"])


class EmployerOut(Schema):
    id: int
    name: str
    credit_code: str | None
    region: str
    region_name: str
    township: str
    address: str
    legal_representative: str
    phone: str
    industry: str
    industry_label: str
    industry_code: str | None
    hazard_categories: list[str]
    hazard_factors: list[int]
    radiation_work: bool
    construction_project: bool
    workers: int | None
    exposed_workers: int | None
    status: str
    closed_reason: str
    serious_hazard: bool
    declaration_date: dt.date | None
    declaration_receipt: str
    registered: bool
    missing_fields: list[str]
    missing_labels: list[str]
    is_key: bool
    last_inspected_on: dt.date | None
    version: int
    updated_at: dt.datetime
    client_uuid: uuid.UUID | None

    @staticmethod
    def resolve_region(obj: Employer) -> str:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj: Employer) -> str:
        return obj.region.name

    @staticmethod
    def resolve_township(obj: Employer) -> str:
        return obj.township_id

    @staticmethod
    def resolve_industry_label(obj: Employer) -> str:
        return str(obj.get_industry_display())

    @staticmethod
    def resolve_industry_code(obj: Employer) -> str | None:
        return obj.industry_code_id

    @staticmethod
    def resolve_hazard_categories(obj: Employer) -> list[str]:
        return [c.pk for c in obj.hazard_categories.all()]

    @staticmethod
    def resolve_hazard_factors(obj: Employer) -> list[int]:
        return [f.pk for f in obj.hazard_factors.all()]

    @staticmethod
    def resolve_missing_labels(obj: Employer) -> list[str]:
        return missing_labels(obj.missing_fields)


class EmployerIn(Schema):
    name: str
    credit_code: str | None = None
    region: str
    address: str = ""
    legal_representative: str = ""
    phone: str = ""
    industry: str = ""
    industry_code: str | None = None
    hazard_categories: list[str] = []
    hazard_factors: list[int] = []
    radiation_work: bool = False
    construction_project: bool = False
    workers: int | None = None
    exposed_workers: int | None = None
    status: str = "operating"
    closed_reason: str = ""
    serious_hazard: bool = False
    declaration_date: dt.date | None = None
    declaration_receipt: str = ""


class EmployerCreate(EmployerIn):
    client_uuid: uuid.UUID | None = None  # registered on the phone: a repeat is stored once


class EmployerUpdate(EmployerIn):
    version: int


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
    problems: list[str] = []
    existing_id: int | None = None
    current: EmployerOut | None = None
    submitted: dict[str, Any] | None = None  # a stale edit: what was sent, beside ``current``


def _employers() -> QuerySet[Employer]:
    return Employer.objects.select_related("region").prefetch_related("hazard_categories", "hazard_factors")


def _form(request: AuthedRequest, payload: EmployerIn, instance: Employer | None = None) -> EmployerForm:
    if request.user.role not in EDIT_ROLES:
        raise HttpError(403, "您的角色不能修改用人单位台账。")
    data: dict[str, Any] = {
        key: ("" if value is None else value)
        for key, value in payload.dict().items()
        if key not in ("version", "client_uuid")
    }
    data["version"] = getattr(payload, "version", "")
    form = EmployerForm(data, user=request.user, instance=instance)
    if not form.is_valid():
        raise _invalid(form)
    return form


class _Refusal(HttpError):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status, body["detail"])
        self.body = body


def _invalid(form: EmployerForm) -> _Refusal:
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    first = next(iter(errors.values()))[0]
    problems = [
        f"{form.fields[field].label}：{m}" if field in form.fields else m
        for field, messages in errors.items()
        for m in messages
    ]
    return _Refusal(400, {"detail": f"输入有误：{first}", "errors": errors, "problems": problems})


def _refused(exc: LedgerError, submitted: Schema | None = None) -> Status:
    if isinstance(exc, DuplicateEmployer):
        existing = exc.existing.pk if exc.visible else None
        return Status(409, {"detail": exc.message, "problems": [exc.message], "existing_id": existing})
    if isinstance(exc, StaleEmployer):
        current = _employers().get(pk=exc.current.pk)
        sent = submitted.dict() if submitted is not None else None
        return Status(
            409, {"detail": exc.message, "problems": [exc.message], "current": current, "submitted": sent}
        )
    return Status(400, {"detail": exc.message, "problems": [exc.message]})


@router.get(
    "",
    response=list[EmployerOut],
    summary="台账列表（筛选参数与页面相同：q、region、industry、hazard、status、registered、serious、overdue、sort）",
)
@paginate(PageNumberPagination, page_size=50)
def list_employers(request: AuthedRequest) -> QuerySet[Employer]:
    form = LedgerFilterForm(request.GET)
    if not form.is_valid():
        raise HttpError(400, "；".join(str(e) for errors in form.errors.values() for e in errors))
    query = ledger_for(request.user, form.cleaned_data)
    return query.employers.select_related("region").prefetch_related("hazard_categories", "hazard_factors")


@router.get("/{employer_id}", response=EmployerOut, summary="用人单位详情")
def employer_detail(request: AuthedRequest, employer_id: int) -> Employer:
    return get_visible_or_404(_employers(), request.user, pk=employer_id)


@router.post(
    "",
    response={200: EmployerOut, 201: EmployerOut, 400: Error, 403: Error, 409: Error},
    summary="登记用人单位（带 client_uuid 时按编号幂等：第一次 201，重复 200 返回已登记的单位）",
)
def create(request: AuthedRequest, payload: EmployerCreate) -> Status:
    if request.user.role not in EDIT_ROLES:
        raise HttpError(403, "您的角色不能修改用人单位台账。")
    found = repeat_of(
        Employer.objects.all(),
        payload.client_uuid,
        user=request.user,
        mine=owned_by(request.user, "created_by"),
    )
    if found is not None:  # answered before the form: the first body wins (docs/sync.md)
        return Status(200, _employers().get(pk=found.pk))
    try:
        form = _form(request, payload)
        employer = create_employer(form.ledger_data(), by=request.user, client_uuid=payload.client_uuid)
    except _Refusal as exc:
        return Status(exc.status_code, exc.body)
    except LedgerError as exc:
        return _refused(exc)
    return Status(200 if is_repeat(employer) else 201, _employers().get(pk=employer.pk))


@router.put(
    "/{employer_id}",
    response={200: EmployerOut, 400: Error, 403: Error, 409: Error},
    summary="修改用人单位（须带上读取时的 version；他人已修改时 409，含 current 和 submitted）",
    description="提交的内容与当前台账相同（如离线重发已生效的修改）时不算冲突，返回 200。见 docs/sync.md。",
)
def update(request: AuthedRequest, employer_id: int, payload: EmployerUpdate) -> Status:
    employer = get_visible_or_404(Employer, request.user, pk=employer_id)
    try:
        form = _form(request, payload, instance=employer)
        update_employer(employer, form.ledger_data(), by=request.user, expected_version=payload.version)
    except _Refusal as exc:
        return Status(exc.status_code, exc.body)
    except LedgerError as exc:
        return _refused(exc, submitted=payload)
    return Status(200, _employers().get(pk=employer.pk))

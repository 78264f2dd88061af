"""Domain actions on the ledger (用人单位基本信息登记台账).

Views, the API, the Excel import and the demo data all change employers through these
functions only, so the derived fields (``township``, ``registered``, ``missing_fields``,
``is_key``), the duplicate rules, the optimistic-concurrency check on ``version`` and the
audit trail are the same whichever door the data came through.

``data`` is a mapping of Employer field names to clean values (the form, the API and the
importer validate first): scalars, ``region`` as a Region, ``industry_code`` as an
IndustryCode or None, ``hazard_categories`` / ``hazard_factors`` as iterables of objects.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.employers.models import (
    EMPLOYER_HISTORY,
    KEY_INDUSTRIES,
    Employer,
    FocusIndustry,
    Industry,
    IndustryCode,
    IndustryMapping,
    OperatingStatus,
)
from xieguan.lib.scoping import region_in_scope
from xieguan.lib.sync import create_once, owned_by, repeat_of
from xieguan.lib.text import name_key
from xieguan.lib.validators import clean_credit_code, clean_phone
from xieguan.regions.models import Level, Region

if TYPE_CHECKING:
    from xieguan.accounts.models import User

# The basic fields of a registration, in the order of the form: an employer is "registered"
# (已登记, the regulation's 基本信息登记率) when each is filled and valid. Name and region are
# always present (the form requires them).
REGISTRATION_FIELDS: dict[str, Any] = {
    "address": gettext_lazy("地址"),
    "legal_representative": gettext_lazy("法定代表人"),
    "phone": gettext_lazy("联系电话"),
    "hazard_categories": gettext_lazy("职业病危害因素类别"),
    "workers": gettext_lazy("劳动者人数"),
    "exposed_workers": gettext_lazy("接触职业病危害因素人数"),
}

SCALAR_FIELDS = (
    "name",
    "credit_code",
    "region",
    "address",
    "legal_representative",
    "phone",
    "industry",
    "industry_code",
    "radiation_work",
    "construction_project",
    "workers",
    "exposed_workers",
    "status",
    "closed_reason",
    "serious_hazard",
    "declaration_date",
    "declaration_receipt",
)
M2M_FIELDS = ("hazard_categories", "hazard_factors")
LEDGER_FIELDS = SCALAR_FIELDS + M2M_FIELDS
EMPLOYER_LEVELS = (Level.TOWNSHIP, Level.VILLAGE)


COUNTY_CODE_LENGTH = 6
FOCUS_EDITORS = frozenset({"county_admin", "province_admin"})


class LedgerError(Exception):
    """A refusal with a plain Chinese message; nothing has been written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RegionNotAllowed(LedgerError):
    pass


class DuplicateEmployer(LedgerError):
    """Same credit code anywhere, or same normalised name in the same township.

    ``visible`` says whether the user may open the existing record: a record in another
    county is named by its region only, never linked (its existence there is all we say).
    """

    def __init__(self, message: str, existing: Employer, field: str, visible: bool) -> None:
        super().__init__(message)
        self.existing = existing
        self.field = field
        self.visible = visible


class StaleEmployer(LedgerError):
    """Someone else saved the employer since this edit began (optimistic concurrency)."""

    def __init__(self, message: str, current: Employer) -> None:
        super().__init__(message)
        self.current = current


# --- derived fields -------------------------------------------------------------------


def compute_missing_fields(employer: Employer, categories: Iterable[Any]) -> list[str]:
    """The keys of REGISTRATION_FIELDS that are empty or invalid, in form order."""
    missing = []
    for key in REGISTRATION_FIELDS:
        if key == "hazard_categories":
            empty = not list(categories)
        elif key == "phone":
            empty = not employer.phone or not _valid_phone(employer.phone)
        else:
            value = getattr(employer, key)
            empty = value is None or (isinstance(value, str) and not value.strip())
        if empty:
            missing.append(key)
    if employer.credit_code and not _valid_credit_code(employer.credit_code):
        missing.append("credit_code")
    return missing


def missing_labels(keys: Iterable[str]) -> list[str]:
    labels = {**REGISTRATION_FIELDS, "credit_code": gettext_lazy("统一社会信用代码（无效）")}
    return [str(labels.get(key, key)) for key in keys]


def compute_is_key(employer: Employer, focus: set[tuple[str, str]] | None = None) -> bool:
    """Key industry, serious hazard, or one of the county's own focus industries (SPEC §8.3).

    ``focus`` is the set of (county code, industry code) pairs when the caller loaded them.
    """
    if employer.industry in KEY_INDUSTRIES or employer.serious_hazard:
        return True
    if not employer.industry_code_id:
        return False
    county = employer.region_id[:6]
    if focus is not None:
        return (county, employer.industry_code_id) in focus
    return FocusIndustry.objects.filter(region_id=county, industry_code_id=employer.industry_code_id).exists()


def refresh_derived(
    employer: Employer, categories: Iterable[Any], focus: set[tuple[str, str]] | None = None
) -> None:
    """Set the stored derived fields from the others (no save)."""
    employer.name_key = name_key(employer.name)
    employer.township_id = employer.region_id[:9]
    employer.missing_fields = compute_missing_fields(employer, categories)
    employer.registered = not employer.missing_fields
    employer.is_key = compute_is_key(employer, focus)


@transaction.atomic
def refresh_key_flags(county_code: str) -> int:
    """Recompute ``is_key`` for ONE county's employers (after its FocusIndustry rows change).

    Only that county's rows are touched, judged by that county's focus industries, so another
    county's focus employers are never lowered: a code that is not a county's is refused (a
    province or prefecture code would otherwise recompute every county below it against the
    wrong list)."""
    if len(county_code) != COUNTY_CODE_LENGTH or not county_code.isdigit():
        raise LedgerError(_("只能按县(区)刷新重点单位标记。"))
    focus = FocusIndustry.objects.filter(region_id=county_code).values_list("industry_code_id", flat=True)
    key = Q(industry__in=KEY_INDUSTRIES) | Q(serious_hazard=True) | Q(industry_code_id__in=list(focus))
    county = Employer.objects.within(county_code)
    raised = county.filter(key, is_key=False).update(is_key=True)
    lowered = county.exclude(key).filter(is_key=True).update(is_key=False)
    return raised + lowered


@transaction.atomic
def add_focus_industry(*, county: Region, industry_code: IndustryCode, by: User) -> tuple[FocusIndustry, int]:
    """A county names one of its own focus industries (自定行业领域); returns the row and how many
    of the county's employers changed their key flag."""
    if county.level != Level.COUNTY:
        raise LedgerError(_("自定行业领域按县(区)设定。"))
    if by.role not in FOCUS_EDITORS or not region_in_scope(by, county.code):
        raise PermissionDenied(_("只能设定本县(区)的自定行业领域。"))
    category = industry_code.category_in(county)
    if category in KEY_INDUSTRIES:
        raise LedgerError(
            _("“%(name)s”已属于重点行业（%(category)s），无需自定。")
            % {"name": industry_code.name, "category": Industry(category).label}
        )
    if FocusIndustry.objects.filter(region=county, industry_code=industry_code).exists():
        raise LedgerError(_("“%(name)s”已是本县(区)的自定行业领域。") % {"name": industry_code.name})
    focus = FocusIndustry.objects.create(region=county, industry_code=industry_code)
    return focus, refresh_key_flags(county.code)


@transaction.atomic
def remove_focus_industry(focus: FocusIndustry, *, by: User) -> int:
    """Remove a county's focus industry; returns how many of its employers changed their key flag."""
    if by.role not in FOCUS_EDITORS or not region_in_scope(by, focus.region_id):
        raise PermissionDenied(_("只能设定本县(区)的自定行业领域。"))
    county = focus.region_id
    focus.delete()
    return refresh_key_flags(county)


@transaction.atomic
def apply_industry_mapping(code: IndustryCode, province: str | None = None) -> int:
    """After a GB/T 4754 code is re-mapped — nationally (``province`` None: every province without
    its own mapping of the code) or by one province (its ``IndustryMapping``) — re-categorise the
    employers concerned and refresh their key flags."""
    if province:
        employers = Employer.objects.within(province).filter(industry_code=code)
    else:
        own = IndustryMapping.objects.filter(industry_code=code, province__isnull=False)
        employers = Employer.objects.filter(industry_code=code)
        for other in own.values_list("province_id", flat=True):
            employers = employers.exclude(region__code__startswith=other)
    category = code.category_in(province) if province else code.category
    employers = employers.exclude(industry=category)
    counties = {region_id[:6] for region_id in employers.values_list("region_id", flat=True)}
    changed = employers.update(industry=category)
    for county in counties:
        refresh_key_flags(county)
    return changed


def _valid_phone(value: str) -> bool:
    try:
        clean_phone(value)
    except Exception:
        return False
    return True


def _valid_credit_code(value: str) -> bool:
    try:
        clean_credit_code(value)
    except Exception:
        return False
    return True


# --- duplicates -----------------------------------------------------------------------


def find_duplicate(
    *, name: str, credit_code: str | None, township_code: str, user: User, exclude_pk: int | None = None
) -> DuplicateEmployer | None:
    """The duplicate refusal for these values, or None. Compares normalised names."""
    others = Employer.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if credit_code:
        existing = others.filter(credit_code=credit_code).select_related("region").first()
        if existing is not None:
            return _duplicate(existing, "credit_code", user)
    existing = others.filter(township_id=township_code, name_key=name_key(name)).first()
    if existing is not None:
        return _duplicate(existing, "name", user)
    return None


def _duplicate(existing: Employer, field: str, user: User) -> DuplicateEmployer:
    visible = region_in_scope(user, existing.region_id)
    if field == "credit_code":
        if visible:
            message = _("该统一社会信用代码已登记为“%(name)s”，请打开已有记录修改，不要重复登记。") % {
                "name": existing.name
            }
        else:
            # Only the county (docs/decisions.md 8): whom to ask, nothing about the record itself.
            county = Region.objects.filter(code=existing.region_id[:6]).first()
            message = _(
                "该统一社会信用代码已在其他辖区（%(region)s）登记，不能重复登记；请与县(区)卫生健康行政部门核实。"
            ) % {"region": county.path_name(below=existing.region_id[:2]) if county else ""}
    else:
        message = _(
            "本乡镇已登记同名单位“%(name)s”（名称忽略全角半角、空格和括号差异），请打开已有记录。"
        ) % {"name": existing.name}
    return DuplicateEmployer(message, existing, field, visible)


# --- actions --------------------------------------------------------------------------


def check_region(region: Region, user: User) -> None:
    if region.level not in EMPLOYER_LEVELS:
        raise RegionNotAllowed(_("所在区划须是乡(镇、街道)或村(社区)。"))
    if not region_in_scope(user, region.code):
        raise RegionNotAllowed(_("所选区划不在您的辖区内。"))


def _assign(employer: Employer, data: Mapping[str, Any]) -> None:
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(employer, field, data[field])
    employer.credit_code = employer.credit_code or None
    if employer.status != OperatingStatus.CLOSED:
        employer.closed_reason = ""
        employer.closed_on = None
    elif employer.closed_on is None:
        # the closing date stays on the ledger: past periods keep the employer (operating_during)
        employer.closed_on = data.get("closed_on") or timezone.localdate()


def _record_history(
    employer: Employer,
    history_type: str,
    by: User | None,
    reason: str,
    links: dict[str, list[Any]] | None = None,
) -> None:
    """One django-simple-history row for this change, with the hazard links as they now are.

    Written here rather than by simple-history's signal handlers, which would record one row
    per save and per m2m change and re-read the employer for each m2m table. ``links`` gives
    the (through row id, target id) pairs when the caller has just written them.
    """
    record = Employer.history.model(
        history_date=timezone.now(),
        history_type=history_type,
        history_user=by,
        history_change_reason=reason or None,
        **{
            field.attname: getattr(employer, field.attname)
            for field in EMPLOYER_HISTORY.fields_included(employer)
        },
    )
    record.save()
    for field, model in EMPLOYER_HISTORY.m2m_models.items():
        target = f"{field.m2m_reverse_field_name()}_id"
        rows = (links or {}).get(field.name)
        if rows is None:
            through = field.remote_field.through
            rows = list(through.objects.filter(employer_id=employer.pk).values_list("id", target))
        if rows:
            model.objects.bulk_create(
                [
                    model(history=record, id=pk, employer_id=employer.pk, **{target: value})
                    for pk, value in rows
                ]
            )


BATCH = 500


@transaction.atomic
def create_employers(rows: Sequence[Mapping[str, Any]], *, by: User, reason: str = "") -> list[Employer]:
    """Register new employers: one, or a whole checked import in a few bulk queries.

    The same rules for each: region inside the user's scope, no duplicate (same credit code
    anywhere, same normalised name in the township; in the database and among ``rows``),
    derived fields set, one history row each. Raises RegionNotAllowed or DuplicateEmployer
    (or LedgerError for a duplicate within ``rows``); then nothing is written.
    """
    prepared: list[tuple[Employer, list[Any], list[Any]]] = []
    for data in rows:
        employer = Employer(created_by=by, version=1, client_uuid=data.get("client_uuid"))
        _assign(employer, data)
        check_region(employer.region, by)
        employer.name_key = name_key(employer.name)
        employer.township_id = employer.region_id[:9]
        categories = list(data.get("hazard_categories") or [])
        prepared.append((employer, categories, list(data.get("hazard_factors") or [])))
    employers = [item[0] for item in prepared]
    _refuse_duplicates(employers, by)
    counties = {e.region_id[:6] for e in employers if e.industry_code_id}
    focus: set[tuple[str, str]] = set()
    if counties:
        focus = set(
            FocusIndustry.objects.filter(region_id__in=counties).values_list("region_id", "industry_code_id")
        )
    for employer, categories, _factors in prepared:
        refresh_derived(employer, categories, focus)
    Employer.objects.bulk_create(employers, batch_size=BATCH)
    links: dict[str, list[tuple[int, int, Any]]] = {}
    for name in ("hazard_categories", "hazard_factors"):
        field = Employer._meta.get_field(name)
        through = field.remote_field.through  # type: ignore[union-attr]
        target = f"{field.m2m_reverse_field_name()}_id"  # type: ignore[union-attr]
        pending = [
            (index, through(employer_id=employer.pk, **{target: obj.pk}))
            for index, (employer, categories, factors) in enumerate(prepared)
            for obj in (categories if name == "hazard_categories" else factors)
        ]
        through.objects.bulk_create([row for _, row in pending], batch_size=BATCH)
        links[name] = [(index, row.pk, getattr(row, target)) for index, row in pending]
    now = timezone.now()
    included = EMPLOYER_HISTORY.fields_included(Employer)
    records = [
        Employer.history.model(
            history_date=now,
            history_type="+",
            history_user=by,
            history_change_reason=reason or None,
            **{field.attname: getattr(employer, field.attname) for field in included},
        )
        for employer in employers
    ]
    Employer.history.model.objects.bulk_create(records, batch_size=BATCH)
    for field, model in EMPLOYER_HISTORY.m2m_models.items():
        target = f"{field.m2m_reverse_field_name()}_id"
        model.objects.bulk_create(
            [
                model(history=records[index], id=pk, employer_id=employers[index].pk, **{target: value})
                for index, pk, value in links[field.name]
            ],
            batch_size=BATCH,
        )
    return employers


def _refuse_duplicates(employers: list[Employer], by: User) -> None:
    """Duplicates among the new employers, then against the database, in bulk queries."""
    codes: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for number, employer in enumerate(employers, start=1):
        first = None
        if employer.credit_code:
            first = codes.setdefault(employer.credit_code, number)
        if first in (None, number):
            first = names.setdefault((employer.township_id, employer.name_key), number)
        if first != number:
            raise LedgerError(
                _("第 %(a)s 家与第 %(b)s 家是同一单位（统一社会信用代码或同乡镇名称相同）。")
                % {"a": number, "b": first}
            )
    code_list = sorted(codes)
    for start in range(0, len(code_list), BATCH):
        chunk = code_list[start : start + BATCH]
        existing = Employer.objects.filter(credit_code__in=chunk).select_related("region").first()
        if existing is not None:
            raise _duplicate(existing, "credit_code", by)
    by_township: dict[str, list[str]] = {}
    for township, key in names:
        by_township.setdefault(township, []).append(key)
    for township, keys in by_township.items():
        for start in range(0, len(keys), BATCH):
            chunk = keys[start : start + BATCH]
            existing = Employer.objects.filter(township_id=township, name_key__in=chunk).first()
            if existing is not None:
                raise _duplicate(existing, "name", by)


@transaction.atomic
def create_employer(
    data: Mapping[str, Any], *, by: User, reason: str = "", client_uuid: uuid.UUID | None = None
) -> Employer:
    """Register a new employer. Raises RegionNotAllowed or DuplicateEmployer.

    With ``client_uuid`` (registered on the phone) a repeat returns the stored employer and writes
    nothing, whatever its body (``lib.sync.is_repeat``; docs/sync.md). A twin request that lost
    the race meets the winner's row as a duplicate: it is answered as the repeat it is."""
    mine = owned_by(by, "created_by")

    def create() -> Employer:
        return create_employers([{**data, "client_uuid": client_uuid}], by=by, reason=reason)[0]

    try:
        employer, _created = create_once(Employer.objects.all(), client_uuid, create, user=by, mine=mine)
    except DuplicateEmployer:
        twin = repeat_of(Employer.objects.all(), client_uuid, user=by, mine=mine)
        if twin is None:
            raise
        return twin
    return employer


def changed_fields(employer: Employer, data: Mapping[str, Any]) -> list[str]:
    """The ledger fields whose value in ``data`` differs from the employer's (no writes)."""
    changes = []
    for field in SCALAR_FIELDS:
        if field not in data:
            continue
        new = data[field]
        old: Any
        if field == "region":
            old, new = employer.region_id, getattr(new, "pk", new)
        elif field == "industry_code":
            old, new = employer.industry_code_id, getattr(new, "pk", new)
        elif field == "credit_code":
            old, new = employer.credit_code or None, new or None
        elif field == "closed_reason" and data.get("status", employer.status) != OperatingStatus.CLOSED:
            continue
        else:
            old = getattr(employer, field)
        if old != new:
            changes.append(field)
    for field in M2M_FIELDS:
        if field not in data:
            continue
        old_ids = {obj.pk for obj in getattr(employer, field).all()}
        new_ids = {getattr(obj, "pk", obj) for obj in data[field] or []}
        if old_ids != new_ids:
            changes.append(field)
    return changes


@transaction.atomic
def update_employer(
    employer: Employer, data: Mapping[str, Any], *, by: User, expected_version: int, reason: str = ""
) -> list[str]:
    """Save an edit made on ``expected_version``; returns the changed fields ([] if none).

    Refuses with StaleEmployer when someone saved the employer in between: the version is
    bumped by one conditional UPDATE, so of two concurrent saves exactly one wins.
    """
    current = Employer.objects.select_related("region").get(pk=employer.pk)
    if current.version != expected_version and not changed_fields(current, data):
        return []  # the ledger already says this (a resent edit, or the same edit twice): no conflict
    if current.version != expected_version:
        raise StaleEmployer(
            _("保存失败：在您编辑期间，该单位已被他人修改（当前为第 %(v)s 版）。请对照两个版本后再保存。")
            % {"v": current.version},
            current,
        )
    changes = changed_fields(current, data)
    if not changes:
        return []
    _assign(current, data)
    check_region(current.region, by)
    duplicate = find_duplicate(
        name=current.name,
        credit_code=current.credit_code,
        township_code=current.region_id[:9],
        user=by,
        exclude_pk=current.pk,
    )
    if duplicate is not None:
        raise duplicate
    claimed = Employer.objects.filter(pk=current.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not claimed:
        raise StaleEmployer(
            _("保存失败：在您编辑期间，该单位已被他人修改。请对照两个版本后再保存。"),
            Employer.objects.get(pk=current.pk),
        )
    categories = (
        list(data["hazard_categories"])
        if "hazard_categories" in data
        else list(current.hazard_categories.all())
    )
    refresh_derived(current, categories)
    current.version = expected_version + 1
    current.skip_history_when_saving = True  # type: ignore[attr-defined]
    current.save()
    if "hazard_categories" in data:
        current.hazard_categories.set(categories)
    if "hazard_factors" in data:
        current.hazard_factors.set(list(data["hazard_factors"] or []))
    del current.skip_history_when_saving  # type: ignore[attr-defined]
    _record_history(current, "~", by, reason)
    employer.refresh_from_db()
    return changes


@transaction.atomic
def close_employer(
    employer: Employer,
    *,
    reason: str,
    by: User,
    expected_version: int | None = None,
    closed_on: dt.date | None = None,
) -> None:
    """Soft close (status 关闭 with a reason and the closing date, default today): the record and
    its history stay, and the periods before ``closed_on`` keep counting it."""
    reason = reason.strip()
    if not reason:
        raise LedgerError(_("请填写关闭原因（如：已注销、已搬离本辖区、已转产无职业病危害）。"))
    if employer.status == OperatingStatus.CLOSED:
        raise LedgerError(_("该单位已是关闭状态。"))
    day = closed_on or timezone.localdate()
    if day > timezone.localdate():
        raise LedgerError(_("关闭日期不能晚于今天。"))
    if day < timezone.localdate(employer.created_at):
        raise LedgerError(_("关闭日期不能早于该单位的登记日期。"))
    update_employer(
        employer,
        {"status": OperatingStatus.CLOSED, "closed_reason": reason, "closed_on": day},
        by=by,
        expected_version=employer.version if expected_version is None else expected_version,
        reason=_("关闭：%(reason)s") % {"reason": reason},
    )


@transaction.atomic
def purge_employer(employer: Employer, *, by: User) -> None:
    """Delete an employer for good: province admins only, and only one nothing refers to."""
    if not by.is_province_admin:
        raise PermissionDenied(_("只有省级管理员可以彻底删除用人单位。"))
    employer._history_user = by  # type: ignore[attr-defined]
    employer._change_reason = _("彻底删除")  # type: ignore[attr-defined]
    try:
        employer.delete()
    except ProtectedError as exc:
        raise LedgerError(_("该单位已有巡查、线索或协查等记录，不能彻底删除；请改为关闭。")) from exc

"""Domain actions on work funding. Views, demo data and commands call these only.

Every action is atomic and validates before it writes. A budget line is locked while money
is taken out of it, so two clerks paying at once cannot overspend it together.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import Role, User
from xieguan.funding.forms import check_year, clean_money
from xieguan.funding.models import Budget, Disbursement, FundingSource, Purpose, Subsidy, SubsidyBasis
from xieguan.lib.scoping import region_in_scope
from xieguan.regions.models import Level, Region

EDITOR_ROLES = frozenset({Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN})
ZERO = Decimal("0.00")


def can_edit(user: User, county_code: str) -> bool:
    """County admins record their county's funding; the province admin may correct any county."""
    return user.role in EDITOR_ROLES and region_in_scope(user, county_code)


def _require_editor(user: User, county_code: str) -> None:
    if not can_edit(user, county_code):
        raise PermissionDenied(_("只有县(区)或省卫生健康行政部门可以登记经费。"))


def spent(budget: Budget) -> Decimal:
    """Disbursements plus subsidies paid out of the budget line (two aggregate queries)."""
    out = Disbursement.objects.filter(budget=budget).aggregate(s=Sum("amount"))["s"] or ZERO
    paid = Subsidy.objects.filter(budget=budget).aggregate(s=Sum("amount"))["s"] or ZERO
    return out + paid


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _take(budget: Budget, amount: Decimal) -> Budget:
    """Lock the budget line and refuse an amount that would overspend it."""
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    used = spent(locked)
    if used + amount > locked.amount:
        raise ValidationError(
            {
                "amount": _(
                    "超出预算：该笔经费（%(source)s）下达 %(total)s 元，已支出 %(used)s 元，"
                    "尚余 %(left)s 元，本次 %(amount)s 元超出 %(over)s 元。"
                )
                % {
                    "source": locked.get_source_display(),
                    "total": _yuan(locked.amount),
                    "used": _yuan(used),
                    "left": _yuan(locked.amount - used),
                    "amount": _yuan(amount),
                    "over": _yuan(used + amount - locked.amount),
                }
            }
        )
    return locked


def _check_paid_on(day: dt.date, year: int, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})
    if day.year < year:
        raise ValidationError({field: _("日期不能早于 %(year)d 年度。") % {"year": year}})


@transaction.atomic
def allocate_budget(
    *,
    by: User,
    county: Region,
    year: int,
    source: str,
    amount: Decimal | str,
    allocated_on: dt.date | None = None,
    document_no: str = "",
    note: str = "",
) -> Budget:
    """Record money allocated to a county's 协管 work for a year."""
    if county.level != Level.COUNTY:
        raise ValidationError(_("经费按县(区)登记：%(name)s 不是县(区)。") % {"name": county.name})
    _require_editor(by, county.code)
    check_year(year)
    if source not in FundingSource.values:
        raise ValidationError({"source": _("请选择经费来源。")})
    money = clean_money(amount)
    if allocated_on and allocated_on > timezone.localdate():
        raise ValidationError({"allocated_on": _("下达日期不能晚于今天。")})
    return Budget.objects.create(
        region=county,
        year=year,
        source=source,
        amount=money,
        allocated_on=allocated_on,
        document_no=document_no.strip(),
        note=note.strip(),
        created_by=by,
    )


@transaction.atomic
def update_budget(
    budget: Budget,
    *,
    by: User,
    amount: Decimal | str,
    allocated_on: dt.date | None = None,
    document_no: str = "",
    note: str = "",
) -> Budget:
    """Correct a budget line (history keeps the previous values); never below what it has paid."""
    _require_editor(by, budget.region_id)
    money = clean_money(amount)
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    used = spent(locked)
    if money < used:
        raise ValidationError(
            {
                "amount": _("该笔经费已支出 %(used)s 元，下达金额不能改为低于已支出金额。")
                % {"used": _yuan(used)}
            }
        )
    if allocated_on and allocated_on > timezone.localdate():
        raise ValidationError({"allocated_on": _("下达日期不能晚于今天。")})
    locked.amount = money
    locked.allocated_on = allocated_on
    locked.document_no = document_no.strip()
    locked.note = note.strip()
    locked.save(update_fields=["amount", "allocated_on", "document_no", "note"])
    return locked


@transaction.atomic
def record_disbursement(
    budget: Budget,
    *,
    by: User,
    amount: Decimal | str,
    paid_on: dt.date,
    purpose: str,
    payee: str = "",
    voucher_no: str = "",
    note: str = "",
) -> Disbursement:
    _require_editor(by, budget.region_id)
    money = clean_money(amount)
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("请选择用途。")})
    _check_paid_on(paid_on, budget.year, "paid_on")
    locked = _take(budget, money)
    return Disbursement.objects.create(
        budget=locked,
        region_id=locked.region_id,
        year=locked.year,
        amount=money,
        paid_on=paid_on,
        purpose=purpose,
        payee=payee.strip(),
        voucher_no=voucher_no.strip(),
        note=note.strip(),
        created_by=by,
    )


@transaction.atomic
def record_subsidy(
    budget: Budget,
    *,
    by: User,
    assistant: User,
    amount: Decimal | str,
    period_start: dt.date,
    period_end: dt.date,
    basis: str,
    paid_on: dt.date,
    basis_note: str = "",
    assessment: object | None = None,
) -> Subsidy:
    """A subsidy paid to one assistant of the budget's county, for a period."""
    from xieguan.personnel.models import Assessment

    _require_editor(by, budget.region_id)
    money = clean_money(amount)
    if assistant.role != Role.ASSISTANT:
        raise ValidationError({"assistant": _("%(name)s 不是协管员。") % {"name": assistant}})
    if not assistant.region_id.startswith(budget.region_id):
        raise ValidationError({"assistant": _("%(name)s 不属于该县(区)。") % {"name": assistant}})
    if period_end < period_start:
        raise ValidationError({"period_end": _("补助期间止不能早于补助期间起。")})
    if period_end.year < budget.year or period_start.year > budget.year:
        raise ValidationError(
            {"period_start": _("补助期间应与 %(year)d 年度有重叠。") % {"year": budget.year}}
        )
    if basis not in SubsidyBasis.values:
        raise ValidationError({"basis": _("请选择发放依据。")})
    if assessment is not None:
        if not isinstance(assessment, Assessment) or assessment.assistant.user_id != assistant.pk:
            raise ValidationError({"assessment": _("所选年度考核不是该协管员的。")})
    elif basis == SubsidyBasis.ASSESSMENT:
        raise ValidationError({"assessment": _("按年度考核等次发放时，请选择关联的年度考核。")})
    _check_paid_on(paid_on, budget.year, "paid_on")
    locked = _take(budget, money)
    return Subsidy.objects.create(
        budget=locked,
        region_id=assistant.region_id,
        year=locked.year,
        assistant=assistant,
        amount=money,
        period_start=period_start,
        period_end=period_end,
        basis=basis,
        basis_note=basis_note.strip(),
        assessment=assessment,
        paid_on=paid_on,
        created_by=by,
    )


@transaction.atomic
def withdraw_disbursement(disbursement: Disbursement, *, by: User) -> None:
    """Remove a disbursement entered by mistake (its history keeps the record and who removed it)."""
    _require_editor(by, disbursement.region_id)
    disbursement._change_reason = "withdrawn"  # type: ignore[attr-defined]
    disbursement.delete()


@transaction.atomic
def withdraw_subsidy(subsidy: Subsidy, *, by: User) -> None:
    _require_editor(by, subsidy.region_id[:6])
    subsidy._change_reason = "withdrawn"  # type: ignore[attr-defined]
    subsidy.delete()

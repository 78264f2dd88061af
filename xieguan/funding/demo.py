"""Demo funding: 盘州市's 2026 budget, one disbursement and a subsidy for the demo assistant."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from xieguan.accounts.demo import DemoContext
from xieguan.funding.actions import allocate_budget, record_disbursement, record_subsidy
from xieguan.funding.models import Budget, Disbursement, FundingSource, Purpose, Subsidy, SubsidyBasis
from xieguan.regions.models import Region

YEAR = 2026


def _day(month: int, day: int) -> dt.date:
    return min(dt.date(YEAR, month, day), timezone.localdate())


def seed(ctx: DemoContext) -> list[str]:
    clerk = ctx.users["panzhou"]
    assistant = ctx.users["xieguan"]
    county = Region.objects.get(code="520281")
    lines = ["  工作经费：盘州市 2026 年度"]
    budgets = {}
    for source, amount, doc, (month, day) in [
        (FundingSource.PUBLIC_HEALTH, "120000.00", "盘卫健发〔2026〕18号", (3, 10)),
        (FundingSource.LOCAL, "60000.00", "盘财社〔2026〕7号", (4, 1)),
    ]:
        budget = Budget.objects.filter(region=county, year=YEAR, source=source, document_no=doc).first()
        if budget is None:
            budget = allocate_budget(
                by=clerk,
                county=county,
                year=YEAR,
                source=source,
                amount=amount,
                allocated_on=_day(month, day),
                document_no=doc,
            )
        budgets[source] = budget
    public = budgets[FundingSource.PUBLIC_HEALTH]
    if not Disbursement.objects.filter(budget=public, voucher_no="2026-0621").exists():
        record_disbursement(
            public,
            by=clerk,
            amount=Decimal("18500.00"),
            paid_on=_day(6, 21),
            purpose=Purpose.TRAINING,
            payee="盘州市职业健康监督协管员业务培训班",
            voucher_no="2026-0621",
        )
    if not Subsidy.objects.filter(
        budget=public, assistant=assistant, period_start=dt.date(YEAR, 1, 1)
    ).exists():
        record_subsidy(
            public,
            by=clerk,
            assistant=assistant,
            amount=Decimal("3600.00"),
            period_start=dt.date(YEAR, 1, 1),
            period_end=dt.date(YEAR, 6, 30),
            basis=SubsidyBasis.FIXED,
            basis_note="每月 600 元",
            paid_on=_day(7, 10),
        )
    lines.append("    下达 180,000.00 元（协管项目 120,000 + 地方财政 60,000）")
    lines.append("    支出 18,500.00 元（培训），补助 xieguan 3,600.00 元（1-6 月）")
    return lines

"""Employers made through the domain actions, so derived fields and history are real."""

from __future__ import annotations

from typing import Any

from stdnum.cn import uscc

from xieguan.employers.actions import create_employer
from xieguan.employers.models import Employer, HazardCategory, IndustryCode
from xieguan.lib.testing import VILLAGE
from xieguan.regions.models import Region


def valid_credit_code(n: int, county: str = "520281") -> str:
    stem = f"91{county}{n:09d}"
    return stem + uscc.calc_check_digit(stem)


def ledger_data(**overrides: Any) -> dict[str, Any]:
    """A complete (registered) coal mine in 柏果镇's first village."""
    data: dict[str, Any] = {
        "name": "盘州市柏果镇测试煤矿",
        "credit_code": None,
        "region": Region.objects.get(code=overrides.pop("region_code", VILLAGE)),
        "address": "柏果镇柏果社区",
        "legal_representative": "张三",
        "phone": "13908581126",
        "industry": "coal",
        "industry_code": IndustryCode.objects.get(code="06"),
        "hazard_categories": [HazardCategory.objects.get(code="dust")],
        "hazard_factors": [],
        "radiation_work": False,
        "construction_project": False,
        "workers": 100,
        "exposed_workers": 40,
        "status": "operating",
        "closed_reason": "",
        "serious_hazard": False,
        "declaration_date": None,
        "declaration_receipt": "",
    }
    data.update(overrides)
    return data


def make_employer(by: Any, **overrides: Any) -> Employer:
    return create_employer(ledger_data(**overrides), by=by)

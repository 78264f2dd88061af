"""A hand-computed county: 盘州市 with three townships, for the indicator tests.

T1 柏果镇 520281117 (villages V1 …001, V2 …002), T2 民主镇 520281104, T3 大山镇 520281105 (empty).
"Today" is 2025-12-20 (see conftest.frozen). Expected values for 2025 are in EXPECTED and
were counted by hand from the rows below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xieguan.accounts.models import Role, User
from xieguan.employers.models import Employer, Industry, OperatingStatus
from xieguan.indicators.tests.factories import (
    EmployerFactory,
    InspectionFactory,
    LeadFactory,
    PublicityEventFactory,
    UserFactory,
    at,
)
from xieguan.inspections.models import InspectionStatus
from xieguan.leads.models import Complaint, ComplaintChannel
from xieguan.lib.testing import OTHER_TOWNSHIP, Personas
from xieguan.personnel.tests.factories import serve

COUNTY = "520281"
T1, V1, V2 = "520281117", "520281117001", "520281117002"
T2 = "520281104"
T3 = "520281105"

# indicator -> region -> (numerator, denominator), for the year 2025
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    # E1 reg, E2 unreg, E4 reg (township level) | E5 (new in August), E6 reg (E3 closed)
    "registration": {T1: (2, 3), T2: (2, 2), T3: (0, 0), COUNTY: (4, 5)},
    # L1 on time, L3 late | L4 unreported overdue, L5 unreported not yet due (L2 is 2024)
    "reporting": {T1: (2, 2), T2: (0, 2), T3: (0, 0), COUNTY: (2, 4)},
    # xieguan: Feb, Mar, Sep; A2: Sep only | A5 nothing (A3 dismissed, A4 term ended)
    "assistant_patrol": {T1: (1, 2), T2: (0, 1), T3: (0, 0), COUNTY: (1, 3)},
    # key: E1 covered, E2 not | E6 only 2024 and a 2025 draft (E3 closed)
    "key_coverage": {T1: (1, 2), T2: (0, 1), T3: (0, 0), COUNTY: (1, 3)},
    # E1 both halves, E2 none, E4 H2 only | E5, E6 none
    "employer_patrol": {T1: (1, 3), T2: (0, 2), T3: (0, 0), COUNTY: (1, 5)},
    # in time (RecordingPolicy 3 days / 24 hours; leads by report_due_at):
    # I1, I2, I4 submitted on the day, I3 five days late; C1 recorded at once; L1 on time, L3 late |
    # I5 a draft past its deadline, C2 recorded two days late, L4 unreported past due (L5 not yet due)
    "records": {T1: (5, 7), T2: (0, 3), T3: (0, 0), COUNTY: (5, 10)},
    # T1 event in May; T2 event in 2024 only; T3 event but no assistant
    "publicity": {T1: (1, 1), T2: (0, 1), T3: (0, 0), COUNTY: (1, 2)},
}


@dataclass
class Scenario:
    personas: Personas
    employers: dict[str, Any] = field(default_factory=dict)
    assistants: dict[str, Any] = field(default_factory=dict)
    inspections: dict[str, Any] = field(default_factory=dict)
    leads: dict[str, Any] = field(default_factory=dict)
    complaints: dict[str, Any] = field(default_factory=dict)


def build_scenario(personas: Personas) -> Scenario:
    s = Scenario(personas)
    long_ago = at(2020, 1, 1)
    e = s.employers

    def employer(name: str, region: str, **kw: Any) -> Employer:
        kw.setdefault("created_at", long_ago)
        return EmployerFactory.create(name=name, region_id=region, **kw)

    e["E1"] = employer("柏果煤矿", V1, is_key=True)
    e["E2"] = employer("云中水泥厂", V1, is_key=True, registered=False, industry=Industry.BUILDING_MATERIALS)
    e["E3"] = employer("已关闭选煤厂", V2, is_key=True, status=OperatingStatus.CLOSED)
    e["E4"] = employer("柏果机修厂", T1, is_key=False, industry=Industry.OTHER)
    e["E5"] = employer("民主新厂", T2, is_key=False, created_at=at(2025, 8, 1))  # not in 2025H1
    e["E6"] = employer("民主化工厂", T2, is_key=True, industry=Industry.CHEMICAL)
    e["X1"] = employer("岩脚煤矿", OTHER_TOWNSHIP + "001", is_key=True)  # another county

    a = s.assistants
    a["xieguan"] = personas.xieguan
    a["A2"] = UserFactory(username="a2", full_name="柏果二号", region_id=T1, role=Role.ASSISTANT)
    a["A3"] = UserFactory(username="a3", full_name="民主解聘", region_id=T2, is_active=False)
    a["A4"] = UserFactory(
        username="a4", full_name="民主期满", region_id=T2, access_until=at(2025, 5, 31).date()
    )
    a["A5"] = UserFactory(username="a5", full_name="民主在岗", region_id=T2)
    User.objects.update(date_joined=long_ago)
    # Service comes from personnel's terms and dismissals (personnel/service.py), not the accounts.
    by = personas.panzhou
    serve(a["xieguan"], T1, 2020, 2027, by)
    serve(a["A2"], T1, 2020, 2027, by)
    serve(a["A3"], T2, 2020, 2027, by, dismissed_on=at(2024, 12, 1).date())
    serve(a["A4"], T2, 2020, 2025, by, end=at(2025, 5, 31).date())
    serve(a["A5"], T2, 2020, 2027, by)
    serve(personas.xieguan2, OTHER_TOWNSHIP, 2020, 2027, personas.liuzhi)

    i = s.inspections
    i["I1"] = InspectionFactory(employer=e["E1"], assistant=a["xieguan"], inspected_at=at(2025, 3, 5))
    i["I2"] = InspectionFactory(employer=e["E1"], assistant=a["xieguan"], inspected_at=at(2025, 9, 9))
    i["I3"] = InspectionFactory(
        employer=e["E4"],
        assistant=a["A2"],
        inspected_at=at(2025, 9, 20),
        submitted_at=at(2025, 9, 25),
        complete=False,
    )
    i["I4"] = InspectionFactory(employer=e["E3"], assistant=a["xieguan"], inspected_at=at(2025, 2, 1))
    i["I5"] = InspectionFactory(
        employer=e["E6"], assistant=a["A5"], inspected_at=at(2025, 10, 1), status=InspectionStatus.DRAFT
    )
    i["I6"] = InspectionFactory(employer=e["E6"], assistant=a["A3"], inspected_at=at(2024, 10, 1))
    i["X"] = InspectionFactory(employer=e["X1"], assistant=personas.xieguan2, inspected_at=at(2025, 4, 1))

    by = a["xieguan"]
    leads = s.leads
    leads["L1"] = LeadFactory(
        region_id=V1, discovered_by=by, discovered_at=at(2025, 3, 10), reported_at=at(2025, 3, 11)
    )
    leads["L2"] = LeadFactory(
        region_id=T1, discovered_by=by, discovered_at=at(2024, 12, 31), reported_at=at(2025, 1, 2, 9)
    )
    leads["L3"] = LeadFactory(
        region_id=V2, discovered_by=by, discovered_at=at(2025, 6, 1), reported_at=at(2025, 6, 10)
    )
    leads["L4"] = LeadFactory(region_id=T2, discovered_by=a["A5"], discovered_at=at(2025, 11, 1))
    leads["L5"] = LeadFactory(region_id=T2, discovered_by=a["A5"], discovered_at=at(2025, 12, 19))
    leads["X"] = LeadFactory(
        region_id=OTHER_TOWNSHIP, discovered_by=personas.xieguan2, discovered_at=at(2025, 5, 1)
    )

    complaints = s.complaints
    complaints["C1"] = Complaint.objects.create(
        region_id=V1,
        received_at=at(2025, 4, 2, 9),
        recorded_at=at(2025, 4, 2, 10),
        channel=ComplaintChannel.PHONE,
        content="夜间粉尘大",
        recorded_by=by,
    )
    complaints["C2"] = Complaint.objects.create(
        region_id=T2,
        received_at=at(2025, 7, 1, 9),
        recorded_at=at(2025, 7, 3, 9),
        channel=ComplaintChannel.VISIT,
        content="工人咳嗽",
        recorded_by=a["A5"],
    )

    PublicityEventFactory(region_id=T1, held_on=at(2025, 5, 1).date(), recorded_by=by)
    PublicityEventFactory(region_id=T2, held_on=at(2024, 6, 1).date(), recorded_by=a["A5"])
    PublicityEventFactory(region_id=T3, held_on=at(2025, 6, 1).date(), recorded_by=personas.panzhou)
    PublicityEventFactory(
        region_id=OTHER_TOWNSHIP, held_on=at(2025, 6, 1).date(), recorded_by=personas.xieguan2
    )
    return s

"""A reproducible, realistic province for benchmarks: `manage.py gendata`.

What it makes (Guizhou scale, seed-determined, up to a reference day ``today``):

- every real township and village from the shipped region data (`loadregions`);
- county agencies, a county admin and two officers per county, a viewer per prefecture, a province
  admin; one or two assistants per township (乡聘村用: two split the villages), with appointments
  in three-year terms, pre-job and yearly business training, assessments, rewards, a few dismissals
  and their replacements;
- about 30,000 employers, their number and industry mix weighted towards the mining counties, a share
  of incomplete ledger records (registered=False with missing_fields), three urban districts with no
  key industry that name their own focus industries;
- five years of submitted inspections on the active 附表1 template, about two per employer and year,
  answered from a per-employer state (a missing document stays missing until rectified), so findings
  repeat and decline over the years; a few drafts in the current half-year;
- a lead for every finding, complaints that become leads, direct leads (suspected patients,
  poisonings); each lead reported on time, late or not at all, acknowledged, handled (协查 requests
  included) and closed as time allows; publicity events.

Derived fields are what the domain actions store: Employer.registered / missing_fields / is_key /
township / last_inspected_on, Inspection.complete / findings_count / status, Lead.report_due_at
(xieguan.leads.actions.report_due_at). Only states the actions can produce are stored: every
submitted inspection passes ``submit_inspection``'s checks (both signatures: complete); a closed
employer has its closing date (``closed_on``) and the history record that closed it, and no visit
from that day on; an assistant's terms follow each other day after day until one covers today or
the dismissal, inspections are made only while in service (personnel/service.py), and the account
is what ``personnel.actions._sync_account`` keeps. tests/test_gendata.py checks each against the
actions.

Every random choice comes from ``random.Random(f"{seed}:{county}")``, so a county's data depend only
on the seed, the reference day and the county, never on the order or batching of the run.

``national`` copies Guizhou's region tree into nine simulated provinces with the unused codes 91-99
(9101..., 9201..., same names), each filled like Guizhou: ten times the data in one database.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from xieguan.accounts.models import Agency, Role, User
from xieguan.benchmarks import names
from xieguan.benchmarks.models import GeneratedDataset
from xieguan.benchmarks.sink import Ids, Table, bulk_load, flush_all, reset_sequences
from xieguan.employers.actions import REGISTRATION_FIELDS
from xieguan.employers.models import (
    KEY_INDUSTRIES,
    Employer,
    FocusIndustry,
    HazardCategory,
    Industry,
    IndustryCode,
    OperatingStatus,
)
from xieguan.inspections import patrol
from xieguan.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionStatus,
    ItemKind,
    NotApplicableRule,
)
from xieguan.leads.actions import report_due_at
from xieguan.leads.models import (
    IMPORTANT_BY_DEFAULT,
    AssistRequest,
    AssistStatus,
    Complaint,
    ComplaintChannel,
    EventKind,
    Handling,
    Importance,
    Lead,
    LeadEvent,
    LeadSource,
    LeadStatus,
    LeadType,
    OfficerAction,
    ReportingPolicy,
    ReportMethod,
)
from xieguan.lib.text import name_key
from xieguan.outreach.models import PublicityEvent, PublicityKind
from xieguan.personnel.models import (
    Appointment,
    Assessment,
    Assistant,
    AssistantStatus,
    Dismissal,
    DismissalGround,
    Education,
    Gender,
    Grade,
    GradeThreshold,
    Origin,
    Reward,
    RewardGround,
    TrainingKind,
    TrainingRecord,
    TrainingSession,
)
from xieguan.regions.loader import load_province
from xieguan.regions.models import Level, Region

TZ = ZoneInfo("Asia/Shanghai")
PROVINCE = "52"
FAKE_PROVINCES = tuple(str(n) for n in range(91, 100))  # unused by GB/T 2260: clearly simulated
USERNAME_PREFIX = "gd_"  # every generated account; the password is GENERATED_PASSWORD
GENERATED_PASSWORD = "gendata-bench-2026"  # noqa: S105 - benchmark data only, printed by gendata
SIGNATURES = 12  # distinct signature images shared by the generated inspections
FLUSH_ROWS = 150_000

# Counties whose employers are dominated by the key industries (Guizhou codes; the simulated
# provinces reuse them by their last four digits).
MINING = {"520281", "520203", "520204", "520201", "520524", "520525", "520526"}
INDUSTRIAL = {
    *("520521", "520523", "520581", "520502", "520527"),  # 毕节: coal
    *("520322", "520330"),  # 遵义: 桐梓, 习水 coal
    *("522301", "522302", "522323", "522324"),  # 黔西南: coal
    *("520121", "522702", "522725"),  # 开阳, 福泉, 瓮安: phosphate
    *("520181", "520113", "520628", "520603"),  # 清镇, 白云 aluminium; 松桃 manganese; 万山
}
URBAN_FOCUS = {"520102", "520103", "520115"}  # 南明, 云岩, 观山湖: no key industry, own focus list

INDUSTRIES = (
    Industry.COAL,
    Industry.NONCOAL_MINING,
    Industry.METALLURGY,
    Industry.BUILDING_MATERIALS,
    Industry.CHEMICAL,
    Industry.OTHER,
)
MIX = {  # shares of INDUSTRIES by county profile
    "mining": (0.36, 0.08, 0.04, 0.14, 0.04, 0.34),
    "industrial": (0.14, 0.13, 0.06, 0.15, 0.08, 0.44),
    "urban": (0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
    "plain": (0.02, 0.07, 0.01, 0.16, 0.03, 0.71),
}
WEIGHT = {"mining": 3.0, "industrial": 1.7, "urban": 1.4, "plain": 1.0}  # employers per township
DIVISIONS: dict[str, list[str]] = {  # GB/T 4754 divisions of the key industries
    Industry.COAL: ["06"],
    Industry.NONCOAL_MINING: ["08", "09", "10"],
    Industry.METALLURGY: ["31", "32"],
    Industry.BUILDING_MATERIALS: ["30"],
    Industry.CHEMICAL: ["26"],
}
HAZARDS: dict[str, list[str]] = {  # hazard categories most employers of an industry have
    Industry.COAL: ["dust", "physical", "chemical"],
    Industry.NONCOAL_MINING: ["dust", "physical"],
    Industry.METALLURGY: ["dust", "chemical", "physical"],
    Industry.BUILDING_MATERIALS: ["dust", "physical"],
    Industry.CHEMICAL: ["chemical", "physical"],
    Industry.OTHER: ["dust", "chemical", "physical"],
}
SERIOUS: dict[str, float] = {Industry.COAL: 0.6, Industry.NONCOAL_MINING: 0.35, Industry.OTHER: 0.05}
FU1_ITEMS = [  # SPEC §4: the default template is 附表1 word for word
    (1, "职业病危害项目申报情况", ItemKind.DOCUMENT, NotApplicableRule.NEVER, LeadType.ILLEGAL),
    (
        2,
        "建设项目的职业病危害预评价报告、职业病防护设施设计、职业病危害控制效果评价报告完成情况",
        ItemKind.DOCUMENT,
        NotApplicableRule.NO_CONSTRUCTION_PROJECT,
        LeadType.ILLEGAL,
    ),
    (3, "工作场所职业病危害因素检测与评价情况", ItemKind.DOCUMENT, NotApplicableRule.NEVER, LeadType.ILLEGAL),
    (
        4,
        "劳动者职业健康检查及职业健康监护档案情况",
        ItemKind.DOCUMENT,
        NotApplicableRule.NEVER,
        LeadType.ILLEGAL,
    ),
    (5, "劳动者职业健康教育培训情况", ItemKind.DOCUMENT, NotApplicableRule.NEVER, LeadType.ILLEGAL),
    (6, "工作场所异常情况", ItemKind.LEAD, NotApplicableRule.NEVER, LeadType.ABNORMAL),
    (7, "群众投诉举报情况", ItemKind.LEAD, NotApplicableRule.NEVER, LeadType.COMPLAINT),
]


@dataclass(frozen=True)
class ScaleSpec:
    provinces: tuple[str, ...]
    employers: int  # per province (Guizhou-sized); for `small`, in the one county
    counties: tuple[str, ...] = ()  # limit to these counties (small)


SCALES = {
    "small": ScaleSpec(provinces=(PROVINCE,), employers=120, counties=("520203",)),
    "guizhou": ScaleSpec(provinces=(PROVINCE,), employers=30_000),
    "national": ScaleSpec(provinces=(PROVINCE, *FAKE_PROVINCES), employers=30_000),
}


class GenerationRefused(Exception):
    """The database is not ready or already holds data; nothing was written."""


# --- small helpers -------------------------------------------------------------------------


def _halves(start: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    for year in range(start.year, today.year + 1):
        for first, last in (
            (dt.date(year, 1, 1), dt.date(year, 6, 30)),
            (dt.date(year, 7, 1), dt.date(year, 12, 31)),
        ):
            if first <= today:
                out.append((first, last))
    return out


def _at(day: dt.date, rng: random.Random, first_hour: float = 8.5, last_hour: float = 17.5) -> dt.datetime:
    minutes = int(rng.uniform(first_hour, last_hour) * 60)
    return dt.datetime(
        day.year, day.month, day.day, minutes // 60, minutes % 60, rng.randrange(60), tzinfo=TZ
    )


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    span = (last - first).days
    return first + dt.timedelta(days=rng.randrange(span + 1)) if span > 0 else first


def _workday(day: dt.date) -> dt.date:
    """The Friday before a weekend day (the Monday after, if that Friday is in another year)."""
    if day.weekday() < 5:
        return day
    friday = day - dt.timedelta(days=day.weekday() - 4)
    return friday if friday.year == day.year else day + dt.timedelta(days=7 - day.weekday())


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _local(at: dt.datetime) -> dt.date:
    return at.astimezone(TZ).date()


def _id_number(county: str, birth: dt.date, seq: int) -> str:
    from stdnum.cn import ric

    body = f"{county}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "?")  # stdnum expects a placeholder check digit


def _credit_code(county: str, serial: int) -> str:
    """统一社会信用代码: 91 (enterprise) + county + organisation code (GB 11714) + check digit."""
    from stdnum.cn import uscc

    org = f"{serial % 10**8:08d}"
    check = 11 - sum(int(c) * w for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org += {10: "X", 11: "0"}.get(check, str(check))
    body = f"91{county}{org}"
    return body + uscc.calc_check_digit(body)


def _signature_png(rng: random.Random) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (240, 80), 255)
    draw = ImageDraw.Draw(image)
    x, y = 15, 40
    for _ in range(18):
        nx, ny = x + rng.randint(5, 14), min(70, max(10, y + rng.randint(-22, 22)))
        draw.line((x, y, nx, ny), fill=20, width=3)
        x, y = nx, ny
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def ensure_signatures(rng: random.Random) -> list[str]:
    """A few signature images in the private storage, shared by the generated inspections."""
    paths = []
    for n in range(SIGNATURES):
        path = f"signatures/gendata/signature-{n:02d}.png"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(_signature_png(rng)))
        paths.append(path)
    return paths


def active_template() -> ChecklistTemplate:
    """The active 附表1 template; created (SPEC §4, 7 items) only when the database has none."""
    template = ChecklistTemplate.active(PROVINCE)
    if template is not None:
        return template
    if ChecklistTemplate.objects.exists():
        raise GenerationRefused("有巡查表模板但没有启用的模板：请先启用一个。")
    template = ChecklistTemplate.objects.create(
        code="fubiao1",  # as inspections' data migration 0002_builtin_templates makes it
        version=1,
        name="附表1 职业健康监督协管巡查个案信息表",
        description="《贵州省职业健康监督协管员制度》附表1，逐字照录。",
        builtin=True,
        is_active=True,
    )
    for number, wording, kind, na_rule, lead_type in FU1_ITEMS:
        ChecklistItem.objects.create(
            template=template, number=number, wording=wording, kind=kind, na_rule=na_rule, lead_type=lead_type
        )
    return template


def lead_type_of(item: ChecklistItem) -> str:
    """The lead type of a finding on this item (as inspections' ChecklistItem.finding_lead_type)."""
    if item.lead_type:
        return item.lead_type
    return LeadType.ILLEGAL if item.kind == ItemKind.DOCUMENT else LeadType.ABNORMAL


def ensure_regions(provinces: tuple[str, ...], out: Callable[[str], None]) -> None:
    """Guizhou from the shipped data; the simulated provinces as copies of its tree."""
    if not Region.objects.filter(code=PROVINCE).exists():
        result = load_province(PROVINCE)
        out(f"  加载贵州省区划 {sum(result.per_level.values()):,} 条")
    guizhou = (
        Region.objects.within(PROVINCE).order_by("code").values_list("code", "name", "level", "parent_id")
    )
    for prefix in provinces:
        if prefix == PROVINCE or Region.objects.filter(code=prefix).exists():
            continue
        table = Table(Region, "code name level parent_id")
        for code, name, level, parent in guizhou:
            new_name = f"模拟省{prefix}" if level == Level.PROVINCE else name
            table.add((prefix + code[2:], new_name, level, prefix + parent[2:] if parent else None))
        flush_all([table])
        out(f"  复制区划树为模拟省 {prefix}：{table.written:,} 条")


def county_profile(code: str) -> str:
    local = PROVINCE + code[2:]
    if local in MINING:
        return "mining"
    if local in INDUSTRIAL:
        return "industrial"
    if local in URBAN_FOCUS:
        return "urban"
    return "plain"


# --- what every county shares --------------------------------------------------------------


@dataclass
class Reference:
    today: dt.date
    now: dt.datetime
    start: dt.date  # 1 January, four years before today's year
    template: ChecklistTemplate
    items: list[ChecklistItem]
    policy: ReportingPolicy
    thresholds: list[tuple[Decimal, str]]
    password: str
    signatures: list[str]


class Tables:
    """Every table the generator writes, in foreign key order, with the ids it hands out."""

    def __init__(self) -> None:
        history = apps.get_model("employers", "HistoricalEmployer")
        history_hazards = apps.get_model("employers", "HistoricalEmployer_hazard_categories")
        self.history_model = history
        self.full_names: dict[int, str] = {}  # user id -> full name, for the notes of lead events
        self.agency = Table(Agency, "id name kind region_id phone")
        self.user = Table(User)
        self.user_villages = Table(User.villages.through, "user_id region_id")
        self.assistant = Table(Assistant)
        self.assistant_villages = Table(Assistant.villages.through, "assistant_id region_id")
        self.appointment = Table(Appointment)
        self.session = Table(TrainingSession)
        self.record = Table(TrainingRecord, "session_id assistant_id attended score passed")
        self.assessment = Table(Assessment, [f.attname for f in Assessment._meta.concrete_fields][1:])
        self.reward = Table(Reward, [f.attname for f in Reward._meta.concrete_fields][1:])
        self.dismissal = Table(Dismissal, [f.attname for f in Dismissal._meta.concrete_fields][1:])
        self.focus = Table(FocusIndustry, "region_id industry_code_id")
        self.employer = Table(Employer)
        self.employer_hazards = Table(Employer.hazard_categories.through)
        self.employer_history = Table(history)
        self.employer_history_hazards = Table(history_hazards, "id employer_id hazardcategory_id history_id")
        self.inspection = Table(Inspection)
        self.answer = Table(InspectionAnswer, "id inspection_id item_id answer note is_finding important")
        self.lead = Table(Lead)
        self.event = Table(LeadEvent, "lead_id kind at by_id note")
        self.complaint = Table(Complaint, [f.attname for f in Complaint._meta.concrete_fields][1:])
        self.assist = Table(AssistRequest, [f.attname for f in AssistRequest._meta.concrete_fields][1:])
        self.publicity = Table(PublicityEvent)
        self.publicity_employers = Table(PublicityEvent.employers.through, "publicityevent_id employer_id")
        self.ids = {
            table.model: Ids(table.model)
            for table in self.ordered()
            if table.model._meta.pk is not None and table.model._meta.pk.attname in table.fields
            if not isinstance(table.model._meta.pk, models.UUIDField)
        }

    def ordered(self) -> list[Table]:
        return [
            *(self.agency, self.user, self.user_villages, self.assistant, self.assistant_villages),
            *(self.appointment, self.session, self.record, self.assessment, self.reward, self.dismissal),
            *(self.focus, self.employer, self.employer_hazards, self.employer_history),
            *(self.employer_history_hazards, self.inspection, self.answer, self.lead, self.event),
            *(self.complaint, self.assist, self.publicity, self.publicity_employers),
        ]

    def buffered(self) -> int:
        return sum(len(t.rows) for t in self.ordered())

    def take(self, model: type[models.Model]) -> int:
        return self.ids[model].take()


def add_user(
    t: Tables, ref: Reference, username: str, full_name: str, role: str, region: str, **extra: Any
) -> int:
    uid = t.take(User)
    t.full_names[uid] = full_name
    t.user.put(
        id=uid,
        password=ref.password,
        username=username,
        full_name=full_name,
        role=role,
        region_id=region,
        date_joined=extra.pop("date_joined", None) or dt.datetime.combine(ref.start, dt.time(9), tzinfo=TZ),
        **extra,
    )
    return uid


# --- one county ------------------------------------------------------------------------------


@dataclass
class Tenure:
    user_id: int
    assistant_id: int
    start: dt.date
    end: dt.date | None  # dismissal day, None while serving


@dataclass
class Slot:
    """One assistant post of a township: the people who held it, one after another."""

    diligence: float
    tenures: list[Tenure] = field(default_factory=list)

    def holder(self, day: dt.date) -> Tenure | None:
        for tenure in self.tenures:
            if tenure.start <= day and (tenure.end is None or day < tenure.end):
                return tenure
        return None


@dataclass
class EmployerDraft:
    """An employer while its five years are simulated; written once its inspections are known."""

    id: int
    township: str
    region: str
    slot: int
    industry: str
    division: str | None
    serious: bool
    is_key: bool
    compliance: float  # 0..1, how well it keeps its documents
    construction_project: bool
    radiation_work: bool
    hazards: list[str]
    workers: int
    exposed: int
    created: dt.date
    closed: dt.date | None
    suspended: bool
    name: str
    address: str
    legal: str
    phone: str
    last_inspected: dt.date | None = None
    inspected_halves: int = 0  # as inspections.patrol keeps it
    declaration_missing: bool = False


class CountyGenerator:
    """Everything of one county, from its people to its leads, from one random stream."""

    def __init__(
        self,
        ref: Reference,
        tables: Tables,
        county: Region,
        tree: dict[str | None, list[Region]],
        n_employers: int,
        seed: int,
    ) -> None:
        self.ref, self.t, self.county = ref, tables, county
        self.townships = tree[county.code]
        self.villages = {t.code: tree[t.code] for t in self.townships}
        self.n_employers = n_employers
        self.profile = county_profile(county.code)
        self.rng = random.Random(f"{seed}:{county.code}")  # noqa: S311 - reproducible data, not secrets
        self.place = names.short_place(county.name)
        self.slots: dict[str, list[Slot]] = {}

    def run(self) -> None:
        self.people()
        drafts = self.employers()
        work = self.inspect_all(drafts)
        for e in drafts:
            self.write_employer(e)
        self.complaints_and_direct_leads(drafts)
        self.publicity(drafts)
        self.training_and_assessment(work)

    # people ---------------------------------------------------------------------------------

    def people(self) -> None:
        rng, code, county = self.rng, self.county.code, self.county.name
        self.admin_agency = self.t.take(Agency)
        self.t.agency.add((self.admin_agency, f"{county}卫生健康局", Agency.Kind.ADMINISTRATION, code, ""))
        self.supervision = self.t.take(Agency)
        self.t.agency.add(
            (self.supervision, f"{county}卫生健康综合监督执法大队", Agency.Kind.SUPERVISION, code, "")
        )
        self.admin = add_user(
            self.t,
            self.ref,
            f"{USERNAME_PREFIX}admin_{code}",
            f"{county}卫健局管理员",
            Role.COUNTY_ADMIN,
            code,
            agency_id=self.admin_agency,
            phone=names.landline(rng, code),
        )
        self.officers = [
            add_user(
                self.t,
                self.ref,
                f"{USERNAME_PREFIX}officer_{code}_{n}",
                names.person_name(rng),
                Role.OFFICER,
                code,
                agency_id=self.supervision,
                phone=names.mobile(rng),
            )
            for n in (1, 2)
        ]
        if self.profile == "urban":
            for division in names.FOCUS_DIVISIONS:
                self.t.focus.add((code, division))
        # The first cohort: pre-job training, then appointments over the following year.
        cohort_day = self.ref.start - dt.timedelta(days=400)
        prejob = self._session(TrainingKind.PRE_JOB, cohort_day, f"{county}职业健康监督协管员岗前培训")
        serial = 0
        for township in self.townships:
            posts = 2 if rng.random() < 0.65 else 1
            villages = self.villages[township.code]
            self.slots[township.code] = []
            for post in range(posts):
                slot = Slot(diligence=rng.uniform(0.84, 0.995))
                mine = [v for i, v in enumerate(villages) if i % posts == post] if posts > 1 else []
                serial += 1
                appointed = cohort_day + dt.timedelta(days=rng.randint(30, 430))
                self._hire(township, slot, mine, appointed, serial, prejob)
                self.slots[township.code].append(slot)

    def _session(self, kind: str, day: dt.date, topic: str) -> int:
        sid = self.t.take(TrainingSession)
        self.t.session.put(
            id=sid,
            kind=kind,
            region_id=self.county.code,
            held_on=day,
            topic=topic,
            location=f"{self.county.name}卫生健康局会议室",
            created_by_id=self.admin,
        )
        return sid

    def _hire(
        self,
        township: Region,
        slot: Slot,
        villages: list[Region],
        appointed: dt.date,
        serial: int,
        prejob: int,
    ) -> None:
        rng, ref = self.rng, self.ref
        person, phone = names.person_name(rng), names.mobile(rng)
        birth = dt.date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
        dismissed = None
        if rng.random() < 0.05:
            day = _day_between(rng, appointed + dt.timedelta(days=200), ref.today - dt.timedelta(days=30))
            dismissed = day if day > appointed + dt.timedelta(days=200) else None
        # Three-year terms (定期聘用), renewed until one covers today or the dismissal.
        terms: list[tuple[dt.date, dt.date]] = []
        start = appointed
        while True:
            end = dt.date(start.year + 3, start.month, min(start.day, 28)) - dt.timedelta(days=1)
            terms.append((start, end))
            if end >= ref.today or (dismissed and end >= dismissed):
                break
            start = end + dt.timedelta(days=1)
        uid = add_user(
            self.t,
            ref,
            f"{USERNAME_PREFIX}xg_{township.code}_{serial:03d}",
            person,
            Role.ASSISTANT,
            township.code,
            phone=phone,
            is_active=dismissed is None,  # as personnel.actions._sync_account keeps the account
            access_until=min(dismissed - dt.timedelta(days=1), terms[-1][1]) if dismissed else terms[-1][1],
            date_joined=_at(appointed, rng),
        )
        aid = self.t.take(Assistant)
        self.t.assistant.put(
            id=aid,
            user_id=uid,
            name=person,
            gender=rng.choice([Gender.MALE, Gender.FEMALE]),
            id_number=_id_number(self.county.code, birth, aid),
            phone=phone,
            education=rng.choices(list(Education), weights=[10, 35, 35, 18, 2])[0],
            origin=rng.choices(list(Origin), weights=[35, 35, 20, 10])[0],
            township_id=township.code,
            status=AssistantStatus.DISMISSED if dismissed else AssistantStatus.APPOINTED,
            law_abiding=True,
            law_abiding_evidence="无违法违纪记录（村委会证明）",
            fit_for_duty=True,
            fit_for_duty_evidence="体检合格",
            qualified=True,
            qualified_evidence="学历证书",
            knowledgeable=True,
            knowledgeable_evidence="岗前培训考核合格",
            created_at=_at(appointed - dt.timedelta(days=30), rng),
        )
        for village in villages:
            self.t.user_villages.add((uid, village.code))
            self.t.assistant_villages.add((aid, village.code))
        self.t.record.add((prejob, aid, True, Decimal(rng.randint(70, 98)), True))
        previous = None
        for number, (first, last) in enumerate(terms, start=1):
            pid = self.t.take(Appointment)
            self.t.appointment.put(
                id=pid,
                assistant_id=aid,
                start=first,
                end=last,
                document_no=f"{self.place}卫健聘〔{first.year}〕{serial * 10 + number}号",
                renewal_of_id=previous,
                created_by_id=self.admin,
                created_at=_at(first, rng),
            )
            previous = pid
        slot.tenures.append(Tenure(uid, aid, appointed, dismissed))
        if dismissed:
            self.t.dismissal.put(
                assistant_id=aid,
                ground=rng.choice(list(DismissalGround)),
                dismissed_on=dismissed,
                document_no=f"{self.place}卫健解〔{dismissed.year}〕{serial}号",
                created_by_id=self.admin,
                created_at=_at(dismissed, rng),
            )
            hired = dismissed + dt.timedelta(days=rng.randint(30, 90))
            if hired <= ref.today:  # a replacement, after a pre-job training of their own
                topic = f"{self.county.name}协管员岗前培训（补充）"
                session = self._session(TrainingKind.PRE_JOB, hired - dt.timedelta(days=10), topic)
                self._hire(township, slot, villages, hired, serial + 500, session)

    def _holder(self, township: str, slot: int, day: dt.date) -> Tenure | None:
        """Who inspects for this post on this day; a vacant post is covered by the other one."""
        slots = self.slots[township]
        tenure = slots[slot].holder(day)
        for other in slots:
            tenure = tenure or other.holder(day)
        return tenure

    # employers ------------------------------------------------------------------------------

    def employers(self) -> list[EmployerDraft]:
        rng = self.rng
        weights = [len(self.villages[t.code]) + 3 for t in self.townships]
        used: set[tuple[str, str]] = set()
        drafts = []
        for _ in range(self.n_employers):
            township = rng.choices(self.townships, weights=weights)[0]
            villages = self.villages[township.code]
            village = rng.choice(villages) if villages and rng.random() < 0.85 else None
            industry = rng.choices(INDUSTRIES, weights=MIX[self.profile])[0]
            if industry == Industry.OTHER:
                focus = self.profile == "urban" and rng.random() < 0.45
                division = (
                    rng.choice(names.FOCUS_DIVISIONS)
                    if focus
                    else rng.choices(names.OTHER_DIVISIONS, names.OTHER_WEIGHTS)[0]
                )
                ending = rng.choice(names.ENDINGS[division])
            else:
                division = rng.choice(DIVISIONS[industry])
                ending = rng.choice(names.ENDINGS[industry])
            place = names.short_place(township.name) if rng.random() < 0.6 else self.place
            name = f"{place}{rng.choice(names.BRANDS)}{ending}"
            while (township.code, name_key(name)) in used:
                name = f"{place}{rng.choice(names.BRANDS)}{rng.choice(names.BRANDS)}{ending}"
            used.add((township.code, name_key(name)))
            drafts.append(self._employer(township, village, industry, division, name))
        return drafts

    def _employer(
        self, township: Region, village: Region | None, industry: str, division: str, name: str
    ) -> EmployerDraft:
        rng, ref = self.rng, self.ref
        eid = self.t.take(Employer)
        big = industry in (Industry.COAL, Industry.METALLURGY, Industry.CHEMICAL)
        workers = max(3, int(rng.lognormvariate(5.3 if big else 3.6, 0.7)))
        serious = rng.random() < SERIOUS.get(industry, 0.2)
        code = division if rng.random() < 0.9 else None  # the GB/T 4754 code is optional in the ledger
        hazards = [h for h in HAZARDS[industry] if rng.random() < (0.85 if h != "chemical" else 0.45)]
        radiation = rng.random() < 0.02
        if radiation:
            hazards.append("radioactive")
        if rng.random() < 0.82:  # in the ledger since it was built; the rest registered later
            created = ref.start - dt.timedelta(days=rng.randint(0, 60))
        else:
            created = _day_between(rng, ref.start, ref.today - dt.timedelta(days=20))
        roll = rng.random()
        closed = None
        if roll < 0.05 and created < ref.today - dt.timedelta(days=200):
            closed = _day_between(rng, created + dt.timedelta(days=120), ref.today - dt.timedelta(days=30))
        slots = len(self.slots[township.code])
        return EmployerDraft(
            id=eid,
            township=township.code,
            region=(village or township).code,
            slot=(self.villages[township.code].index(village) if village else eid) % slots,
            industry=industry,
            division=code,
            serious=serious,
            is_key=industry in KEY_INDUSTRIES
            or serious
            or (self.profile == "urban" and code in names.FOCUS_DIVISIONS),
            compliance=rng.betavariate(5, 2),
            construction_project=rng.random() < 0.12,
            radiation_work=radiation,
            hazards=hazards or ["dust"],
            workers=workers,
            exposed=max(1, int(workers * rng.uniform(0.3, 0.9))),
            created=created,
            closed=closed,
            suspended=closed is None and roll > 0.93,
            name=name,
            address=self.county.name
            + f"{township.name}{village.name if village else ''}{rng.randint(1, 300)}号",
            legal=names.person_name(rng),
            phone=names.mobile(rng) if rng.random() < 0.75 else names.landline(rng, self.county.code),
        )

    def write_employer(self, e: EmployerDraft) -> None:
        rng, ref = self.rng, self.ref
        gaps: list[str] = []
        if rng.random() < 0.08:  # an incomplete ledger record: one or two basic fields never filled
            choices = ["address", "legal_representative", "phone", "hazard_categories", "workers"]
            gaps = rng.sample(choices, rng.choice([1, 1, 2]))
            if "workers" in gaps:
                gaps.append("exposed_workers")
        missing = [f for f in REGISTRATION_FIELDS if f in gaps]
        # Registered later by the township's assistant; the first ledger was imported by the county.
        creator = self._holder(e.township, e.slot, e.created) if e.created > ref.start else None
        creator_id = creator.user_id if creator else self.admin
        created_at = _at(e.created, rng)
        if e.declaration_missing:
            declared = None if rng.random() < 0.6 else ref.today - dt.timedelta(days=rng.randint(400, 1200))
        else:
            declared = ref.today - dt.timedelta(days=rng.randint(20, 360))
        status = OperatingStatus.OPERATING
        if e.closed:
            status = OperatingStatus.CLOSED
        elif e.suspended:
            status = OperatingStatus.SUSPENDED
        values: dict[str, Any] = {
            "id": e.id,
            "name": e.name,
            "address": "" if "address" in gaps else e.address,
            "legal_representative": "" if "legal_representative" in gaps else e.legal,
            "phone": "" if "phone" in gaps else e.phone,
            "name_key": name_key(e.name),
            "credit_code": _credit_code(self.county.code, e.id) if rng.random() < 0.88 else None,
            "region_id": e.region,
            "township_id": e.township,
            "industry": e.industry,
            "industry_code_id": e.division,
            "radiation_work": e.radiation_work,
            "construction_project": e.construction_project,
            "workers": None if "workers" in gaps else e.workers,
            "exposed_workers": None if "workers" in gaps else e.exposed,
            "status": status,
            "closed_reason": "资源整合关闭" if e.closed else "",
            "closed_on": e.closed,
            "serious_hazard": e.serious,
            "declaration_date": declared,
            "declaration_receipt": f"{self.county.code}{declared:%Y}{e.id % 100000:05d}" if declared else "",
            "registered": not missing,
            "missing_fields": missing,
            "is_key": e.is_key,
            "last_inspected_on": e.last_inspected,
            "inspected_halves": e.inspected_halves,
            "version": 1,
            "created_at": created_at,
            "updated_at": _at(e.closed or e.last_inspected or e.created, rng),
            "created_by_id": creator_id,
        }
        self.t.employer.put(**values)
        history_id = self.t.take(self.t.history_model)
        # simple_history's "+" record: the ledger row as it was created.
        del values["name_key"], values["updated_at"], values["inspected_halves"]
        final = dict(values)
        values.update(
            last_inspected_on=None, status=OperatingStatus.OPERATING, closed_reason="", closed_on=None
        )
        self.t.employer_history.put(
            **values,
            history_id=history_id,
            history_date=created_at,
            history_type="+",
            history_user_id=creator_id,
        )
        closing_id = None
        if e.closed:  # employers.actions.close_employer's "~" record: the day it was closed
            closing_id = self.t.take(self.t.history_model)
            self.t.employer_history.put(
                **final,
                history_id=closing_id,
                history_date=_at(e.closed, rng),
                history_type="~",
                history_user_id=self.admin,
                history_change_reason="关闭：资源整合关闭",
            )
        for hazard in [] if "hazard_categories" in gaps else e.hazards:
            through_id = self.t.take(Employer.hazard_categories.through)
            self.t.employer_hazards.add((through_id, e.id, hazard))
            self.t.employer_history_hazards.add((through_id, e.id, hazard, history_id))
            if closing_id is not None:
                self.t.employer_history_hazards.add((through_id, e.id, hazard, closing_id))

    # inspections ------------------------------------------------------------------------------

    def inspect_all(self, drafts: list[EmployerDraft]) -> dict[int, list[int]]:
        """Five years of half-yearly inspections; returns the years inspected per assistant user."""
        rng, ref = self.rng, self.ref
        work: dict[int, list[int]] = defaultdict(list)
        halves = _halves(ref.start, ref.today)
        documents = [item.pk for item in ref.items if item.kind == ItemKind.DOCUMENT]
        for e in drafts:
            diligence = self.slots[e.township][e.slot].diligence
            # Which documents the employer lacks; the state changes at every inspection.
            lacking = {pk: rng.random() < 0.22 * (1.6 - e.compliance) for pk in documents}
            # closed_on is the first day closed: the last visit is the day before
            alive_until = min(e.closed - dt.timedelta(days=1) if e.closed else ref.today, ref.today)
            for first, last in halves:
                if last < e.created or first > alive_until or (e.suspended and rng.random() < 0.5):
                    continue
                visits = 1 if rng.random() < diligence * (1.0 if e.is_key else 0.96) else 0
                if visits and e.is_key and rng.random() < 0.3:
                    visits = 2
                for _ in range(visits):
                    day = _workday(_day_between(rng, max(first, e.created), min(last, alive_until)))
                    if not e.created <= day <= ref.today:
                        continue
                    found = self.inspect(e, day, lacking, work)
                    if found and rng.random() < 0.3:  # a follow-up visit after rectification was ordered
                        again = _workday(day + dt.timedelta(days=rng.randint(15, 60)))
                        if again <= alive_until:
                            self.inspect(e, again, lacking, work)
            if e.closed is None and rng.random() < 0.015:  # started in the field, not yet submitted
                self.draft(e)
            e.declaration_missing = bool(documents and lacking[documents[0]])
        return work

    def inspect(
        self, e: EmployerDraft, day: dt.date, lacking: dict[int, bool], work: dict[int, list[int]]
    ) -> int:
        rng, ref = self.rng, self.ref
        tenure = self._holder(e.township, e.slot, day)
        if tenure is None:
            return 0
        at = _at(day, rng)
        late = rng.random() >= 0.85  # submitted later from an office with signal
        submitted = min(
            at + dt.timedelta(minutes=rng.randint(180, 3600) if late else rng.randint(5, 90)), ref.now
        )
        improve = 1 - 0.07 * (day.year - ref.start.year)
        iid = uuid.UUID(int=rng.getrandbits(128), version=4)
        answers = []
        for item in ref.items:
            finding = False
            if item.kind == ItemKind.DOCUMENT:
                if (
                    item.na_rule == NotApplicableRule.NO_CONSTRUCTION_PROJECT and not e.construction_project
                ) or (item.na_rule == NotApplicableRule.NO_RADIATION_WORK and not e.radiation_work):
                    answer = Answer.NOT_APPLICABLE
                else:
                    finding = lacking[item.pk]
                    answer = Answer.NO if finding else Answer.YES
                    if finding:  # ordered to rectify: fixed by next time, more often by the compliant
                        lacking[item.pk] = rng.random() < 0.55 - 0.3 * e.compliance
                    else:  # documents lapse (yearly monitoring due, new workers)
                        lacking[item.pk] = rng.random() < 0.07 * (1.4 - e.compliance) * improve
            else:
                rate = (0.035 if item.number != 7 else 0.012) * (1.5 - e.compliance) * improve
                finding = rng.random() < rate
                answer = Answer.YES if finding else Answer.NO
            note = ""
            if finding:
                notes = names.FINDING_NOTES.get(item.number) or [f"{item.wording}：发现问题"]
                note = rng.choice(notes)
            answers.append((item, answer, note, finding))
        findings = sum(1 for a in answers if a[3])
        # submit_inspection refuses a record without both signatures (inspections.actions.self_check),
        # so every submitted inspection is complete.
        lat, lon = self._position(e.township)
        self.t.inspection.put(
            id=iid,
            template_id=ref.template.pk,
            employer_id=e.id,
            region_id=e.region,
            assistant_id=tenure.user_id,
            employer_name=e.name,
            address=e.address,
            legal_representative=e.legal,
            phone=e.phone,
            inspected_at=at,
            accompanying_person=names.person_name(rng),
            companion_signature=rng.choice(ref.signatures),
            assistant_signature=rng.choice(ref.signatures),
            latitude=Decimal(f"{lat + rng.uniform(-0.02, 0.02):.6f}"),
            longitude=Decimal(f"{lon + rng.uniform(-0.02, 0.02):.6f}"),
            accuracy_m=round(rng.uniform(4, 60), 1),
            status=InspectionStatus.SUBMITTED,
            submitted_at=submitted,
            complete=True,
            findings_count=findings,
            created_at=at,
            updated_at=submitted,
        )
        for item, answer, note, finding in answers:
            answer_id = self.t.take(InspectionAnswer)
            # as the inspection form: a finding of a suspected patient or poisoning is important by default
            important = finding and lead_type_of(item) in IMPORTANT_BY_DEFAULT
            self.t.answer.add((answer_id, iid, item.pk, answer, note, finding, important))
            if finding:
                # As inspections.actions._leads_for_findings: one lead per finding, by discover_lead.
                description = f"巡查发现：第{item.number}项“{item.wording}”为“{Answer(answer).label}”。"
                self.lead(
                    region=e.region,
                    employer=e.id,
                    place=e.address,
                    lead_type=lead_type_of(item),
                    source=LeadSource.INSPECTION,
                    inspection=iid,
                    answer=answer_id,
                    description=description + (f"情况说明：{note}" if note else ""),
                    discovered_at=at,
                    by=tenure.user_id,
                )
        e.last_inspected = max(e.last_inspected or day, day)
        e.inspected_halves |= patrol.bit_of(day)
        work[tenure.user_id].append(day.year)
        return findings

    def draft(self, e: EmployerDraft) -> None:
        rng, ref = self.rng, self.ref
        day = _workday(ref.today - dt.timedelta(days=rng.randint(0, 14)))
        tenure = self._holder(e.township, e.slot, day)
        if tenure is None or day < e.created:
            return
        at = min(_at(day, rng), ref.now)
        iid = uuid.UUID(int=rng.getrandbits(128), version=4)
        lat, lon = self._position(e.township)
        self.t.inspection.put(
            id=iid,
            template_id=ref.template.pk,
            employer_id=e.id,
            region_id=e.region,
            assistant_id=tenure.user_id,
            employer_name=e.name,
            address=e.address,
            legal_representative=e.legal,
            phone=e.phone,
            inspected_at=at,
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lon:.6f}"),
            accuracy_m=30.0,
            status=InspectionStatus.DRAFT,
            created_at=at,
            updated_at=at,
        )
        for item in ref.items[: rng.randint(1, len(ref.items) - 1)]:
            answer = Answer.YES if item.kind == ItemKind.DOCUMENT else Answer.NO
            self.t.answer.add((self.t.take(InspectionAnswer), iid, item.pk, answer, "", False, False))

    def _position(self, township: str) -> tuple[float, float]:
        local = random.Random(township[2:])  # noqa: S311 - the same place in every simulated province
        return 24.7 + local.random() * 4.4, 103.7 + local.random() * 5.8

    # leads ------------------------------------------------------------------------------------

    def lead(
        self,
        *,
        region: str,
        employer: int | None,
        lead_type: str,
        source: str,
        description: str,
        discovered_at: dt.datetime,
        by: int,
        important: bool | None = None,
        abnormal_kind: str = "",
        place: str = "",
        inspection: uuid.UUID | None = None,
        answer: int | None = None,
    ) -> int:
        """A lead and its life: reported on time, late or not at all; handled and closed as time allows."""
        rng, ref = self.rng, self.ref
        if not important:
            important = lead_type in IMPORTANT_BY_DEFAULT
        importance = Importance.IMPORTANT if important else Importance.NORMAL
        due = report_due_at(discovered_at, importance, None, ref.policy)
        lid = self.t.take(Lead)
        events: list[tuple[str, dt.datetime, int, str]] = [
            (EventKind.DISCOVERED, discovered_at, by, str(LeadSource(source).label))
        ]
        officer = rng.choice(self.officers)
        life: dict[str, Any] = {"status": LeadStatus.DISCOVERED}
        pending = 0.45 if (ref.now - discovered_at).days < 7 else 0.05
        reported_at = None
        if rng.random() >= pending:
            if rng.random() < (0.78 if important else 0.85):
                reported_at = discovered_at + (due - discovered_at) * rng.uniform(0.05, 0.95)
            else:
                reported_at = due + dt.timedelta(hours=rng.uniform(1, 24 * 15))
            reported_at = reported_at if reported_at <= ref.now else None
        if reported_at:
            life.update(
                status=LeadStatus.REPORTED,
                reported_at=reported_at,
                reported_by_id=by,
                reported_to_agency_id=self.supervision,
                reported_to_officer_id=officer,
                report_method=rng.choices(list(ReportMethod), weights=[80, 15, 5])[0],
            )
            target = f"{self.county.name}卫生健康综合监督执法大队 {self.t.full_names[officer]}"
            text = f"报告{target}（{ReportMethod(life['report_method']).label}）"
            events.append((EventKind.REPORTED, reported_at, by, text))
            self._handle(life, events, lid, region, employer, officer)
        self.t.lead.put(
            id=lid,
            region_id=region,
            employer_id=employer,
            place=place,
            lead_type=lead_type,
            abnormal_kind=abnormal_kind,
            source=source,
            inspection_id=inspection,
            inspection_answer_id=answer,
            description=description,
            importance=importance,
            discovered_at=discovered_at,
            discovered_by_id=by,
            report_due_at=due,
            **life,
        )
        for kind, at, who, note in events:
            self.t.event.add((lid, kind, at, who, note))
        return lid

    def _handle(
        self,
        life: dict[str, Any],
        events: list[tuple[str, dt.datetime, int, str]],
        lead: int,
        region: str,
        employer: int | None,
        officer: int,
    ) -> None:
        """The officer's steps, in the order and with the fields leads.actions records them."""
        rng, now = self.rng, self.ref.now
        acknowledged = life["reported_at"] + dt.timedelta(hours=rng.uniform(0.5, 48))
        if acknowledged > now:
            return
        life.update(acknowledged_at=acknowledged, acknowledged_by_id=officer)
        events.append((EventKind.ACKNOWLEDGED, acknowledged, officer, ""))
        handled = acknowledged + dt.timedelta(days=rng.uniform(0.5, 5))
        if handled > now:
            return
        handling = rng.choices(
            [Handling.ASSIST, Handling.ENFORCEMENT, Handling.NO_ACTION], weights=[30, 25, 45]
        )[0]
        life.update(status=LeadStatus.HANDLING, handling=handling)
        ready = handled  # when the lead may be closed
        action = None
        if handling == Handling.ASSIST:  # request_assist, then the assistant's record_assist
            tenure = self._holder(region[:9], 0, _local(handled))
            if tenure is None:
                life.update(status=LeadStatus.REPORTED, handling="")
                return
            events.append(
                (
                    EventKind.ASSIST_REQUESTED,
                    handled,
                    officer,
                    f"请协管员 {self.t.full_names[tenure.user_id]} 协查",
                )
            )
            recorded = self._assist(region, lead, employer, officer, tenure.user_id, handled)
            if recorded is None:
                return
            events.append(
                (EventKind.ASSIST_RECORDED, recorded, tenure.user_id, "协查结果：情况属实，已责令整改")
            )
            ready = recorded
            if rng.random() < 0.5:
                action = OfficerAction.RECTIFY
        elif handling == Handling.ENFORCEMENT:
            events.append((EventKind.HANDLING, handled, officer, str(Handling.ENFORCEMENT.label)))
            action = rng.choice([OfficerAction.FILED, OfficerAction.RECTIFY, OfficerAction.PENALTY])
        else:
            reason = "经核实，现场问题已当场整改"
            life["handling_reason"] = reason
            events.append((EventKind.HANDLING, handled, officer, f"{Handling.NO_ACTION.label}\n{reason}"))
        if action is not None:
            acted = ready + dt.timedelta(days=rng.uniform(0.5, 10))
            if acted > now:
                return
            life["officer_action"] = action
            events.append((EventKind.OFFICER_ACTION, acted, officer, str(OfficerAction(action).label)))
            ready = acted
        closing = ready + dt.timedelta(days=rng.uniform(1, 30))
        if closing > now or rng.random() > 0.93:
            return
        outcome = {
            None: "经核实无需处理，已办结",
            OfficerAction.RECTIFY: "已责令限期整改，复查合格",
            OfficerAction.PENALTY: "已依法给予行政处罚",
            OfficerAction.FILED: "已立案调查，移交执法程序",
        }[action]
        life.update(status=LeadStatus.CLOSED, closed_at=closing, closed_by_id=officer, outcome=outcome)
        events.append((EventKind.CLOSED, closing, officer, outcome))

    def _assist(
        self, region: str, lead: int, employer: int | None, officer: int, assistant: int, at: dt.datetime
    ) -> dt.datetime | None:
        """A 协查 request; returns when the assistant recorded it (None: still open)."""
        rng, now = self.rng, self.ref.now
        done = at + dt.timedelta(days=rng.uniform(1, 12))
        finished = done < now - dt.timedelta(hours=1) and rng.random() < 0.92
        self.t.assist.put(
            region_id=region,
            lead_id=lead,
            employer_id=employer,
            requested_by_id=officer,
            assistant_id=assistant,
            requested_at=at,
            due_on=_local(at) + dt.timedelta(days=14),
            request_note="请协助核实现场情况并拍照取证",
            status=AssistStatus.DONE if finished else AssistStatus.REQUESTED,
            done_on=_local(done) if finished else None,
            what_done="陪同执法人员现场检查，拍照留存" if finished else "",
            outcome="情况属实，已责令整改" if finished else "",
            recorded_at=done if finished else None,
        )
        return done if finished else None

    def complaints_and_direct_leads(self, drafts: list[EmployerDraft]) -> None:
        rng, ref = self.rng, self.ref
        by_township: dict[str, list[EmployerDraft]] = defaultdict(list)
        for e in drafts:
            by_township[e.township].append(e)
        for township in self.townships:
            pool = by_township[township.code]
            for year in range(ref.start.year, ref.today.year + 1):
                last = min(dt.date(year, 12, 31), ref.today)
                for _ in range(_poisson(rng, 0.5)):  # 群众投诉举报
                    day = _day_between(rng, dt.date(year, 1, 1), last)
                    tenure = self._holder(township.code, 0, day)
                    if tenure is None:
                        continue
                    at = min(_at(day, rng, 7, 21), ref.now)
                    target = rng.choice(pool) if pool and rng.random() < 0.8 else None
                    content = rng.choice(names.COMPLAINTS)
                    anonymous = rng.random() < 0.35
                    region = target.region if target else township.code
                    place = "" if target else f"{township.name}境内"
                    lead = self.lead(
                        region=region,
                        employer=target.id if target else None,
                        place=place,
                        lead_type=LeadType.COMPLAINT,
                        source=LeadSource.COMPLAINT,
                        description=content,
                        discovered_at=at,
                        by=tenure.user_id,
                    )
                    self.t.complaint.put(
                        region_id=region,
                        received_at=at,
                        channel=rng.choice(list(ComplaintChannel)),
                        content=content,
                        employer_id=target.id if target else None,
                        place=place,
                        anonymous=anonymous,
                        complainant_name="" if anonymous else names.person_name(rng),
                        complainant_contact="" if anonymous else names.mobile(rng),
                        recorded_by_id=tenure.user_id,
                        lead_id=lead,
                    )
                for _ in range(_poisson(rng, 0.06)):  # 可疑职业病人, 职业中毒事故: important
                    day = _day_between(rng, dt.date(year, 1, 1), last)
                    tenure = self._holder(township.code, 0, day)
                    if tenure is None or not pool:
                        continue
                    e = rng.choice(pool)
                    patient = rng.random() < 0.7
                    self.lead(
                        region=e.region,
                        employer=e.id,
                        lead_type=LeadType.SUSPECTED_PATIENT if patient else LeadType.POISONING,
                        source=LeadSource.DIRECT,
                        description=(
                            "村民反映其长期在矿山务工，近期咳嗽气短，疑似尘肺病"
                            if patient
                            else "一名工人清理储罐时出现头晕呕吐，疑似急性中毒"
                        ),
                        discovered_at=min(_at(day, rng), ref.now),
                        by=tenure.user_id,
                    )

    # publicity, training, assessment ----------------------------------------------------------

    def publicity(self, drafts: list[EmployerDraft]) -> None:
        rng, ref = self.rng, self.ref
        by_township: dict[str, list[int]] = defaultdict(list)
        for e in drafts:
            by_township[e.township].append(e.id)
        for township in self.townships:
            pool = by_township[township.code]
            for year in range(ref.start.year, ref.today.year + 1):
                last = min(dt.date(year, 12, 31), ref.today)
                for _ in range(rng.choices([0, 1, 2, 3], weights=[8, 45, 32, 15])[0]):
                    day = _day_between(rng, dt.date(year, 1, 1), last)
                    tenure = self._holder(township.code, 0, day)
                    if tenure is None:
                        continue
                    kind = rng.choice(list(PublicityKind))
                    pid = self.t.take(PublicityEvent)
                    self.t.publicity.put(
                        id=pid,
                        region_id=township.code,
                        held_on=day,
                        kind=kind,
                        topic=rng.choice(names.PUBLICITY_TOPICS[kind]),
                        location=f"{township.name}{rng.choice(['政府广场', '卫生院', '集市', '村委会'])}",
                        audience=rng.randint(20, 300),
                        recorded_by_id=tenure.user_id,
                        created_at=min(_at(day + dt.timedelta(days=rng.randint(0, 3)), rng), ref.now),
                    )
                    for employer in rng.sample(pool, min(len(pool), rng.randint(0, 6))):
                        self.t.publicity_employers.add((pid, employer))

    def training_and_assessment(self, work: dict[int, list[int]]) -> None:
        rng, ref = self.rng, self.ref
        tenures = [t for slots in self.slots.values() for slot in slots for t in slot.tenures]
        for year in range(ref.start.year, ref.today.year + 1):
            day = _workday(dt.date(year, rng.randint(3, 10), rng.randint(1, 28)))
            if day <= ref.today:  # the county's yearly business training (业务培训)
                sid = self._session(
                    TrainingKind.BUSINESS, day, f"{year}年度{rng.choice(names.TRAINING_TOPICS)}"
                )
                for t in tenures:
                    if t.start <= day and (t.end is None or day < t.end):
                        attended = rng.random() < 0.93
                        score = Decimal(min(100, max(40, int(rng.gauss(84, 9))))) if attended else None
                        passed = None if score is None else score >= 60
                        self.t.record.add((sid, t.assistant_id, attended, score, passed))
            if year >= ref.today.year:
                continue
            year_end = dt.date(year, 12, 31)
            for t in tenures:  # the yearly assessment (考核), signed off early next year
                if not (t.start <= year_end and (t.end is None or t.end > year_end)):
                    continue
                done = sum(1 for y in work.get(t.user_id, []) if y == year)
                duty = Decimal(min(40, 24 + done // 4 + rng.randint(0, 8)))
                service, discipline = Decimal(rng.randint(28, 40)), Decimal(rng.randint(15, 20))
                total = duty + service + discipline
                grade = next((g for floor, g in ref.thresholds if total >= floor), Grade.FAIL)
                signed = min(
                    _at(dt.date(year + 1, 1, 10) + dt.timedelta(days=rng.randint(0, 45)), rng), ref.now
                )
                self.t.assessment.put(
                    assistant_id=t.assistant_id,
                    year=year,
                    duty_score=duty,
                    service_score=service,
                    discipline_score=discipline,
                    total_score=total,
                    grade=grade,
                    measured={"inspections": done},
                    signed_off_at=signed,
                    signed_off_by_id=self.admin,
                )
                if grade == Grade.EXCELLENT and rng.random() < 0.3:
                    self.t.reward.put(
                        assistant_id=t.assistant_id,
                        ground=RewardGround.DEDICATED,
                        description=f"{year}年度巡查任务完成突出",
                        awarded_on=min(_local(signed) + dt.timedelta(days=20), ref.today),
                        document_no=f"{self.place}卫健表〔{year + 1}〕{t.assistant_id % 100}号",
                        created_by_id=self.admin,
                    )


# --- the run -----------------------------------------------------------------------------------


EXTRA_TABLES = [  # rows that point at generated rows (wiped with them; gendata writes none)
    "axes_accessattempt",
    "axes_accesslog",
    "django_session",
    "django_admin_log",
    "accounts_notification",
    "inspections_inspectionphoto",
    "inspections_inspectionamendment",
    "leads_leadphoto",
    "leads_assistphoto",
    "outreach_publicityphoto",
    "inspections_assistanthalf",  # filled after the load from the inspections (generate)
]


def wipe(out: Callable[[str], None]) -> None:
    """Empty every table gendata fills (all users too), keeping regions, code lists and templates."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = [t for t in EXTRA_TABLES if t in existing]
        tables += [t.name for t in reversed(Tables().ordered())] + [GeneratedDataset._meta.db_table]
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may block TRUNCATE
            cursor.execute("TRUNCATE " + ", ".join(quote(n) for n in tables) + " CASCADE")
        else:
            for name in tables:
                cursor.execute(f"DELETE FROM {quote(name)}")  # noqa: S608 - table names from the models
    out("  已清空生成数据所在的各表（区划、代码表、巡查表模板保留）")


def reference(today: dt.date, seed: int) -> Reference:
    hazard_codes = set(HazardCategory.objects.values_list("code", flat=True))
    industry_codes = set(IndustryCode.objects.values_list("code", flat=True))
    needed = {h for hs in HAZARDS.values() for h in hs} | {"radioactive"}
    divisions = {d for ds in DIVISIONS.values() for d in ds} | set(names.OTHER_DIVISIONS)
    if not needed <= hazard_codes or not divisions <= industry_codes:
        raise GenerationRefused("缺少职业病危害因素类别或行业代码表：请先运行 python manage.py migrate。")
    thresholds = sorted(
        (
            (Decimal(str(t.min_score)), str(t.grade))
            for t in GradeThreshold.rows_for_region(PROVINCE).values()
        ),
        reverse=True,
    )
    template = active_template()
    return Reference(
        today=today,
        now=dt.datetime.combine(today, dt.time(18, 0), tzinfo=TZ),
        start=dt.date(today.year - 4, 1, 1),
        template=template,
        items=list(template.items.order_by("number")),
        policy=ReportingPolicy.for_region(PROVINCE),
        thresholds=thresholds
        or [(Decimal(90), Grade.EXCELLENT), (Decimal(75), Grade.GOOD), (Decimal(60), Grade.BASIC)],
        password=make_password(GENERATED_PASSWORD),
        signatures=ensure_signatures(random.Random(seed)),  # noqa: S311
    )


def generate(
    scale: str, seed: int, today: dt.date, out: Callable[[str], None], *, reset: bool = False
) -> GeneratedDataset:
    spec = SCALES[scale]
    started = time.perf_counter()
    if reset:
        wipe(out)
    elif GeneratedDataset.objects.exists() or Employer.objects.exists() or Inspection.objects.exists():
        found = GeneratedDataset.objects.first()
        what = f"已有 gendata 数据（{found}）" if found else "已有用人单位或巡查数据"
        raise GenerationRefused(f"数据库中{what}，未写入任何数据。要重新生成请加 --reset（会清空这些表）。")
    ensure_regions(spec.provinces, out)
    ref = reference(today, seed)
    tables = Tables()
    commit_seconds = 0.0
    big = [tables.inspection, tables.answer, tables.lead, tables.event] if scale != "small" else []
    journal = Path(settings.VAR_DIR) / "bench" / f"bulk-load-{connection.settings_dict['NAME']}.json"
    with bulk_load(big, out, journal):
        for province in spec.provinces:
            tree: dict[str | None, list[Region]] = defaultdict(list)
            for code, name, level, parent in (
                Region.objects.within(province)
                .order_by("code")
                .values_list("code", "name", "level", "parent_id")
            ):
                tree[parent].append(Region(code=code, name=name, level=level, parent_id=parent))
            counties = [c for prefecture in tree[province] for c in tree[prefecture.code]]
            counties = [c for c in counties if not spec.counties or c.code in spec.counties]
            weights = {c.code: len(tree[c.code]) * WEIGHT[county_profile(c.code)] for c in counties}
            total_weight = sum(weights.values())
            add_user(
                tables,
                ref,
                f"{USERNAME_PREFIX}admin_{province}",
                "省卫生健康委管理员",
                Role.PROVINCE_ADMIN,
                province,
                is_staff=True,
            )
            for prefecture in tree[province]:
                name = f"{prefecture.name}卫生健康局"
                add_user(
                    tables,
                    ref,
                    f"{USERNAME_PREFIX}view_{prefecture.code}",
                    name,
                    Role.PREFECTURE_VIEWER,
                    prefecture.code,
                )
            for prefecture in tree[province]:
                mine = [c for c in counties if c.parent_id == prefecture.code]
                for county in mine:
                    n = round(spec.employers * weights[county.code] / total_weight)
                    CountyGenerator(ref, tables, county, tree, n, seed).run()
                    if tables.buffered() >= FLUSH_ROWS:
                        commit_seconds += flush_all(tables.ordered())
                commit_seconds += flush_all(tables.ordered())
                if mine:
                    out(
                        f"  {prefecture.code} {prefecture.name}：用人单位累计 {tables.employer.written:,}，"
                        f"巡查 {tables.inspection.written:,}，巡查项目 {tables.answer.written:,}，"
                        f"线索 {tables.lead.written:,}（{time.perf_counter() - started:.0f} 秒）"
                    )
    writing = sorted(tables.ordered(), key=lambda t: -t.seconds)
    spent = "，".join(f"{t.name} {t.seconds:.0f}" for t in writing[:4])
    out(f"  写入用时（秒）：{spent}；提交（外键检查）{commit_seconds:.0f}")
    reset_sequences([t.model for t in tables.ordered()])
    # AssistantHalf (the assistants' patrol per half-year) as the inspection actions keep it.
    out(f"  协管员半年巡查记录：{patrol.rebuild_assistant_halves():,} 条")
    if connection.vendor == "postgresql":
        # Statistics for the planner, and the visibility map for index-only scans (as autovacuum
        # would set them a little later); VACUUM cannot run inside a transaction (tests).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return GeneratedDataset.objects.create(
        scale=scale,
        seed=seed,
        today=today,
        provinces=list(spec.provinces),
        counts={t.name: t.written for t in tables.ordered()},
        seconds=round(time.perf_counter() - started, 1),
    )

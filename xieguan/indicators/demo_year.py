"""The demo year: 六盘水市 (5202) at work, so that a newcomer's dashboards have something to show.

``seeddemo`` runs this after every app's ``demo.py`` (unless ``--without-year``). It replays
last year and this year to today in the prefecture's four
county-level divisions, each action through the owning app's domain action, run at its own date
(``time_machine`` moves the clock, so submission times, reporting delays and deadlines are what
they would have been):

- a county admin, a supervision agency and an officer in every county (the existing demo accounts
  盘州市 panzhou/jiandu and 六枝特区 liuzhi are reused; 钟山区 and 水城区 get ``zhongshan`` /
  ``jiandu_zs`` and ``shuicheng`` / ``jiandu_sc``);
- an assistant in most townships (about one in eight has none: the staffing page flags them),
  with an account ``xg<township code>``, pre-job training and a three-year appointment;
- three to seven employers per staffed township (some incomplete: registration < 100%);
- the inspections of each half-year (most key employers every half, a few assistants behind),
  findings becoming leads that are reported (a few late, a few never) and handled by the officer;
- business training with attendance and marks, publicity events (some townships none), tasks
  from the county (some answered, some overdue) and each county's funding with spending.

Deterministic (``random.Random(SEED)``) and refused on a second run (the 钟山区 employers exist).
Timing (README, "Demo accounts"): about 12 s of CPU on SQLite for the whole ``seeddemo``.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import time_machine
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from PIL import Image, ImageDraw
from stdnum.cn import ric

from xieguan.accounts.demo import DEMO_PASSWORD, DemoContext
from xieguan.accounts.models import Agency, Role, User
from xieguan.employers.actions import create_employers
from xieguan.employers.demo import demo_credit_code
from xieguan.employers.models import Employer, HazardCategory, HazardFactor, IndustryCode, OperatingStatus
from xieguan.funding.actions import allocate_budget, record_disbursement, record_subsidy
from xieguan.funding.models import FundingSource, Purpose, SubsidyBasis
from xieguan.inspections.actions import AnswerData, InspectionData, InspectionError, submit_inspection
from xieguan.inspections.models import ChecklistTemplate, Inspection
from xieguan.leads import actions as leads
from xieguan.leads.models import Handling, Lead, OfficerAction, ReportMethod
from xieguan.outreach.actions import record_publicity_event
from xieguan.outreach.models import PublicityKind
from xieguan.personnel import actions as personnel
from xieguan.personnel.models import Assistant, Education, Gender, Origin, TrainingKind, TrainingSession
from xieguan.personnel.rules import CONDITIONS, default_term_end
from xieguan.regions.models import Level, Region
from xieguan.tasks.actions import assign_task, complete_assignment

PREFECTURE = "5202"
SEED = 5202_2026
TZ = timezone.get_fixed_timezone(8 * 60)
# The demo's own townships (accounts/personnel demo.py): left to them.
TAKEN = {"520281117", "520203102", "520281104", "520281105"}

STAFF = {
    # county: (admin username, admin name, officer username, officer name)
    "520201": ("zhongshan", "钟山区卫健局管理员", "jiandu_zs", "钟山区监督员"),
    "520203": ("liuzhi", "", "jiandu_lz", "六枝特区监督员"),
    "520204": ("shuicheng", "水城区卫健局管理员", "jiandu_sc", "水城区监督员"),
    "520281": ("panzhou", "", "jiandu", ""),
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林龙杨吴罗"
GIVEN = [
    "芳",
    "明",
    "静",
    "强",
    "丽",
    "军",
    "敏",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "霞",
    "斌",
    "燕",
    "波",
    "红",
    "平",
]

# (kind suffix, industry, GB/T 4754 division, hazards, key share of exposed workers)
KINDS: list[tuple[str, str, str | None, dict[str, list[str]]]] = [
    ("煤矿", "coal", "06", {"dust": ["煤尘", "矽尘"], "physical": ["噪声"], "chemical": ["一氧化碳"]}),
    ("洗煤厂", "coal", "06", {"dust": ["煤尘"], "physical": ["噪声"]}),
    ("采石场", "noncoal_mining", "10", {"dust": ["矽尘"], "physical": ["噪声", "振动"]}),
    ("页岩砖厂", "building_materials", "30", {"dust": ["矽尘"], "physical": ["噪声", "高温"]}),
    ("商品混凝土有限公司", "building_materials", "30", {"dust": ["水泥粉尘"], "physical": ["噪声"]}),
    ("铁合金有限公司", "metallurgy", "31", {"dust": ["矽尘"], "physical": ["高温", "噪声"]}),
    ("化工有限公司", "chemical", "26", {"chemical": ["一氧化碳", "氨"], "physical": ["高温"]}),
    ("汽车修理厂", "other", "34", {"dust": ["电焊烟尘"], "physical": ["噪声"]}),
    ("木制家具厂", "other", "21", {"dust": ["木粉尘"], "chemical": ["甲醛", "苯"]}),
    ("卫生院", "other", None, {"radioactive": ["X射线装置(含CT机)产生的电离辐射"]}),
    ("茶叶加工厂", "other", "15", {"dust": ["其他粉尘"], "physical": ["高温"]}),
]

TOPICS = [
    (PublicityKind.LAW, "《职业病防治法》宣传进企业"),
    (PublicityKind.KNOWLEDGE, "粉尘危害与个人防护知识讲座"),
    (PublicityKind.GUIDANCE, "职业病危害项目申报现场指导"),
    (PublicityKind.KNOWLEDGE, "《职业病防治法》宣传周集中宣传"),
]


@contextmanager
def at(when: dt.datetime) -> Iterator[None]:
    """Run the enclosed domain actions as if it were ``when``."""
    with time_machine.travel(when, tick=False):
        yield


def _signature(seed: int) -> bytes:
    img = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    points = [(15 + i * 30, 80 - ((i * 37 + seed * 11) % 50)) for i in range(12)]
    draw.line(points, fill=(20, 20, 20, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _moment(rng: random.Random, day: dt.date, first: int = 9, last: int = 17) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(first, last), rng.randint(0, 59)), tzinfo=TZ)


def _halves(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Both halves of last year, this year's first half, and this year's second half so far."""
    year = today.year
    halves = [
        (dt.date(year - 1, 1, 1), dt.date(year - 1, 6, 30)),
        (dt.date(year - 1, 7, 1), dt.date(year - 1, 12, 31)),
        (dt.date(year, 1, 1), dt.date(year, 6, 30)),
    ]
    if today >= dt.date(year, 7, 15):
        halves.append((dt.date(year, 7, 1), today - dt.timedelta(days=1)))
    return [(start, min(end, today - dt.timedelta(days=1))) for start, end in halves if start < today]


def _day_in(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class Year:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, deterministic on purpose
        self.today = timezone.localdate()
        self.password = make_password(DEMO_PASSWORD)  # hashed once: every demo account shares it
        self.admins: dict[str, User] = {}
        self.officers: dict[str, User] = {}
        self.agencies: dict[str, Agency] = {}
        self.assistants: dict[str, tuple[Assistant, User]] = {}  # township -> (person, account)
        self.counts: Counter[str] = Counter()
        self.signatures = [_signature(i) for i in range(6)]

    def user(
        self, username: str, full_name: str, role: str, region: str, agency: Agency | None = None
    ) -> User:
        found = User.objects.filter(username=username).first()
        if found is not None:
            return found
        user = User(username=username, full_name=full_name, role=role, region_id=region, agency=agency)
        user.password = self.password
        user.save()
        self.counts["accounts"] += 1
        return user

    # --- people -------------------------------------------------------------------------

    def staff(self) -> None:
        for county, (admin, admin_name, officer, officer_name) in STAFF.items():
            name = Region.objects.get(code=county).name
            supervision, _ = Agency.objects.get_or_create(
                name=f"{name}卫生健康综合监督执法大队", kind=Agency.Kind.SUPERVISION, region_id=county
            )
            administration, _ = Agency.objects.get_or_create(
                name=f"{name}卫生健康局", kind=Agency.Kind.ADMINISTRATION, region_id=county
            )
            self.agencies[county] = supervision
            self.admins[county] = self.user(admin, admin_name, Role.COUNTY_ADMIN, county, administration)
            self.officers[county] = self.user(officer, officer_name, Role.OFFICER, county, supervision)

    def person(self, township: Region, index: int) -> tuple[Assistant, User]:
        rng = self.rng
        gender = Gender.FEMALE if rng.random() < 0.45 else Gender.MALE
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        born = dt.date(rng.randint(1972, 1996), rng.randint(1, 12), rng.randint(1, 28))
        seq = f"{rng.randint(0, 99):02d}{rng.choice('13579' if gender == Gender.MALE else '02468')}"
        body = f"520203{born:%Y%m%d}{seq}"  # 六枝特区: a birthplace code valid in every birth year
        account = self.user(f"xg{township.code}", f"{township.name}协管员", Role.ASSISTANT, township.code)
        assistant = Assistant(
            name=name,
            gender=gender,
            id_number=body + ric.calc_check_digit(body + "0"),
            phone=f"139{rng.randint(0, 99_999_999):08d}",
            education=rng.choice([Education.SENIOR, Education.COLLEGE, Education.BACHELOR]),
            origin=rng.choice([Origin.VILLAGE_DOCTOR, Origin.TOWNSHIP_HOSPITAL, Origin.FAMILY_PLANNING]),
            township=township,
            user=account,
        )
        personnel.save_assistant(assistant)
        values: dict[str, object] = {c.field: True for c in CONDITIONS}
        values.update({c.evidence_field: "审核材料齐全（演示）" for c in CONDITIONS})
        personnel.record_eligibility(assistant, values)
        return assistant, account

    def appoint(self) -> None:
        """Most townships get an assistant: pre-job training in December, then a 3-year term from
        January of last year (so the half-years before it have no assistant due: "—")."""
        start = dt.date(self.today.year - 1, 1, 1)
        for county in STAFF:
            townships = list(Region.objects.filter(parent_id=county, level=Level.TOWNSHIP).order_by("code"))
            staffed = [t for t in townships if t.code not in TAKEN and self.rng.random() < 0.87]
            people = [self.person(t, i) for i, t in enumerate(staffed)]
            with at(_moment(self.rng, start - dt.timedelta(days=20))):
                session = personnel.save_training_session(
                    TrainingSession(
                        kind=TrainingKind.PRE_JOB,
                        region_id=county,
                        held_on=start - dt.timedelta(days=20),
                        topic="职业健康监督协管员岗前培训（演示年度）",
                        created_by=self.admins[county],
                    ),
                    [a for a, _ in people],
                )
                personnel.record_attendance(
                    session,
                    [
                        personnel.AttendanceRow(r.pk, True, Decimal(self.rng.randint(72, 96)))
                        for r in session.records.all()
                    ],
                )
            with at(_moment(self.rng, start)):
                for assistant, account in people:
                    personnel.appoint_assistant(
                        assistant,
                        start=start,
                        end=default_term_end(start),
                        document_no=f"{county}卫健聘〔{start.year}〕{self.rng.randint(1, 30)}号",
                        by=self.admins[county],
                    )
                    # the appointment (re)activated the account: read it again
                    self.assistants[assistant.township_id] = (assistant, User.objects.get(pk=account.pk))
            self.counts["assistants"] += len(people)
            self.counts["townships"] += len(townships)

    # --- ledger -------------------------------------------------------------------------

    def ledger(self) -> None:
        categories = {c.code: c for c in HazardCategory.objects.all()}
        factors = {(f.category_id, f.name): f for f in HazardFactor.objects.all()}
        codes = {c.code: c for c in IndustryCode.objects.all()}
        for county, admin in self.admins.items():
            rows: list[dict[str, Any]] = []
            for township in Region.objects.filter(code__in=self.assistants, parent_id=county).order_by(
                "code"
            ):
                villages = list(Region.objects.filter(parent_id=township.code).order_by("code")) or [township]
                place = township.name.removesuffix("镇").removesuffix("乡").removesuffix("街道")
                for index, (suffix, industry, code, hazards) in enumerate(
                    self.rng.sample(KINDS, self.rng.randint(3, 7))
                ):
                    region = self.rng.choice(villages)
                    brand = ["", "兴旺", "鑫源", "宏达", "富民"][index % 5]
                    name = f"{county_short(county)}{place}{brand}{suffix}"
                    incomplete = self.rng.random() < 0.12
                    workers = self.rng.randint(8, 400)
                    rows.append(
                        {
                            "name": name,
                            "credit_code": demo_credit_code(name, county),
                            "region": region,
                            "address": "" if incomplete else f"{township.name}{region.name[:8]}",
                            "legal_representative": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                            "phone": f"0858-{self.rng.randint(2_000_000, 8_999_999)}",
                            "industry": industry,
                            "industry_code": codes.get(code) if code else None,
                            "hazard_categories": [categories[c] for c in hazards],
                            "hazard_factors": [
                                factors[(c, n)]
                                for c, names in hazards.items()
                                for n in names
                                if (c, n) in factors
                            ],
                            "radiation_work": suffix == "卫生院",
                            "construction_project": self.rng.random() < 0.1,
                            "workers": workers,
                            "exposed_workers": None if incomplete else max(1, workers * 2 // 3),
                            "status": OperatingStatus.OPERATING,
                            "serious_hazard": industry == "coal" and self.rng.random() < 0.6,
                            "declaration_date": self.today - dt.timedelta(days=self.rng.randint(20, 700)),
                            "declaration_receipt": f"LPS{county}{len(rows) + 1:04d}",
                        }
                    )
            with at(_moment(self.rng, dt.date(self.today.year - 1, 1, 2))):
                self.counts["employers"] += len(create_employers(rows, by=admin, reason="演示年度：台账建档"))

    # --- the work of each half-year -----------------------------------------------------

    def inspections(self, template: ChecklistTemplate) -> None:
        halves = _halves(self.today)
        items = list(template.items.order_by("number"))
        # A few assistants fall behind (半年巡查率, 重点单位覆盖率 below target on purpose).
        diligence = {t: (0.35 if self.rng.random() < 0.15 else 0.95) for t in self.assistants}
        employers = list(
            Employer.objects.filter(township_id__in=self.assistants).order_by("township_id", "pk")
        )
        for start, end in halves:
            for employer in employers:
                _assistant, account = self.assistants[employer.township_id]
                chance = diligence[employer.township_id] * (1.0 if employer.is_key else 0.6)
                if self.rng.random() > chance:
                    continue
                visited = _moment(self.rng, _day_in(self.rng, start, end))
                roll = self.rng.random()
                delay = dt.timedelta(hours=2) if roll < 0.85 else dt.timedelta(days=2 if roll < 0.95 else 6)
                self.inspect(employer, account, template, items, visited, visited + delay)

    def inspect(
        self,
        employer: Employer,
        account: User,
        template: ChecklistTemplate,
        items: list[Any],
        visited: dt.datetime,
        submitted: dt.datetime,
    ) -> None:
        rng = self.rng
        answers = []
        for item in items:
            if item.na_rule != "never" and item.na_allowed_for(employer) and rng.random() < 0.8:
                answer = "na"
            elif item.kind == "document":
                answer = "no" if rng.random() < 0.03 else "yes"
            else:
                answer = "yes" if rng.random() < 0.02 else "no"
            note = "现场未见相关资料" if item.kind == "document" and answer == "no" else ""
            answers.append(AnswerData(item.number, answer, note))
        data = InspectionData(
            id=uuid.UUID(int=rng.getrandbits(128)),
            employer=employer,
            template=template,
            employer_name=employer.name,
            address=employer.address,
            legal_representative=employer.legal_representative,
            phone=employer.phone,
            inspected_at=visited,
            accompanying_person=rng.choice(SURNAMES) + rng.choice(["主任", "经理", "科长", "安全员"]),
            answers=answers,
            companion_signature=rng.choice(self.signatures),
            assistant_signature=rng.choice(self.signatures),
            legal_publicity=rng.random() < 0.3,
        )
        try:
            with at(min(submitted, timezone.now())):
                result = submit_inspection(account, data)
        except InspectionError:
            return
        self.counts["inspections"] += 1
        for lead in Lead.objects.filter(inspection=result.inspection).order_by("pk"):
            self.handle(lead, account)

    def handle(self, lead: Lead, account: User) -> None:
        """Most leads reported on time; some late; a few never. The officer handles most."""
        self.counts["leads"] += 1
        roll = self.rng.random()
        if roll < 0.08:
            return
        late = roll > 0.88
        due = lead.report_due_at
        when = (
            due + dt.timedelta(hours=self.rng.randint(3, 40))
            if late
            else lead.discovered_at + (due - lead.discovered_at) * self.rng.uniform(0.1, 0.8)
        )
        if when >= timezone.now():
            return
        county = lead.region_id[:6]
        with at(when):
            leads.report_lead(lead, by=account, method=ReportMethod.SYSTEM, agency=self.agencies[county])
        self.counts["reported"] += 1
        officer = self.officers[county]
        signed = when + dt.timedelta(hours=self.rng.randint(1, 30))
        if signed >= timezone.now() or self.rng.random() < 0.2:
            return
        with at(signed):
            leads.acknowledge_lead(lead, by=officer)
        closed = signed + dt.timedelta(days=self.rng.randint(2, 20))
        if closed >= timezone.now() or self.rng.random() < 0.3:
            return
        with at(signed + dt.timedelta(hours=2)):
            leads.set_handling(lead, by=officer, handling=Handling.ENFORCEMENT)
            leads.record_officer_action(lead, by=officer, action=OfficerAction.RECTIFY)
        with at(closed):
            leads.close_lead(lead, by=officer, outcome="已责令整改，复查合格。")
        self.counts["closed"] += 1

    def publicity(self) -> None:
        silent = {t for t in self.assistants if self.rng.random() < 0.12}  # 宣传开展率 < 100%
        for start, end in _halves(self.today):
            for township, (_assistant, account) in self.assistants.items():
                if township in silent:
                    continue
                for _ in range(self.rng.choice([0, 1, 1, 2])):
                    kind, topic = self.rng.choice(TOPICS)
                    day = _day_in(self.rng, start, end)
                    with at(_moment(self.rng, day)):
                        record_publicity_event(
                            recorded_by=account,
                            region=Region.objects.get(code=township),
                            held_on=day,
                            kind=kind,
                            topic=topic,
                            audience=self.rng.randint(15, 120),
                            location="镇政府会议室" if kind != PublicityKind.GUIDANCE else "企业现场",
                        )
                    self.counts["publicity"] += 1

    def training(self) -> None:
        """Business training each year in every county; a few absent, a few below the pass mark."""
        for year in (self.today.year - 1, self.today.year):
            for county, admin in self.admins.items():
                held = dt.date(year, self.rng.randint(4, 9), self.rng.randint(1, 28))
                if held >= self.today:
                    continue
                invited = [a for t, (a, _u) in self.assistants.items() if t.startswith(county)]
                with at(_moment(self.rng, held)):
                    session = personnel.save_training_session(
                        TrainingSession(
                            kind=TrainingKind.BUSINESS,
                            region_id=county,
                            held_on=held,
                            topic=f"{year}年职业健康监督协管业务培训",
                            location=f"{Region.objects.get(code=county).name}卫生健康局会议室",
                            created_by=admin,
                        ),
                        invited,
                    )
                    rows = []
                    for record in session.records.all():
                        came = self.rng.random() < 0.9
                        score = Decimal(self.rng.choice([55, 68, 75, 82, 88, 91, 95])) if came else None
                        rows.append(personnel.AttendanceRow(record.pk, came, score))
                    personnel.record_attendance(session, rows)
                self.counts["training"] += 1

    def tasks(self) -> None:
        for county, admin in self.admins.items():
            townships = list(Region.objects.filter(code__in=self.assistants, parent_id=county))
            for title, issued, days in [
                ("报送上半年巡查工作小结", dt.date(self.today.year, 6, 20), 14),
                ("开展粉尘危害专项排查", self.today - dt.timedelta(days=40), 30),
            ]:
                if issued >= self.today:
                    continue
                with at(_moment(self.rng, issued)):
                    task = assign_task(
                        by=admin,
                        title=title,
                        description="请各乡镇协管员按要求完成并在系统中填报。",
                        due_on=issued + dt.timedelta(days=days),
                        regions=townships,
                    )
                self.counts["tasks"] += 1
                for assignment in task.assignments.select_related("assignee").order_by("pk"):
                    if self.rng.random() < 0.25:
                        continue  # not answered yet (overdue once the due date passes)
                    answered = _moment(self.rng, issued + dt.timedelta(days=self.rng.randint(1, days + 5)))
                    if answered >= timezone.now():
                        continue
                    with at(answered):
                        complete_assignment(assignment, by=assignment.assignee, note="已按要求完成。")

    def funding(self) -> None:
        for year in (self.today.year - 1, self.today.year):
            for county, admin in self.admins.items():
                if Region.objects.get(code=county).code == "520281" and year == self.today.year:
                    continue  # 盘州市's current year is the funding demo's own
                staffed = [(a, u) for t, (a, u) in self.assistants.items() if t.startswith(county)]
                allocated = dt.date(year, 3, 15)
                with at(_moment(self.rng, allocated)):
                    budget = allocate_budget(
                        by=admin,
                        county=Region.objects.get(code=county),
                        year=year,
                        source=FundingSource.PUBLIC_HEALTH,
                        amount=Decimal(8000 * len(staffed) + 30000),
                        allocated_on=allocated,
                        document_no=f"{county}卫健发〔{year}〕{self.rng.randint(5, 40)}号",
                    )
                paid = dt.date(year, 7, 10)
                if paid >= self.today:
                    continue
                with at(_moment(self.rng, paid)):
                    record_disbursement(
                        budget,
                        by=admin,
                        amount=Decimal(self.rng.randint(8, 20) * 1000),
                        paid_on=paid,
                        purpose=Purpose.TRAINING,
                        payee="协管员业务培训班",
                    )
                    for _assistant, account in staffed:
                        record_subsidy(
                            budget,
                            by=admin,
                            assistant=account,
                            amount=Decimal("3000.00"),
                            period_start=dt.date(year, 1, 1),
                            period_end=dt.date(year, 6, 30),
                            basis=SubsidyBasis.FIXED,
                            basis_note="每月 500 元",
                            paid_on=paid,
                        )
                self.counts["budgets"] += 1


def county_short(code: str) -> str:
    return {"520201": "钟山", "520203": "六枝", "520204": "水城", "520281": "盘州"}.get(code, "")


def already_seeded() -> bool:
    return Employer.objects.within("520201").exists()


def seed_year(ctx: DemoContext) -> list[str]:
    """Seed the demo year (see the module docstring); refused, saying so, on a second run."""
    if already_seeded():
        return ["  演示年度数据：已存在，未重复生成（如需重来请删除数据库后重新运行 make run）"]
    template = ChecklistTemplate.active(PREFECTURE)
    if template is None:
        return ["  演示年度数据：没有启用的巡查表模板，未生成"]
    year = Year(ctx)
    year.staff()
    year.appoint()
    year.ledger()
    year.inspections(template)
    year.publicity()
    year.training()
    year.tasks()
    year.funding()
    c = year.counts
    staffed = c["assistants"]
    vacant = c["townships"] - staffed
    return [
        f"  演示年度数据（六盘水市 4 个县级区划，{_halves(year.today)[0][0]} 起）：",
        f"    协管员 {staffed} 名（{vacant} 个乡镇空缺或另有演示），用人单位 {c['employers']} 家",
        f"    巡查个案 {c['inspections']} 份，线索 {c['leads']} 条"
        f"（已报告 {c['reported']}，办结 {c['closed']}）",
        f"    宣传 {c['publicity']} 次，业务培训 {c['training']} 期，"
        f"交办任务 {c['tasks']} 项，经费 {c['budgets']} 笔",
        f"    账号：新建 {c['accounts']} 个（协管员 xg+乡镇代码；钟山区 zhongshan、水城区 shuicheng 等），"
        "密码同上",
    ]


def inspections_by_county() -> dict[str, int]:
    """For the test and the report: submitted inspections per county of the prefecture."""
    return {county: Inspection.objects.within(county).count() for county in STAFF}

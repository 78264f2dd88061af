"""The scope matrix's dataset: every kind of record the app stores, in two counties of 六盘水市.

County A is 盘州市 (520281): the demo data (``seeddemo``, every app's ``demo.py``) plus the
files the demo does not make. County B is 六枝特区 (520203): the same kinds made here through
the domain actions. A few user texts are planted so that the matrix can look for them in every
response: complainants' names, unmasked ID numbers, and text that starts with ``=`` (a spreadsheet
formula if an export writes it unescaped).

When you add a model that a URL reaches, add one record of it to each county here and name it
in ``Dataset.objects`` (see xieguan/lib/tests/scope_matrix.py for the kinds).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from xieguan.accounts.demo import DemoContext
from xieguan.accounts.models import Agency, Role, User
from xieguan.employers.models import Employer, EmployerImport
from xieguan.funding.models import Budget
from xieguan.inspections.models import Inspection, InspectionPhoto
from xieguan.leads import actions as lead_actions
from xieguan.leads.models import AssistPhoto, AssistRequest, Complaint, ComplaintChannel, LeadPhoto
from xieguan.outreach.models import PublicityEvent, PublicityPhoto
from xieguan.personnel.models import Assessment, Assistant
from xieguan.regions.models import Region
from xieguan.tasks.models import AnswerFile, Task, TaskAssignment, TaskAttachment

COUNTY_A, TOWNSHIP_A = "520281", "520281117"  # 盘州市 柏果镇
COUNTY_B, TOWNSHIP_B = "520203", "520203102"  # 六枝特区 岩脚镇
OTHER_PREFECTURE = "5201"  # 贵阳市: the prefecture viewer who sees neither county

# Planted user text. Complainants' names are confidential (leads/confidentiality.py).
COMPLAINANT_A = "甘秘举报人"
COMPLAINANT_B = "柯秘举报人"
FORMULA = "=XGF(1)"  # an export that writes this unescaped makes a formula <f>XGF(1)</f>
FORMULA_MARK = "XGF("
# Text that only a user who sees the county may read: a list or export of the other county that
# shows it has leaked a record.
SIDE_MARK = {"A": "盘标记甲", "B": "六标记乙"}


def png_bytes(color: tuple[int, int, int] = (90, 140, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return buf.getvalue()


def image_file(name: str = "photo.png") -> ContentFile[bytes]:
    return ContentFile(png_bytes(), name=name)


@dataclass
class Dataset:
    """Who is who, and one record of each kind per county: objects[kind] = {"A": obj, "B": obj}."""

    users: dict[str, User]
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    complaints: list[Complaint] = field(default_factory=list)
    assistants: list[Assistant] = field(default_factory=list)

    def add(self, kind: str, a: Any, b: Any) -> None:
        self.objects[kind] = {"A": a, "B": b}


def _seed_demo() -> dict[str, User]:
    import importlib
    import importlib.util

    from django.apps import apps

    ctx = DemoContext()
    for config in apps.get_app_configs():
        if not config.name.startswith("xieguan."):
            continue
        module = f"{config.name}.demo"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module).seed(ctx)
    return ctx.users


def _user(username: str, role: str, region: str, agency: Agency | None = None) -> User:
    user = User(username=username, full_name=username, role=role, region_id=region, agency=agency)
    user.set_password("correct-horse-9")
    user.save()
    return user


def _data_migrations() -> None:
    """What the data migrations install (the suite runs without migrations)."""
    import importlib

    from django.apps import apps

    from xieguan.employers.codelists import ensure_code_lists
    from xieguan.inspections.tests.factories import load_templates

    ensure_code_lists()
    load_templates()
    for module in (
        "xieguan.indicators.migrations.0002_default_targets",
        "xieguan.personnel.migrations.0003_default_grade_thresholds",
    ):
        importlib.import_module(module).load(apps, None)


def build() -> Dataset:
    _data_migrations()
    users = {name: User.objects.get(pk=user.pk) for name, user in _seed_demo().items()}
    sup_b, _ = Agency.objects.get_or_create(
        name="六枝特区卫生健康综合监督执法大队", kind=Agency.Kind.SUPERVISION, region_id=COUNTY_B
    )
    sup_a = Agency.objects.get(name="盘州市卫生健康综合监督执法大队", kind=Agency.Kind.SUPERVISION)
    sup_a2, _ = Agency.objects.get_or_create(
        name="盘州市第二卫生健康监督所", kind=Agency.Kind.SUPERVISION, region_id=COUNTY_A
    )
    users["jiandu2"] = _user("jiandu2", Role.OFFICER, COUNTY_B, sup_b)
    users["gylook"] = _user("gylook", Role.PREFECTURE_VIEWER, OTHER_PREFECTURE)
    # An officer in county A that no lead of the dataset was reported to (issue 14 item 2).
    users["jiandu3"] = _user("jiandu3", Role.OFFICER, COUNTY_A, sup_a2)
    data = Dataset(users=users)
    now = timezone.now()
    today = timezone.localdate()
    u = users

    # --- employers and imports ---------------------------------------------------------
    emp_a = Employer.objects.within(TOWNSHIP_A).order_by("pk").first()
    emp_b = Employer.objects.within(TOWNSHIP_B).order_by("pk").first()
    assert emp_a and emp_b
    for side, emp in (("A", emp_a), ("B", emp_b)):
        Employer.objects.filter(pk=emp.pk).update(
            legal_representative=FORMULA, address=f"{SIDE_MARK[side]} {emp.address}"
        )
    data.add("employer", emp_a, emp_b)
    imports = {}
    for side, county, admin in (("A", COUNTY_A, u["panzhou"]), ("B", COUNTY_B, u["liuzhi"])):
        imports[side] = EmployerImport.objects.create(
            region_id=county,
            uploaded_by=admin,
            file=ContentFile(b"PK\x03\x04", name="ledger.xlsx"),
            original_name=f"{FORMULA}.xlsx",
            summary={"rows": 0},
        )
    data.add("employer_import", imports["A"], imports["B"])
    from xieguan.employers.models import FocusIndustry, IndustryCode

    code = IndustryCode.objects.order_by("code").first()
    assert code is not None
    data.add(
        "focus_industry",
        *(
            FocusIndustry.objects.create(region_id=county, industry_code=code)
            for county in (COUNTY_A, COUNTY_B)
        ),
    )

    # --- inspections ---------------------------------------------------------------------
    insp_a = Inspection.objects.within(TOWNSHIP_A).filter(submitted_at__isnull=False).order_by("pk").first()
    insp_b = Inspection.objects.within(TOWNSHIP_B).filter(submitted_at__isnull=False).order_by("pk").first()
    assert insp_a and insp_b
    data.add("inspection", insp_a, insp_b)
    data.add(
        "inspection_photo",
        *(
            InspectionPhoto.objects.create(inspection=i, image=image_file(), caption="现场")
            for i in (insp_a, insp_b)
        ),
    )

    # --- leads, complaints, 协查 --------------------------------------------------------
    complaints = {}
    for side, emp, assistant, agency, name in (
        ("A", emp_a, u["xieguan"], sup_a, COMPLAINANT_A),
        ("B", emp_b, u["xieguan2"], sup_b, COMPLAINANT_B),
    ):
        village = emp.region
        complaint = lead_actions.record_complaint(
            region=village,
            recorded_by=assistant,
            channel=ComplaintChannel.PHONE,
            content=f"{FORMULA} {SIDE_MARK[side]} 夜间排放刺鼻气体",
            place="石料厂",
            complainant_name=name,
            complainant_contact="13900001111",
            received_at=now - dt.timedelta(hours=1),
        )
        assert complaint.lead is not None
        lead_actions.report_lead(complaint.lead, by=assistant, method="system", agency=agency)
        complaints[side] = complaint
    data.complaints = [complaints["A"], complaints["B"]]  # refreshed at the end of build()
    lead_a, lead_b = (complaints[s].lead for s in "AB")
    assert lead_a is not None and lead_b is not None
    data.add("lead", lead_a, lead_b)
    data.add("complaint", complaints["A"], complaints["B"])
    data.add(
        "lead_photo", *(LeadPhoto.objects.create(lead=lead, image=image_file()) for lead in (lead_a, lead_b))
    )
    assist_a = AssistRequest.objects.within(TOWNSHIP_A).order_by("pk").first()
    assert assist_a is not None
    lead_actions.acknowledge_lead(lead_b, by=u["jiandu2"])
    assist_b = lead_actions.request_assist(
        by=u["jiandu2"], assistant=u["xieguan2"], lead=lead_b, note="请核实"
    )
    data.add("assist", assist_a, assist_b)
    data.add(
        "assist_photo",
        *(AssistPhoto.objects.create(assist=a, image=image_file()) for a in (assist_a, assist_b)),
    )

    # --- outreach --------------------------------------------------------------------------
    event_a = PublicityEvent.objects.within(TOWNSHIP_A).order_by("pk").first()
    assert event_a is not None
    event_b = PublicityEvent.objects.create(
        region_id=TOWNSHIP_B,
        held_on=today,
        kind=event_a.kind,
        topic=f"{FORMULA} {SIDE_MARK['B']} 宣传",
        location="岩脚镇",
        audience=10,
        recorded_by=u["xieguan2"],
    )
    PublicityEvent.objects.filter(pk=event_a.pk).update(topic=f"{FORMULA} {SIDE_MARK['A']} 宣传")
    data.add("publicity_event", event_a, event_b)
    data.add(
        "publicity_photo",
        PublicityPhoto.objects.filter(event=event_a).first(),
        PublicityPhoto.objects.create(event=event_b, image=image_file()),
    )

    # --- personnel -------------------------------------------------------------------------
    ast_a = Assistant.objects.get(user=u["xieguan"])
    ast_b = Assistant.objects.get(user=u["xieguan2"])
    for person in (ast_a, ast_b):
        person.photo.save("face.png", image_file(), save=False)
        Assistant.objects.filter(pk=person.pk).update(photo=person.photo.name, specialty=FORMULA)
    data.add("assistant", ast_a, ast_b)
    data.assistants = list(Assistant.objects.all())
    data.add(
        "assessment",
        *(
            Assessment.objects.create(assistant=a, year=today.year - 1, comments=FORMULA)
            for a in (ast_a, ast_b)
        ),
    )
    from xieguan.personnel.models import TrainingSession

    training_a = TrainingSession.objects.filter(region_id=COUNTY_A).order_by("pk").first()
    assert training_a is not None
    training_b = TrainingSession.objects.create(
        region_id=COUNTY_B,
        topic=f"{FORMULA} {SIDE_MARK['B']} 培训",
        kind=training_a.kind,
        held_on=today,
        location="六枝特区",
        created_by=u["liuzhi"],
    )
    TrainingSession.objects.filter(pk=training_a.pk).update(topic=f"{FORMULA} {SIDE_MARK['A']} 培训")
    data.add("training", training_a, training_b)

    # --- tasks -----------------------------------------------------------------------------
    from xieguan.tasks.actions import assign_task

    task_a = Task.objects.within(COUNTY_A).order_by("pk").first()
    assert task_a is not None
    task_b = assign_task(
        by=u["liuzhi"],
        title=f"{FORMULA} {SIDE_MARK['B']} 报送",
        description="请报送",
        due_on=today + dt.timedelta(days=7),
        regions=[Region.objects.get(code=TOWNSHIP_B)],
    )
    Task.objects.filter(pk=task_a.pk).update(title=f"{FORMULA} {SIDE_MARK['A']} 排查")
    data.add("task", task_a, task_b)
    assignments = [TaskAssignment.objects.filter(task=t).order_by("pk").first() for t in (task_a, task_b)]
    data.add("task_assignment", *assignments)
    data.add(
        "task_file",
        *(
            TaskAttachment.objects.create(
                task=t, region_id=t.region_id, file=image_file("notice.png"), name="notice.png"
            )
            for t in (task_a, task_b)
        ),
    )
    data.add(
        "answer_file",
        *(
            AnswerFile.objects.create(
                assignment=a, region_id=a.region_id, file=ContentFile(b"report", name="r.txt"), name="r.txt"
            )
            for a in assignments
            if a is not None
        ),
    )

    # --- funding ---------------------------------------------------------------------------
    from xieguan.funding.actions import allocate_budget, record_disbursement, record_subsidy
    from xieguan.funding.models import Disbursement, Subsidy

    budget_a = Budget.objects.filter(region_id=COUNTY_A).order_by("pk").first()
    assert budget_a is not None
    budget_b = allocate_budget(
        by=u["liuzhi"],
        county=Region.objects.get(code=COUNTY_B),
        year=budget_a.year,
        source=budget_a.source,
        amount=Decimal("50000.00"),
    )
    data.add("budget", budget_a, budget_b)
    out_a = Disbursement.objects.filter(budget=budget_a).first()
    sub_a = Subsidy.objects.filter(budget=budget_a).first()
    assert out_a is not None and sub_a is not None
    out_b = record_disbursement(
        budget_b, by=u["liuzhi"], amount="100.00", paid_on=out_a.paid_on, purpose=out_a.purpose, payee=FORMULA
    )
    sub_b = record_subsidy(
        budget_b,
        by=u["liuzhi"],
        assistant=u["xieguan2"],
        amount="100.00",
        period_start=sub_a.period_start,
        period_end=sub_a.period_end,
        basis=sub_a.basis,
        paid_on=sub_a.paid_on,
        basis_note=FORMULA,
    )
    Disbursement.objects.filter(pk=out_a.pk).update(payee=FORMULA)
    data.add("disbursement", out_a, out_b)
    data.add("subsidy", sub_a, sub_b)
    # A roster upload waiting to be applied, in each county admin's private folder.
    from django.core.files.storage import default_storage

    from xieguan.personnel import roster

    tokens = {"A": "a" * 32, "B": "b" * 32}
    for side, admin in (("A", u["panzhou"]), ("B", u["liuzhi"])):
        default_storage.save(
            f"roster-imports/{admin.pk}/{tokens[side]}.xlsx", ContentFile(roster.template_bytes(admin))
        )
    data.add("roster_token", tokens["A"], tokens["B"])
    from xieguan.inspections.models import ChecklistTemplate

    template = ChecklistTemplate.objects.order_by("pk").first()
    data.add("checklist_template", template, template)
    data.complaints = [Complaint.objects.select_related("lead").get(pk=c.pk) for c in data.complaints]
    # --- accounts: users, agencies, device tokens; consultations -------------------------------
    from xieguan.accounts.actions import create_token
    from xieguan.outreach.models import Consultation, ConsultationKind

    data.add("user", u["xieguan"], u["xieguan2"])
    data.add("agency", sup_a, sup_b)
    data.add(
        "api_token", *(create_token(u[name], name=f"{name}的手机")[0] for name in ("xieguan", "xieguan2"))
    )
    data.add(
        "consultation",
        *(
            Consultation.objects.create(
                region_id=emp.township_id,
                employer=emp,
                given_on=today,
                kind=ConsultationKind.choices[0][0],
                subject=f"{FORMULA} {SIDE_MARK[side]} 咨询",
                outcome="已答复",
                recorded_by=u[name],
            )
            for side, emp, name in (("A", emp_a, "xieguan"), ("B", emp_b, "xieguan2"))
        ),
    )
    # Regions, as path parameters: a township and a county of each side.
    data.add("township", TOWNSHIP_A, TOWNSHIP_B)
    data.add("county", COUNTY_A, COUNTY_B)
    data.add("year", budget_a.year, budget_a.year)
    return data

"""Demo assistants: the demo accounts xieguan and xieguan2 as appointed assistants, a candidate
not yet appointed, and an assistant whose term ends within 60 days (idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import ric

from xieguan.accounts.demo import DemoContext
from xieguan.personnel import actions
from xieguan.personnel.models import (
    Assistant,
    Education,
    Gender,
    Origin,
    TrainingKind,
    TrainingSession,
)
from xieguan.personnel.rules import CONDITIONS, add_years, default_term_end

EVIDENCE = {
    "law_abiding_evidence": "无违法犯罪记录证明（派出所，2025年）",
    "fit_for_duty_evidence": "乡镇卫生院体检报告",
    "qualified_evidence": "学历证书及村医执业证",
    "knowledgeable_evidence": "岗前培训考核合格",
}


def id_number(birth: str, seq: str) -> str:
    body = f"{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


PEOPLE = [
    # key, name, gender, township, birthplace+birth date, seq, origin, education, username, term
    # (birthplace codes valid in the birth year: 钟山区 520201 since 1987, 六枝特区 520203)
    (
        "baiguo",
        "王芳",
        Gender.FEMALE,
        "520281117",
        "52020119880312",
        "124",
        Origin.VILLAGE_DOCTOR,
        Education.COLLEGE,
        "xieguan",
        "current",
    ),
    (
        "yanjiao",
        "杨明",
        Gender.MALE,
        "520203102",
        "52020319850720",
        "351",
        Origin.FAMILY_PLANNING,
        Education.SENIOR,
        "xieguan2",
        "current",
    ),
    (
        "ending",
        "陈静",
        Gender.FEMALE,
        "520281104",
        "52020319790105",
        "226",
        Origin.TOWNSHIP_HOSPITAL,
        Education.BACHELOR,
        None,
        "ending",
    ),
    (
        "candidate",
        "李强",
        Gender.MALE,
        "520281105",
        "52020119950909",
        "017",
        Origin.OTHER,
        Education.SENIOR,
        None,
        None,
    ),
]


def seed(ctx: DemoContext) -> list[str]:
    today = timezone.localdate()
    admins = {"520281": ctx.users["panzhou"], "520203": ctx.users["liuzhi"]}
    people: dict[str, Assistant] = {}
    for key, name, gender, township, birth, seq, origin, education, username, _term in PEOPLE:
        number = id_number(birth, seq)
        assistant = Assistant.objects.filter(id_number=number).first()
        if assistant is None:
            assistant = Assistant(
                name=name,
                gender=gender,
                id_number=number,
                phone=f"1390858{seq}{birth[-1]}",
                education=education,
                origin=origin,
                township_id=township,
                specialty="临床医学" if origin == Origin.VILLAGE_DOCTOR else "",
            )
            if username:
                assistant.user = ctx.users[username]
            actions.save_assistant(assistant)
            if key != "candidate":
                values: dict[str, object] = {c.field: True for c in CONDITIONS}
                values.update(EVIDENCE)
                actions.record_eligibility(assistant, values)
            else:
                actions.record_eligibility(
                    assistant,
                    {"law_abiding": True, "law_abiding_evidence": "本人书面声明", "fit_for_duty": False},
                )
        people[key] = assistant

    # Pre-job training of each county, last year; the candidate attended and failed the exam.
    for county, admin in admins.items():
        session, _ = TrainingSession.objects.get_or_create(
            kind=TrainingKind.PRE_JOB,
            region_id=county,
            topic="职业健康监督协管员岗前培训",
            defaults={"held_on": add_years(today, -3) + dt.timedelta(days=7), "created_by": admin},
        )
        invited = [a for a in people.values() if a.township_id.startswith(county)]
        actions.save_training_session(session, invited)
        rows = []
        for record in session.records.select_related("assistant"):
            score = Decimal(52) if record.assistant_id == people["candidate"].pk else Decimal(86)
            rows.append(actions.AttendanceRow(record.pk, True, score))
        actions.record_attendance(session, rows)

    # This year's business training in 盘州市: one assistant did not come.
    business, _ = TrainingSession.objects.get_or_create(
        kind=TrainingKind.BUSINESS,
        region_id="520281",
        topic="职业健康巡查业务培训（附表1填写与线索报告）",
        defaults={
            "held_on": today - dt.timedelta(days=min(20, today.timetuple().tm_yday - 1)),
            "created_by": admins["520281"],
            "location": "盘州市卫生健康局会议室",
        },
    )
    actions.save_training_session(business, [people["baiguo"], people["ending"]])
    if not business.records.filter(attended=True).exists():
        rows = []
        for record in business.records.all():
            came = record.assistant_id == people["baiguo"].pk
            rows.append(actions.AttendanceRow(record.pk, came, Decimal(91) if came else None))
        actions.record_attendance(business, rows)

    # Terms: current ones for the two demo accounts, one ending within 60 days.
    for key, *_rest, term in PEOPLE:
        assistant = people[key]
        if term is None or assistant.appointments.exists():
            continue
        admin = admins[assistant.township_id[:6]]
        if term == "current":
            start = add_years(today, -1)
            actions.appoint_assistant(
                assistant,
                start=start,
                end=default_term_end(start),
                document_no="盘卫健聘〔2025〕3号",
                by=admin,
            )
        else:
            end = today + dt.timedelta(days=30)
            start = add_years(end, -3) + dt.timedelta(days=1)
            actions.appoint_assistant(
                assistant, start=start, end=end, document_no="盘卫健聘〔2023〕8号", by=admin
            )

    lines = []
    for key, *_rest, username, _term in PEOPLE:
        a = Assistant.objects.get(pk=people[key].pk)
        account = f"账号 {username}" if username else "无账号"
        lines.append(f"  协管员档案 {a.name}（{a.township.name}，{a.get_status_display()}，{account}）")
    return lines

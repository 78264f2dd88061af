"""Domain actions on assistants (协管员). Views, the API, imports and commands call these only.

Every action is atomic and validates before it writes: a refused action raises a
``ValidationError`` with plain Chinese messages and leaves nothing half-saved. Actions take
objects the caller already fetched through the region scope.

The login account follows the terms: ``_sync_account`` keeps ``User.access_until`` at the end of
the latest term and ``is_active`` on while the person is appointed or expired-but-renewable,
off for candidates and the dismissed. The foundation refuses login and every request after
``access_until`` (accounts.forms.LoginForm, accounts.middleware.ActiveTermMiddleware).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from xieguan.accounts.models import Role, User
from xieguan.lib import images
from xieguan.lib.validators import clean_id_number
from xieguan.personnel import rules
from xieguan.personnel.assessment import ASPECT_MAX, grade_for, measure
from xieguan.personnel.models import (
    Appointment,
    Assessment,
    Assistant,
    AssistantStatus,
    Dismissal,
    Reward,
    TrainingRecord,
    TrainingSession,
)
from xieguan.regions.models import Level, Region

if TYPE_CHECKING:
    from xieguan.personnel.aftermath import Aftermath


def _today() -> dt.date:
    return timezone.localdate()


def _lock(assistant: Assistant) -> None:
    """Serialise actions on one assistant, and make the caller's instance current."""
    Assistant.objects.select_for_update().only("pk").get(pk=assistant.pk)
    assistant.refresh_from_db()


def _sync_account(assistant: Assistant, today: dt.date | None = None) -> None:
    """Make the login account follow the assistant's terms and status."""
    user = assistant.user
    if user is None:
        return
    day = today or _today()
    last = assistant.appointments.order_by("-end").first()
    if assistant.status == AssistantStatus.DISMISSED:
        dismissed_on = assistant.dismissal.dismissed_on
        ends = [dismissed_on - dt.timedelta(days=1)]
        if last is not None:
            ends.append(last.end)
        user.access_until = min(ends)
        user.is_active = False
    elif last is None:
        # A candidate's account exists but works only once a term starts.
        user.access_until = day - dt.timedelta(days=1)
        user.is_active = False
    else:
        user.access_until = last.end
        user.is_active = True
    user.full_name = assistant.name
    user.phone = assistant.phone
    user.save(update_fields=["access_until", "is_active", "full_name", "phone"])


def _current_status(assistant: Assistant, today: dt.date) -> str:
    if hasattr(assistant, "dismissal"):
        return AssistantStatus.DISMISSED
    terms = assistant.appointments.all()
    if terms.filter(start__lte=today, end__gte=today).exists():
        return AssistantStatus.APPOINTED
    if terms.exists():
        return AssistantStatus.EXPIRED
    return AssistantStatus.CANDIDATE


# --- the person ------------------------------------------------------------------------

# One message wherever the other record is (docs/decisions.md 8): it says the number is taken,
# not by whom nor in which county.
ID_NUMBER_TAKEN = "该身份证号已登记为协管员，不能重复登记；如有疑问，请与上级卫生健康行政部门核实。"


def _check_person(assistant: Assistant) -> None:
    errors: dict[str, list[str]] = {}
    try:
        assistant.id_number = clean_id_number(assistant.id_number)
    except ValidationError as exc:
        errors["id_number"] = list(exc.messages)
    else:
        clash = Assistant.objects.filter(id_number=assistant.id_number).exclude(pk=assistant.pk)
        if clash.exists():
            errors["id_number"] = [ID_NUMBER_TAKEN]
    if assistant.township_id and assistant.township.level != Level.TOWNSHIP:
        errors["township"] = ["请选择乡(镇、街道)。"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_assistant(assistant: Assistant, villages: Iterable[Region] | None = None) -> Assistant:
    """Create or update the person. Villages (乡聘村用) must lie in the township; a new photo is
    checked and re-encoded (lib/images.py: no EXIF/GPS, never the bytes as sent)."""
    _check_person(assistant)
    if assistant.photo and not getattr(assistant.photo, "_committed", True):
        try:
            assistant.photo = images.photo_file(assistant.photo.file)
        except ValidationError as exc:
            raise ValidationError({"photo": exc.messages}) from exc
    village_list = list(villages) if villages is not None else None
    if village_list is not None:
        wrong = [v.name for v in village_list if v.parent_id != assistant.township_id]
        if wrong:
            raise ValidationError({"villages": [f"这些村(社区)不属于所选乡镇：{'、'.join(wrong)}。"]})
    if assistant.user_id is not None and assistant.pk is not None:
        before = Assistant.objects.only("township_id").get(pk=assistant.pk)
        if before.township_id != assistant.township_id:
            assistant.user.region_id = assistant.township_id  # type: ignore[union-attr]
            assistant.user.save(update_fields=["region"])  # type: ignore[union-attr]
    assistant.save()
    if village_list is not None:
        assistant.villages.set(village_list)
        if assistant.user is not None:
            assistant.user.villages.set(village_list)
    _sync_account(assistant)
    return assistant


@transaction.atomic
def record_eligibility(assistant: Assistant, values: dict[str, Any]) -> Assistant:
    """Record the four conditions; a confirmed condition needs its evidence or a declaration."""
    errors: dict[str, list[str]] = {}
    for c in rules.CONDITIONS:
        met = bool(values.get(c.field))
        evidence = str(values.get(c.evidence_field) or "").strip()
        if met and not evidence:
            errors[c.evidence_field] = [f"请填写“{c.label}”的依据或本人声明。"]
        setattr(assistant, c.field, met)
        setattr(assistant, c.evidence_field, evidence)
    if errors:
        raise ValidationError(errors)
    assistant.save(update_fields=[f for c in rules.CONDITIONS for f in (c.field, c.evidence_field)])
    return assistant


@transaction.atomic
def create_account(assistant: Assistant, *, username: str, password: str) -> User:
    """Create the assistant's login account (role assistant, region the township)."""
    username = username.strip()
    if assistant.user_id is not None:
        raise ValidationError("该协管员已有登录账号。")
    if assistant.status == AssistantStatus.DISMISSED:
        raise ValidationError("已解聘的协管员不能再开通账号。")
    if not username:
        raise ValidationError({"username": ["请填写用户名。"]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["该用户名已被使用，请换一个。"]})
    user = User(
        username=username,
        full_name=assistant.name,
        role=Role.ASSISTANT,
        region_id=assistant.township_id,
        phone=assistant.phone,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.villages.set(assistant.villages.all())
    assistant.user = user
    assistant.save(update_fields=["user"])
    _sync_account(assistant)
    return user


# --- appointment -------------------------------------------------------------------------


def _check_term(start: dt.date, end: dt.date, today: dt.date) -> None:
    if end <= start:
        raise ValidationError({"end": ["聘期结束日期须晚于开始日期。"]})
    if end < today:
        raise ValidationError({"end": ["聘期结束日期已过，无法聘任。"]})
    if end > rules.add_years(start, rules.MAX_TERM_YEARS):
        raise ValidationError({"end": [f"聘期不能超过 {rules.MAX_TERM_YEARS} 年。"]})


@transaction.atomic
def appoint_assistant(
    assistant: Assistant, *, start: dt.date, end: dt.date, document_no: str, by: User
) -> Appointment:
    """Appoint a candidate (or re-appoint after a term lapsed) for a fixed term.

    Refused unless pre-job training is passed and the four conditions are met; the error
    lists exactly what is missing.
    """
    today = _today()
    _lock(assistant)
    if assistant.status == AssistantStatus.DISMISSED or hasattr(assistant, "dismissal"):
        raise ValidationError("该协管员已解聘，不能再次聘任；如需重新聘用请新建人员档案。")
    if assistant.appointments.filter(end__gte=today).exists():
        raise ValidationError("该协管员已有未结束的聘期；聘期将满时请办理续聘。")
    missing = rules.missing_for_appointment(assistant)
    if missing:
        raise ValidationError(missing, code="not_eligible")
    if start > today:
        raise ValidationError({"start": ["首次聘任的聘期开始日期不能晚于今天（续聘可提前办理）。"]})
    _check_term(start, end, today)
    previous = assistant.appointments.order_by("-end").first()
    if previous is not None and start <= previous.end:
        raise ValidationError({"start": [f"聘期不能与上一聘期（至 {previous.end}）重叠。"]})
    appointment = Appointment.objects.create(
        assistant=assistant, start=start, end=end, document_no=document_no.strip(), created_by=by
    )
    assistant.status = _current_status(assistant, today)
    assistant.save(update_fields=["status"])
    _sync_account(assistant, today)
    return appointment


@transaction.atomic
def renew_appointment(assistant: Assistant, *, end: dt.date, document_no: str, by: User) -> Appointment:
    """Renew (续聘): a new term from the day after the last one ends (or today, if it lapsed)."""
    today = _today()
    _lock(assistant)
    if hasattr(assistant, "dismissal"):
        raise ValidationError("该协管员已解聘，不能续聘。")
    last = assistant.appointments.order_by("-end").first()
    if last is None:
        raise ValidationError("该人员尚未聘任，请先办理聘任。")
    if Appointment.objects.filter(renewal_of=last).exists():
        raise ValidationError("该聘期已续聘。")
    missing = rules.missing_for_appointment(assistant)
    if missing:
        raise ValidationError(missing, code="not_eligible")
    start = max(last.end + dt.timedelta(days=1), today)
    _check_term(start, end, today)
    appointment = Appointment.objects.create(
        assistant=assistant,
        start=start,
        end=end,
        document_no=document_no.strip(),
        renewal_of=last,
        created_by=by,
    )
    assistant.status = _current_status(assistant, today)
    assistant.save(update_fields=["status"])
    _sync_account(assistant, today)
    return appointment


def expire_terms(today: dt.date | None = None) -> int:
    """Store the derived status of every assistant whose stored status is stale (idempotent).

    A term that ended makes APPOINTED → EXPIRED; a renewal that started makes EXPIRED →
    APPOINTED. Returns how many assistants changed. Run daily by cron (``expireterms``).
    """
    day = today or _today()
    changed = 0
    stale = (
        Assistant.objects.with_term(day)
        .exclude(status=AssistantStatus.DISMISSED)
        .exclude(Q(derived_status=F("status")))
        .select_related("user")
    )
    for assistant in stale:
        with transaction.atomic():
            assistant.status = assistant.derived_status  # type: ignore[attr-defined]
            assistant.save(update_fields=["status"])
            _sync_account(assistant, day)
            changed += 1
    return changed


# --- training ------------------------------------------------------------------------------

#: An invitation with nothing recorded yet: not marked as attended, no score. Such invitations may
#: be withdrawn, and a session holding only such invitations may be deleted.
NO_RESULT = Q(attended=False, score=None)


@transaction.atomic
def save_training_session(
    session: TrainingSession, invited: Sequence[Assistant] | None = None
) -> TrainingSession:
    """Create or update a session; ``invited`` replaces the invitations not yet recorded.

    An existing session's row is locked first, as deleting it and recording results do; one
    deleted meanwhile is refused (``save()`` would insert it again, with its invitations)."""
    if session.held_on and session.held_on > _today() + dt.timedelta(days=366):
        raise ValidationError({"held_on": ["培训日期不能晚于一年以后。"]})
    if (
        not session._state.adding
        and not TrainingSession.objects.select_for_update().filter(pk=session.pk).exists()
    ):
        raise ValidationError("该培训已被删除。")
    session.save()
    if invited is not None:
        wanted = {a.pk for a in invited}
        wrong = [a.name for a in invited if not a.township_id.startswith(session.region_id)]
        if wrong:
            raise ValidationError({"invited": [f"这些协管员不在培训组织单位的辖区内：{'、'.join(wrong)}。"]})
        existing = set(session.records.values_list("assistant_id", flat=True))
        removable = session.records.exclude(assistant_id__in=wanted).filter(NO_RESULT)
        kept_recorded = session.records.exclude(assistant_id__in=wanted).exclude(pk__in=removable)
        if kept_recorded.exists():
            names = "、".join(r.assistant.name for r in kept_recorded.select_related("assistant"))
            raise ValidationError({"invited": [f"已登记参训结果的人员不能取消邀请：{names}。"]})
        removable.delete()
        TrainingRecord.objects.bulk_create(
            TrainingRecord(session=session, assistant_id=pk) for pk in wanted - existing
        )
    return session


@transaction.atomic
def delete_training_session(session: TrainingSession) -> None:
    """Delete a session entered by mistake, or one that was called off, with its invitations.

    Refused once anyone's attendance or score is recorded: those results are the facts behind
    the participation and pass rates and the assessments, and are corrected in the attendance
    record instead. The session's row is locked first, so a result recorded at the same moment
    either lands before the check (and refuses the deletion) or waits and finds no session."""
    locked = TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
    if locked is None:
        raise ValidationError("该培训已不存在。")
    recorded = locked.records.exclude(NO_RESULT).count()
    if recorded:
        raise ValidationError(
            f"已有 {recorded} 人登记了参训或考核结果，不能删除该培训。如登记有误，请在参训登记中更正。"
        )
    locked.delete()  # its invitations go with it (on_delete=CASCADE)


@dataclass(frozen=True)
class AttendanceRow:
    record_id: int
    attended: bool
    score: Decimal | None


@transaction.atomic
def record_attendance(session: TrainingSession, rows: Sequence[AttendanceRow]) -> int:
    """Record attendance and exam results. ``passed`` follows the session's rule:
    with an exam, attended and score ≥ pass mark; without, attended."""
    if not TrainingSession.objects.select_for_update().filter(pk=session.pk).exists():
        raise ValidationError("该培训已被删除。")
    records = {r.pk: r for r in session.records.select_for_update().select_related("assistant")}
    errors: list[str] = []
    for row in rows:
        record = records.get(row.record_id)
        if record is None:
            raise ValidationError("培训记录不属于本次培训。")
        if row.score is not None and not (Decimal(0) <= row.score <= Decimal(100)):
            errors.append(f"{record.assistant.name}：成绩应在 0 到 100 之间。")
        if row.score is not None and not row.attended:
            errors.append(f"{record.assistant.name}：未参加培训不能登记成绩。")
        if session.has_exam and row.attended and row.score is None:
            errors.append(f"{record.assistant.name}：本次培训有考核，参加者须登记成绩。")
    if errors:
        raise ValidationError(errors)
    for row in rows:
        record = records[row.record_id]
        record.attended = row.attended
        record.score = row.score if session.has_exam else None
        if not row.attended:
            record.passed = None
        elif session.has_exam:
            record.passed = row.score is not None and row.score >= session.pass_mark
        else:
            record.passed = True
        record.save(update_fields=["attended", "score", "passed"])
    return len(rows)


# --- assessment ----------------------------------------------------------------------------


@transaction.atomic
def start_assessment(assistant: Assistant, year: int) -> Assessment:
    """Open (or return) the assessment of a year, pre-filled with the measured work."""
    if year > _today().year:
        raise ValidationError("不能考核尚未开始的年度。")
    if assistant.status == AssistantStatus.CANDIDATE:
        raise ValidationError("尚未聘任的人员无需年度考核。")
    assessment, _created = Assessment.objects.get_or_create(
        assistant=assistant, year=year, defaults={"measured": measure(assistant, year).as_dict()}
    )
    return assessment


@transaction.atomic
def refresh_measures(assessment: Assessment) -> Assessment:
    if assessment.signed_off_at is not None:
        raise ValidationError("考核已确认，不能修改。")
    assessment.measured = measure(assessment.assistant, assessment.year).as_dict()
    assessment.save(update_fields=["measured"])
    return assessment


@transaction.atomic
def save_assessment(
    assessment: Assessment,
    *,
    duty_score: Decimal,
    service_score: Decimal,
    discipline_score: Decimal,
    comments: str,
    sign_off: bool = False,
    by: User,
) -> Assessment:
    """Score the three aspects of 第十条; the grade follows from the thresholds (data)."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.signed_off_at is not None:
        raise ValidationError("考核已确认，不能修改。")
    errors: dict[str, list[str]] = {}
    scores = {"duty_score": duty_score, "service_score": service_score, "discipline_score": discipline_score}
    for field, value in scores.items():
        top = ASPECT_MAX[field]
        if value is None or not (Decimal(0) <= value <= top):
            errors[field] = [f"分数应在 0 到 {top} 之间。"]
    if sign_off and not comments.strip():
        errors["comments"] = ["确认考核前请填写考核意见。"]
    if errors:
        raise ValidationError(errors)
    assessment.duty_score = duty_score
    assessment.service_score = service_score
    assessment.discipline_score = discipline_score
    assessment.total_score = duty_score + service_score + discipline_score
    assessment.grade = grade_for(assessment.total_score, assessment.assistant.township_id)
    assessment.comments = comments.strip()
    if sign_off:
        assessment.signed_off_at = timezone.now()
        assessment.signed_off_by = by
    assessment.save()
    return assessment


# --- rewards and dismissal -------------------------------------------------------------------


@transaction.atomic
def award(
    assistant: Assistant, *, ground: str, description: str, awarded_on: dt.date, document_no: str, by: User
) -> Reward:
    """Record a reward (表彰奖励) on one of the four grounds of 第十一条."""
    if assistant.status == AssistantStatus.CANDIDATE:
        raise ValidationError("尚未聘任的人员不能给予表彰奖励。")
    if awarded_on > _today():
        raise ValidationError({"awarded_on": ["日期不能晚于今天。"]})
    if not description.strip():
        raise ValidationError({"description": ["请填写事迹。"]})
    return Reward.objects.create(
        assistant=assistant,
        ground=ground,
        description=description.strip(),
        awarded_on=awarded_on,
        document_no=document_no.strip(),
        created_by=by,
    )


@transaction.atomic
def dismiss_assistant(
    assistant: Assistant, *, ground: str, dismissed_on: dt.date, document_no: str, note: str, by: User
) -> Aftermath:
    """Dismiss (解聘) on one of the four grounds of 第十二条, in one transaction.

    The account is disabled at once (``is_active`` off, ``access_until`` the day before the
    dismissal); the assistant's draft inspections stay as they are for the county; the
    returned aftermath names the employers and leads that now have nobody and the open 协查
    requests of the assistant.
    """
    from xieguan.personnel.aftermath import aftermath_of

    today = _today()
    _lock(assistant)
    if hasattr(assistant, "dismissal"):
        raise ValidationError("该协管员已解聘。")
    first = assistant.appointments.order_by("start").first()
    if first is None:
        raise ValidationError("该人员尚未聘任，无需解聘。")
    errors: dict[str, list[str]] = {}
    if dismissed_on > today:
        errors["dismissed_on"] = ["解聘日期不能晚于今天。"]
    elif dismissed_on < first.start:
        errors["dismissed_on"] = [f"解聘日期不能早于首次聘任日期 {first.start}。"]
    if not document_no.strip():
        errors["document_no"] = ["请填写解聘文号。"]
    if errors:
        raise ValidationError(errors)
    Dismissal.objects.create(
        assistant=assistant,
        ground=ground,
        dismissed_on=dismissed_on,
        document_no=document_no.strip(),
        note=note.strip(),
        created_by=by,
    )
    assistant.status = AssistantStatus.DISMISSED
    assistant.save(update_fields=["status"])
    _sync_account(assistant, today)
    return aftermath_of(assistant)

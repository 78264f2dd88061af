"""Domain actions on inspections (巡查). Web views, the API and commands call these only.

Every action validates first and writes inside one transaction, so a refusal leaves nothing
half-saved. Refusals are ``InspectionError`` with plain Chinese messages.

- ``save_draft``: create or update the draft with the client's UUID (autosave);
- ``add_photo`` / ``delete_photo``: evidence on a draft, stamped into the pixels;
- ``self_check``: what is missing before submission, in plain Chinese;
- ``submit_inspection``: idempotent by UUID; stores answers, findings, leads, ledger dates;
- ``amend_inspection``: a correction with a reason, keeping both versions;
- ``activate_template`` / ``revise_template``: the province's check-list versions;
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from xieguan.employers.models import Employer, OperatingStatus
from xieguan.indicators.periods import MIN_YEAR
from xieguan.inspections import patrol
from xieguan.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionAmendment,
    InspectionAnswer,
    InspectionPhoto,
    InspectionStatus,
    ItemKind,
    NotApplicableRule,
)
from xieguan.leads.actions import discover_lead, retract_finding
from xieguan.leads.models import IMPORTANT_BY_DEFAULT, Importance, Lead, LeadSource, LeadType
from xieguan.lib.filechanges import FileChanges, delete_on_commit
from xieguan.lib.images import photo_bytes, signature_bytes
from xieguan.lib.prepared import Prepared
from xieguan.lib.sync import create_once
from xieguan.lib.validators import clean_phone
from xieguan.regions.policy import forget_policies, province_of

if TYPE_CHECKING:
    from xieguan.accounts.models import User

CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone clock a little ahead is not "the future"
HEADER_FIELDS = ("employer_name", "address", "legal_representative", "phone")
# Inspection header field -> Employer ledger field
LEDGER_FIELD = {
    "employer_name": "name",
    "address": "address",
    "legal_representative": "legal_representative",
    "phone": "phone",
}
LEDGER_REASON = "巡查现场核实更正"
STALE_LEDGER = (
    "台账中该单位的信息在您巡查期间已被他人修改，现场填写的单位信息未同步到台账，请到台账核对两个版本。"
)
LEDGER_LABELS = {
    "name": "用人单位名称",
    "address": "地址",
    "legal_representative": "法定代表人",
    "phone": "联系电话",
}
ANSWER_LABELS = {Answer.YES: "有", Answer.NO: "无", Answer.NOT_APPLICABLE: "合理缺项"}


class InspectionError(Exception):
    """A refusal: nothing has been written. ``messages`` are shown to the user as they are."""

    def __init__(self, messages: str | Sequence[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


class SubmissionIncomplete(InspectionError):
    """The self-check found something missing or not allowed."""


class NotYours(InspectionError):
    """The UUID belongs to an inspection of someone else (answered as not found)."""


class _UuidTaken(IntegrityError):
    """The insert of a new inspection met a row with its UUID: a twin request's, a draft saved
    meanwhile, or one outside the user's scope (which no lookup of theirs sees)."""


NOT_FOUND = "未找到该巡查。"


@dataclass
class AnswerData:
    number: int
    answer: str = ""  # "", "yes", "no", "na"
    note: str = ""
    important: bool | None = None  # the assistant's 重要 mark; None: the item's default


@dataclass
class PhotoData:
    image: bytes
    taken_at: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    caption: str = ""
    item_number: int | None = None
    client_uuid: uuid.UUID | None = None  # uploads one by one (add_photo): a repeat is stored once


@dataclass
class InspectionData:
    """One inspection as the phone sends it (web form and offline API alike).

    Signatures: ``None`` keeps what the draft has, ``b""`` clears it, bytes replace it.
    ``items``: the template's items in order, when the caller has fetched them already.
    """

    id: uuid.UUID
    employer: Employer
    template: ChecklistTemplate
    employer_name: str = ""
    address: str = ""
    legal_representative: str = ""
    phone: str = ""
    employer_version: int | None = None
    inspected_at: dt.datetime | None = None
    accompanying_person: str = ""
    answers: list[AnswerData] = field(default_factory=list)
    companion_signature: bytes | None = None
    assistant_signature: bytes | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: float | None = None
    legal_publicity: bool | None = None  # 普法 given during the visit; None: not said
    photos: list[PhotoData] = field(default_factory=list)
    items: list[ChecklistItem] | None = None
    # True: the caller found no inspection with this id (the API, in the statement that read the
    # employer), so submit_inspection does not look again; a twin or a draft stored since is
    # met at the insert, as after its own look.
    unseen: bool = False


@dataclass
class SubmitResult:
    inspection: Inspection
    created: bool  # False: this UUID had been submitted before; this is the first result
    notices: list[str] = field(default_factory=list)
    leads: int = 0
    # What a new submission stored, at hand for the response (None: read it from the database).
    answers: list[InspectionAnswer] | None = None  # in item order, each with its item
    photos: list[InspectionPhoto] | None = None  # by time taken; None after a draft (it has its own)
    lead_ids: list[int] | None = None  # in the order made


# --- checks ---------------------------------------------------------------------------


def answer_label(answer: str) -> str:
    return ANSWER_LABELS.get(answer, "") if answer else ""  # type: ignore[call-overload]


def na_refusal(item: ChecklistItem, employer: Employer) -> str:
    """Why 合理缺项 is not allowed for this item and employer (plain Chinese)."""
    if item.na_rule == NotApplicableRule.NO_CONSTRUCTION_PROJECT:
        return f"第{item.number}项只有无建设项目的用人单位才能选“合理缺项”；台账登记该单位有在建建设项目。"
    if item.na_rule == NotApplicableRule.NO_RADIATION_WORK:
        return f"第{item.number}项只有不从事放射工作的用人单位才能选“合理缺项”；台账登记该单位从事放射工作。"
    return f"第{item.number}项不允许选“合理缺项”，请选择“有”或“无”。"


def _in_future(when: dt.datetime | None) -> bool:
    return when is not None and when > timezone.now() + CLOCK_SKEW


TOO_EARLY = f"巡查时间不能早于{MIN_YEAR}年。"


def _too_early(when: dt.datetime | None) -> bool:
    """Before the first year any register or indicator shows (``periods.MIN_YEAR``, local time)."""
    return when is not None and timezone.localtime(when).year < MIN_YEAR


def self_check(
    data: InspectionData,
    items: Sequence[ChecklistItem],
    *,
    has_companion_signature: bool,
    has_assistant_signature: bool,
) -> list[str]:
    """Everything that stops this inspection from being submitted, in plain Chinese, in form order."""
    problems: list[str] = []
    if not data.employer_name.strip():
        problems.append("请填写用人单位名称。")
    if data.phone.strip():
        try:
            clean_phone(data.phone)
        except ValidationError as exc:
            problems.append(f"联系电话：{exc.messages[0]}")
    if data.inspected_at is None:
        problems.append("请填写巡查时间。")
    elif _in_future(data.inspected_at):
        problems.append("巡查时间不能晚于现在。")
    elif _too_early(data.inspected_at):
        problems.append(TOO_EARLY)
    by_number = {a.number: a for a in data.answers}
    if len(by_number) < len(data.answers):  # an item answered twice: neither answer is taken
        counts = Counter(a.number for a in data.answers)
        problems.extend(f"第{number}项填写了不止一次。" for number in sorted(counts) if counts[number] > 1)
    known = {item.number for item in items}
    for number in sorted(set(by_number) - known):
        problems.append(f"第{number}项不在本巡查表中。")
    for item in items:
        given = by_number.get(item.number)
        answer = given.answer if given else ""
        if not answer:
            problems.append(f"第{item.number}项“{item.wording}”还没有选择。")
        elif answer not in Answer.values:
            problems.append(f"第{item.number}项的答案无效。")
        elif answer == Answer.NOT_APPLICABLE and not item.na_allowed_for(data.employer):
            problems.append(na_refusal(item, data.employer))
    if not data.accompanying_person.strip():
        problems.append("请填写用人单位陪同人员姓名。")
    if not has_companion_signature:
        problems.append("缺少用人单位陪同人员签字。")
    if not has_assistant_signature:
        problems.append("缺少协管员签字。")
    return problems


def _length_problems(data: InspectionData) -> list[str]:
    problems = []
    for name in (*HEADER_FIELDS, "accompanying_person"):
        model_field = Inspection._meta.get_field(name)
        value = getattr(data, name)
        if model_field.max_length and len(value) > model_field.max_length:  # type: ignore[union-attr]
            problems.append(f"{model_field.verbose_name}太长（不超过 {model_field.max_length} 个字）。")  # type: ignore[union-attr]
    return problems


def _check_owner(existing: Inspection, user: User) -> None:
    if existing.assistant_id != user.pk:
        raise NotYours(NOT_FOUND)


def important_by_default(item: ChecklistItem) -> bool:
    """A finding about a suspected occupational-disease patient or a poisoning is 重要 by default."""
    return item.finding_lead_type() in IMPORTANT_BY_DEFAULT


def _important(item: ChecklistItem, given: AnswerData | None) -> bool:
    if given is not None and given.important is not None:
        return bool(given.important)
    return important_by_default(item)


def _refuse_closed(employer: Employer) -> None:
    """A closed employer cannot be inspected (also an offline record sent after the closure)."""
    if employer.status == OperatingStatus.CLOSED:
        why = f"（{employer.closed_reason}）" if employer.closed_reason else ""
        raise InspectionError(
            f"“{employer.name}”已在台账中登记为关闭{why}，不能再巡查或提交巡查记录。"
            "如这份巡查是关闭前离线保存、现在才提交的，或单位仍在生产经营，"
            "请联系县(区)管理员核实台账中的单位状态后再提交。"
        )


def _refuse_other_version(draft_template_id: int, template: ChecklistTemplate, region: str) -> None:
    """A draft is completed with the template version it was made with, never another."""
    if draft_template_id == template.pk:
        return
    draft_template = ChecklistTemplate.objects.get(pk=draft_template_id)
    active = ChecklistTemplate.active(region)
    now = f"当前启用的是{active}" if active else "当前没有启用的巡查表"
    raise InspectionError(
        f"这份草稿是用{draft_template}填写的，与提交的{template}不一致，不能合并保存。"
        f"{now}：请删除这份草稿，新建巡查按当前巡查表重新填写。"
    )


def _signature_file(data: bytes, inspection_id: uuid.UUID, who: str) -> ContentFile[bytes]:
    return ContentFile(signature_bytes(data), name=f"{inspection_id}-{who}.png")


def _prepare_signatures(data: InspectionData) -> dict[str, ContentFile[bytes] | None]:
    """Checked, re-encoded signatures to store: {field: file, or None to clear}; raises on bad images."""
    prepared: dict[str, ContentFile[bytes] | None] = {}
    problems = []
    for name, label in (("companion_signature", "陪同人员签字"), ("assistant_signature", "协管员签字")):
        raw: bytes | None = getattr(data, name)
        if raw is None:
            continue
        if raw == b"":
            prepared[name] = None
            continue
        try:
            prepared[name] = _signature_file(raw, data.id, name.split("_")[0])
        except ValidationError as exc:
            problems.append(f"{label}：{exc.messages[0]}")
    if problems:
        raise InspectionError(problems)
    return prepared


def _apply_header(inspection: Inspection, data: InspectionData) -> None:
    inspection.employer_name = data.employer_name.strip()
    inspection.address = data.address.strip()
    inspection.legal_representative = data.legal_representative.strip()
    phone = data.phone.strip()
    with contextlib.suppress(ValidationError):  # kept as typed in a draft; refused at submission
        phone = clean_phone(phone)
    inspection.phone = phone
    inspection.accompanying_person = data.accompanying_person.strip()
    if data.inspected_at is not None:
        inspection.inspected_at = data.inspected_at
    inspection.latitude = data.latitude
    inspection.longitude = data.longitude
    inspection.accuracy_m = data.accuracy_m
    inspection.legal_publicity = data.legal_publicity


def _apply_signatures(
    inspection: Inspection, prepared: Mapping[str, ContentFile[bytes] | None], files: FileChanges
) -> None:
    """Write the new signatures; the files they replace are deleted only once the transaction
    commits, and the new ones again if the save fails (``FileChanges``)."""
    for name, content in prepared.items():
        if content is None:
            files.clear(getattr(inspection, name))
        else:
            files.save(getattr(inspection, name), str(content.name), content)


def _new_row(data: InspectionData, user: User) -> Inspection:
    """The unsaved row of a new inspection, a draft until submitted: its region is its
    employer's, its assistant the user."""
    return Inspection(
        id=data.id,
        template=data.template,
        employer=data.employer,
        region_id=data.employer.region_id,
        assistant=user,
        status=InspectionStatus.DRAFT,
    )


def _insert(inspection: Inspection) -> None:
    """Insert a new inspection; a row with its UUID already there is ``_UuidTaken``."""
    try:
        inspection.save(force_insert=True)
    except IntegrityError as exc:
        raise _UuidTaken(*exc.args) from exc


# --- drafts ---------------------------------------------------------------------------


def save_draft(user: User, data: InspectionData) -> Inspection:
    """Create or update the user's draft with this UUID. Answers may be partial."""
    problems = _length_problems(data)
    if _in_future(data.inspected_at):
        problems.append("巡查时间不能晚于现在。")
    elif _too_early(data.inspected_at):
        problems.append(TOO_EARLY)
    if problems:
        raise InspectionError(problems)
    prepared = _prepare_signatures(data)
    try:
        with FileChanges() as files, transaction.atomic():
            return _save_draft_locked(user, data, prepared, files)
    except _UuidTaken:
        # A UUID unseen by the lookup: a twin autosave created the draft meanwhile (save over
        # it), or it is stored outside the user's scope (not found, like any UUID not theirs).
        if _stored(user, data.id) is None:
            raise NotYours(NOT_FOUND) from None
        with FileChanges() as files, transaction.atomic():
            return _save_draft_locked(user, data, prepared, files)


def _save_draft_locked(
    user: User, data: InspectionData, prepared: Mapping[str, ContentFile[bytes] | None], files: FileChanges
) -> Inspection:
    inspection = Inspection.objects.visible_to(user).select_for_update().filter(pk=data.id).first()
    if inspection is None or not inspection.is_submitted:
        _refuse_closed(data.employer)
    if inspection is None:
        if not data.template.is_active_in(data.employer.region_id):
            active = ChecklistTemplate.active(data.employer.region_id)
            raise InspectionError(
                f"{data.template}已停用，新的草稿只能用当前启用的巡查表"
                + (f"（{active}）" if active else "")
                + "。请刷新页面，按当前巡查表填写。"
            )
        inspection = _new_row(data, user)
        created = True
    else:
        _check_owner(inspection, user)
        if inspection.is_submitted:
            raise InspectionError("该巡查已提交，不能再修改；如需更正请提交修订。")
        if inspection.employer_id != data.employer.pk:
            raise InspectionError("草稿的用人单位不能更换，请新建巡查。")
        _refuse_other_version(inspection.template_id, data.template, data.employer.region_id)
        created = False
    _apply_header(inspection, data)
    _apply_signatures(inspection, prepared, files)
    if created:
        _insert(inspection)
    else:
        inspection.save()
    _save_draft_answers(inspection, data.answers)
    return inspection


def _save_draft_answers(inspection: Inspection, answers: Iterable[AnswerData]) -> None:
    items = {i.number: i for i in inspection.template.items.all()}
    existing = {a.item_id: a for a in inspection.answers.all()}
    keep: set[int] = set()
    for given in answers:
        item = items.get(given.number)
        if item is None or given.answer not in ("", *Answer.values):
            continue
        if not given.answer and not given.note.strip():
            continue
        row = existing.get(item.pk) or InspectionAnswer(inspection=inspection, item=item)
        row.answer, row.note = given.answer, given.note.strip()
        row.is_finding = False
        row.important = _important(item, given)
        row.save()
        keep.add(item.pk)
    inspection.answers.exclude(item_id__in=keep).delete()


def _locked_now(inspection: Inspection) -> Inspection:
    """The inspection's row as it is now, locked to the end of the transaction. The caller's copy
    may be a draft that a submission (the phone's sync) completed since it was read: a draft's
    delete, photo upload or photo removal checks this one, never the copy."""
    current = Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
    if current is None:
        raise NotYours("未找到该巡查。")
    return current


def delete_draft(inspection: Inspection, user: User) -> None:
    _check_owner(inspection, user)
    if inspection.is_submitted:
        raise InspectionError("已提交的巡查不能删除。")
    with transaction.atomic():  # the files go once the rows are gone for good
        inspection = _locked_now(inspection)
        if inspection.is_submitted:
            raise InspectionError("已提交的巡查不能删除。")
        for photo in inspection.photos.all():
            delete_on_commit(photo.image)
        delete_on_commit(inspection.companion_signature)
        delete_on_commit(inspection.assistant_signature)
        inspection.delete()


# --- photos ---------------------------------------------------------------------------


def stamp_lines(
    taken_at: dt.datetime, latitude: Decimal | None, longitude: Decimal | None, employer_name: str
) -> list[str]:
    local = timezone.localtime(taken_at)
    if latitude is not None and longitude is not None:
        lat, lon = float(latitude), float(longitude)
        ns = "北纬" if lat >= 0 else "南纬"
        ew = "东经" if lon >= 0 else "西经"
        place = f"位置：{ns}{abs(lat):.6f}° {ew}{abs(lon):.6f}°"
    else:
        place = "位置：未获取定位"
    return [f"时间：{local:%Y-%m-%d %H:%M:%S}", place, f"单位：{employer_name}"]


def _photo(inspection: Inspection, photo: PhotoData, files: FileChanges) -> InspectionPhoto:
    taken_at = photo.taken_at or timezone.now()
    if _in_future(taken_at):
        taken_at = timezone.now()
    name = inspection.employer_name or inspection.employer.name
    try:
        content = photo_bytes(photo.image, stamp_lines(taken_at, photo.latitude, photo.longitude, name))
    except ValidationError as exc:
        raise InspectionError(f"照片：{exc.messages[0]}") from exc
    record = InspectionPhoto(
        inspection=inspection,
        taken_at=taken_at,
        latitude=photo.latitude,
        longitude=photo.longitude,
        caption=photo.caption.strip()[:200],
        item_number=photo.item_number,
    )
    files.save(record.image, f"{inspection.pk}-{uuid.uuid4().hex[:8]}.jpg", ContentFile(content))
    return record


def add_photo(inspection: Inspection, user: User, photo: PhotoData) -> tuple[InspectionPhoto, bool]:
    """Attach a stamped photo to a draft: (photo, created). Idempotent by ``photo.client_uuid``:
    a repeat returns the stored photo (created=False), even after the inspection was submitted."""
    _check_owner(inspection, user)

    def create() -> InspectionPhoto:
        if inspection.is_submitted or _locked_now(inspection).is_submitted:
            raise InspectionError("该巡查已提交，不能再添加照片。")
        with files:  # a twin upload that won the race: its savepoint's file is removed
            record = _photo(inspection, photo, files)
            record.client_uuid = photo.client_uuid
            record.save()
        return record

    # a photo's UUID stored outside the user's scope is met at the insert: UuidTaken (lib/sync.py)
    with FileChanges() as files, transaction.atomic():
        return create_once(
            InspectionPhoto.objects.all(),
            photo.client_uuid,
            create,
            user=user,
            mine=lambda p: p.inspection_id == inspection.pk,
        )


def delete_photo(photo: InspectionPhoto, user: User) -> None:
    inspection = photo.inspection
    _check_owner(inspection, user)
    with transaction.atomic():
        if inspection.is_submitted or _locked_now(inspection).is_submitted:
            raise InspectionError("该巡查已提交，照片不能删除。")
        delete_on_commit(photo.image)
        photo.delete()


# --- submission -----------------------------------------------------------------------


def _effective_signature(existing: Inspection | None, given: bytes | None, name: str) -> bool:
    if given is not None:
        return bool(given)
    return bool(existing is not None and getattr(existing, name))


def _stored_query(user: User, pk: uuid.UUID) -> models.QuerySet[Inspection]:
    return Inspection.objects.visible_to(user).filter(pk=pk)[:1]


# The inspection stored under a client's UUID in the user's scope, if any (compiled once per
# process): one of another region is not seen, as if it did not exist.
STORED = Prepared(Inspection, _stored_query)


def _stored(user: User, pk: uuid.UUID) -> Inspection | None:
    found = STORED.list(user=user, pk=pk) if isinstance(pk, uuid.UUID) else list(_stored_query(user, pk))
    return found[0] if found else None


def submit_inspection(user: User, data: InspectionData) -> SubmitResult:
    """Submit an inspection (from a draft or directly, e.g. from the offline phone client).

    Idempotent by ``data.id``: if that UUID has been submitted already, nothing is written
    and the first result is returned (``created=False``), also when two requests race.
    """
    existing = None if data.unseen else _stored(user, data.id)
    if existing is not None:
        _check_owner(existing, user)
        if existing.is_submitted:
            return SubmitResult(existing, created=False)
        if existing.employer_id != data.employer.pk:
            raise InspectionError("草稿的用人单位不能更换，请新建巡查。")
        _refuse_other_version(existing.template_id, data.template, data.employer.region_id)
    _refuse_closed(data.employer)
    if data.inspected_at is None and existing is not None:
        data.inspected_at = existing.inspected_at
    items = data.items if data.items is not None else list(data.template.items.all())
    problems = _length_problems(data) + self_check(
        data,
        items,
        has_companion_signature=_effective_signature(
            existing, data.companion_signature, "companion_signature"
        ),
        has_assistant_signature=_effective_signature(
            existing, data.assistant_signature, "assistant_signature"
        ),
    )
    if problems:
        raise SubmissionIncomplete(problems)
    prepared = _prepare_signatures(data)
    photos = [_photo_placeholder(p) for p in data.photos]
    try:
        # the files written are removed again if this fails; those replaced go on commit
        with FileChanges() as files, transaction.atomic():
            return _submit_locked(user, data, items, prepared, photos, files, draft=existing)
    except _UuidTaken:
        # Another request with the same UUID committed first: a twin submission (its result
        # is ours), or a draft autosaved meanwhile (submit over it, as if we had seen it); or
        # the UUID is stored outside the user's scope: not found, like any UUID not theirs.
        first = _stored(user, data.id)
        if first is None:
            raise NotYours(NOT_FOUND) from None
        _check_owner(first, user)
        if first.is_submitted:
            return SubmitResult(first, created=False)
        if existing is None:  # now sees the draft and locks it
            return submit_inspection(user, dataclasses.replace(data, unseen=False))
        raise


def _photo_placeholder(photo: PhotoData) -> PhotoData:
    """Refuse bad photo content before anything is written."""
    try:
        photo_bytes(photo.image)
    except ValidationError as exc:
        raise InspectionError(f"照片：{exc.messages[0]}") from exc
    return photo


def _submit_locked(
    user: User,
    data: InspectionData,
    items: list[ChecklistItem],
    prepared: Mapping[str, ContentFile[bytes] | None],
    photos: list[PhotoData],
    files: FileChanges,
    draft: Inspection | None,
) -> SubmitResult:
    """Store the submission: the draft seen before is locked and completed; without one the
    new row is inserted, and a twin request racing us fails on the primary key (``_UuidTaken``;
    the caller's ``FileChanges`` removes the signatures and photos written)."""
    inspection = None
    if draft is not None:
        inspection = Inspection.objects.visible_to(user).select_for_update().filter(pk=data.id).first()
    created = inspection is None
    if inspection is None:
        inspection = _new_row(data, user)
    else:
        _check_owner(inspection, user)
        if inspection.is_submitted:
            return SubmitResult(inspection, created=False)
    _apply_header(inspection, data)
    _apply_signatures(inspection, prepared, files)
    by_number = {a.number: a for a in data.answers}
    rows = []
    for item in items:
        given = by_number[item.number]
        rows.append(
            InspectionAnswer(
                inspection=inspection,
                item=item,
                answer=given.answer,
                note=given.note.strip(),
                is_finding=item.is_finding(given.answer),
                important=_important(item, given),
            )
        )
    _set_derived(inspection, rows, items)
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = timezone.now()
    if created:
        _insert(inspection)  # a racing twin fails here
    else:
        inspection.answers.all().delete()  # draft rows: no lead points at them yet
        inspection.save()
    InspectionAnswer.objects.bulk_create(rows)  # sets the rows' ids (PostgreSQL, SQLite ≥ 3.35)
    if any(row.pk is None for row in rows):  # an older SQLite: read them back for the leads' links
        by_item = {a.item_id: a for a in inspection.answers.select_related("item")}
        rows = [by_item[row.item_id] for row in rows]
    stored_photos = [_photo(inspection, photo, files) for photo in photos]
    for record in stored_photos:
        record.save()
    leads = _leads_for_findings(inspection, rows, user)  # new rows: none has a lead yet
    _mark_inspected(data.employer, inspection.inspected_at)
    patrol.count_assistant_inspection(inspection.assistant_id, inspection.inspected_at)
    notices = _sync_ledger(inspection, data, user)
    return SubmitResult(
        inspection,
        created=True,
        notices=notices,
        leads=len(leads),
        answers=rows,
        photos=sorted(stored_photos, key=lambda p: p.taken_at) if created else None,
        lead_ids=[lead.pk for lead in leads],
    )


def _set_derived(
    inspection: Inspection, rows: Iterable[InspectionAnswer], items: Sequence[ChecklistItem]
) -> None:
    """findings_count and complete from the answer rows about to be stored (no read-back)."""
    answers = {a.item_id: a for a in rows}
    inspection.findings_count = sum(1 for a in answers.values() if a.is_finding)
    inspection.complete = (
        all(item.pk in answers and answers[item.pk].answer in Answer.values for item in items)
        and bool(inspection.companion_signature)
        and bool(inspection.assistant_signature)
    )


def _leads_for_findings(inspection: Inspection, rows: Iterable[InspectionAnswer], user: User) -> list[Lead]:
    """A lead for each finding among ``rows`` (which the caller knows to have none yet)."""
    made = []
    for row in rows:
        if not row.is_finding:
            continue
        item = row.item
        label = answer_label(row.answer)
        description = f"巡查发现：第{item.number}项“{item.wording}”为“{label}”。"
        if row.note:
            description += f"情况说明：{row.note}"
        lead = discover_lead(
            region=inspection.region,
            lead_type=item.finding_lead_type(),
            source=LeadSource.INSPECTION,
            description=description,
            discovered_by=user,
            discovered_at=min(inspection.inspected_at, timezone.now()),
            employer=inspection.employer,
            importance=Importance.IMPORTANT if row.important else Importance.NORMAL,
            place=inspection.address,
            inspection=inspection,
            inspection_answer=row,
        )
        made.append(lead)
    return made


_MARK_INSPECTED = (
    f"UPDATE {Employer._meta.db_table} SET last_inspected_on = CASE WHEN last_inspected_on IS NULL "  # noqa: S608 - the model's table
    "OR last_inspected_on < %s THEN %s ELSE last_inspected_on END, "
    "inspected_halves = inspected_halves | %s WHERE id = %s"
)


def _mark_inspected(employer: Employer, inspected_at: dt.datetime) -> None:
    """A new submission only adds to the employer's derived inspection dates: 最近巡查日期 moves
    forward, never back, and the half-year's bit is set (inspections.patrol), in one UPDATE.
    An amendment may move an inspection back in time, so it recomputes both (_touch_employer)."""
    day = timezone.localdate(inspected_at)
    bit = patrol.bit_of(day)
    # Written out once (Django compiled this CASE on every submission): the same statement.
    on = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(_MARK_INSPECTED, [on, on, bit, employer.pk])
    if employer.last_inspected_on is None or employer.last_inspected_on < day:
        employer.last_inspected_on = day
    employer.inspected_halves |= bit


def _touch_employer(employer: Employer) -> None:
    """Keep the ledger's derived 最近巡查日期 and inspected half-years (inspections.patrol)."""
    patrol.refresh([employer.pk])
    employer.refresh_from_db(fields=["last_inspected_on", "inspected_halves"])


def _sync_ledger(inspection: Inspection, data: InspectionData, user: User) -> list[str]:
    """Send header corrections made on site to the ledger, unless it changed meanwhile.

    Goes through the ledger's own edit action (history, derived fields, duplicate checks,
    optimistic concurrency); a refusal there never refuses the inspection, it is reported.
    """
    from xieguan.employers.actions import LedgerError, StaleEmployer, update_employer

    employer = data.employer  # fetched for this request; update_employer re-reads and checks the version
    changes = {
        LEDGER_FIELD[name]: getattr(inspection, name)
        for name in HEADER_FIELDS
        if getattr(inspection, name) != getattr(employer, LEDGER_FIELD[name])
    }
    if not changes:
        return []
    expected = data.employer_version if data.employer_version is not None else employer.version
    try:
        changed = update_employer(employer, changes, by=user, expected_version=expected, reason=LEDGER_REASON)
    except StaleEmployer:
        return [STALE_LEDGER]
    except LedgerError as exc:
        return [f"台账未更新：{exc.message}"]
    labels = "、".join(LEDGER_LABELS[f] for f in changed if f in LEDGER_LABELS)
    return [f"已按现场核实结果更新台账：{labels}。"] if changed else []


# --- amendments -----------------------------------------------------------------------


def snapshot(inspection: Inspection) -> dict[str, Any]:
    """The amendable content of an inspection, as JSON."""
    return {
        "employer_name": inspection.employer_name,
        "address": inspection.address,
        "legal_representative": inspection.legal_representative,
        "phone": inspection.phone,
        "accompanying_person": inspection.accompanying_person,
        "legal_publicity": inspection.legal_publicity,
        "inspected_at": timezone.localtime(inspection.inspected_at).isoformat(timespec="minutes"),
        "answers": {
            str(a.item.number): {"answer": a.answer, "note": a.note}
            for a in inspection.answers.select_related("item").order_by("item__number")
        },
    }


AMENDING_ROLES = frozenset({"county_admin", "province_admin"})


def can_amend(inspection: Inspection, user: User) -> bool:
    return inspection.is_submitted and (inspection.assistant_id == user.pk or user.role in AMENDING_ROLES)


def amend_inspection(
    inspection: Inspection, user: User, data: InspectionData, reason: str
) -> InspectionAmendment:
    """Correct a submitted inspection. The reason is required; both versions are kept."""
    reason = reason.strip()
    problems = []
    if not reason:
        problems.append("请填写修改原因。")
    if not inspection.is_submitted:
        problems.append("草稿不需要修订，直接修改即可。")
    if not can_amend(inspection, user):
        problems.append("只有巡查的协管员本人或县(区)、省级管理员可以修订。")
    items = list(inspection.template.items.all())
    problems += _length_problems(data)
    problems += self_check(
        data,
        items,
        has_companion_signature=bool(inspection.companion_signature),
        has_assistant_signature=bool(inspection.assistant_signature),
    )
    if problems:
        raise InspectionError(problems)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        before = snapshot(locked)
        _apply_header(locked, data)
        locked.latitude, locked.longitude, locked.accuracy_m = (
            inspection.latitude,
            inspection.longitude,
            inspection.accuracy_m,
        )
        by_number = {a.number: a for a in data.answers}
        rows = {a.item_id: a for a in locked.answers.select_related("item", "lead")}
        saved = []
        turned_back = []  # (row, answer before): findings this amendment undoes
        for item in items:
            given = by_number[item.number]
            row = rows.get(item.pk) or InspectionAnswer(inspection=locked, item=item)
            was_finding, answer_before = row.is_finding, row.answer
            row.answer, row.note = given.answer, given.note.strip()
            row.is_finding = item.is_finding(given.answer)
            if given.important is not None:
                row.important = given.important
            elif row.pk is None:
                row.important = important_by_default(item)
            row.save()
            saved.append(row)
            if was_finding and not row.is_finding and hasattr(row, "lead"):
                turned_back.append((row, answer_before))
        after = snapshot(locked)
        if after == before:
            raise InspectionError("没有修改任何内容。")
        locked.revision += 1
        _set_derived(locked, saved, items)
        locked.save()
        amendment = InspectionAmendment.objects.create(
            inspection=locked,
            revision=locked.revision,
            reason=reason,
            amended_by=user,
            before=before,
            after=after,
        )
        _leads_for_findings(locked, [row for row in saved if not hasattr(row, "lead")], user)
        for row, answer_before in turned_back:
            note = (
                f"巡查个案修订（第{locked.revision}次）：第{row.item.number}项由“{answer_label(answer_before)}”"
                f"改为“{answer_label(row.answer)}”，该线索所依据的发现不再成立。修改原因：{reason}"
            )
            retract_finding(row.lead, by=user, note=note)
        _touch_employer(locked.employer)
        patrol.refresh_assistants([locked.assistant_id])  # the visit may have moved half-year
    inspection.refresh_from_db()
    return amendment


# --- templates ------------------------------------------------------------------------


@dataclass
class ItemData:
    number: int
    wording: str
    kind: str
    na_rule: str = NotApplicableRule.NEVER
    lead_type: str = ""


def _owner(by: User) -> str | None:
    """The province whose templates ``by`` edits (None: the national ones, for a user without one)."""
    return province_of(by.region_id) or None


def _next_version(code: str, province: str | None) -> int:
    """Versions continue from every version of that code the province sees (national and own)."""
    latest = (
        ChecklistTemplate.visible_in(province)
        .select_for_update()
        .filter(code=code)
        .order_by("-version")
        .values_list("version", flat=True)
    )
    return (latest.first() or 0) + 1


def _make_active(template: ChecklistTemplate) -> None:
    """``template`` becomes the active one among its owner's (national or a province's)."""
    ChecklistTemplate.objects.select_for_update().filter(
        province_id=template.province_id, is_active=True
    ).exclude(pk=template.pk).update(is_active=False)
    ChecklistTemplate.objects.filter(pk=template.pk).update(is_active=True)
    template.is_active = True
    forget_policies()


def _copy(
    template: ChecklistTemplate,
    by: User,
    province: str | None,
    *,
    name: str,
    description: str,
    items: Sequence[ItemData],
    active: bool,
) -> ChecklistTemplate:
    new = ChecklistTemplate.objects.create(
        province_id=province,
        code=template.code,
        version=_next_version(template.code, province),
        name=name.strip(),
        description=description.strip(),
        builtin=False,
        is_active=False,
        created_by=by,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=new,
            number=i.number,
            wording=i.wording.strip(),
            kind=i.kind,
            na_rule=i.na_rule,
            lead_type=i.lead_type,
        )
        for i in items
    )
    if active:
        _make_active(new)
    return new


def activate_template(template: ChecklistTemplate, by: User) -> ChecklistTemplate:
    """Make this template version the one new inspections of ``by``'s province are filled with.

    A province's own version becomes its active one. A national version chosen by a province
    admin: the national active one means "use the national template" (the province's own are
    set aside); another national version is copied into the province and activated there, so
    the national choice of other provinces never changes. Returns the template now in force.
    """
    province = _owner(by)
    with transaction.atomic():
        if template.province_id is not None and template.province_id != province:
            raise InspectionError("只能启用本省或全国的巡查表模板。")
        if template.province_id == province or province is None:
            _make_active(template)
            return template
        if template.is_active:  # the national one in force: drop the province's own choice
            ChecklistTemplate.objects.filter(province_id=province, is_active=True).update(is_active=False)
            forget_policies()
            return template
        items = [
            ItemData(i.number, i.wording, i.kind, i.na_rule, i.lead_type)
            for i in template.items.order_by("number")
        ]
        return _copy(
            template,
            by,
            province,
            name=template.name,
            description=template.description,
            items=items,
            active=True,
        )


def revise_template(
    template: ChecklistTemplate, by: User, *, name: str, description: str, items: Sequence[ItemData]
) -> ChecklistTemplate:
    """A change to a template is a new version (same code), owned by ``by``'s province (national
    for a user without one); old inspections keep theirs. When the revised version was the one in
    force in that province, the new version is."""
    problems = []
    if not name.strip():
        problems.append("请填写模板名称。")
    if not items:
        problems.append("巡查表至少要有一项。")
    numbers = [i.number for i in items]
    if numbers != list(range(1, len(items) + 1)):
        problems.append("巡查项目应从 1 开始连续编号。")
    for item in items:
        if not item.wording.strip():
            problems.append(f"第{item.number}项的巡查内容不能为空。")
        if item.kind not in ItemKind.values:
            problems.append(f"第{item.number}项的性质无效。")
        if item.na_rule not in NotApplicableRule.values:
            problems.append(f"第{item.number}项的合理缺项条件无效。")
        if item.lead_type and item.lead_type not in LeadType.values:
            problems.append(f"第{item.number}项的线索类别无效。")
    province = _owner(by)
    if template.province_id is not None and template.province_id != province:
        problems.append("只能修订本省或全国的巡查表模板。")
    if problems:
        raise InspectionError(problems)
    with transaction.atomic():
        active = ChecklistTemplate.active(province)
        was_active = active is not None and active.code == template.code
        return _copy(
            template, by, province, name=name, description=description, items=items, active=was_active
        )

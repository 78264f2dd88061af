"""附表1 for one inspection: maps the record to the documents engine's plain values (the
answers, and the assistant's notes on items, which print under the table as 情况说明)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from xieguan.documents.layout import FormDoc
from xieguan.documents.official import fubiao1
from xieguan.inspections.actions import answer_label
from xieguan.inspections.models import ChecklistItem, Inspection, InspectionAnswer


def _read(file: FieldFile) -> bytes | None:
    if not file:
        return None
    with file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def printed_time(inspection: Inspection) -> str:
    local = timezone.localtime(inspection.inspected_at)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour}时{local.minute:02d}分"


def checklist_rows(inspection: Inspection) -> list[tuple[int, str, str, str]]:
    """The check-list of the inspection's template, each item with the inspection's answer and
    note ("" where there is none): (序号, 巡查内容, answer, note), in one statement."""
    answer = InspectionAnswer.objects.filter(inspection_id=inspection.pk, item_id=OuterRef("pk")).order_by()
    items = (
        ChecklistItem.objects.filter(template_id=inspection.template_id)
        .order_by("number")
        .annotate(
            answer=Subquery(answer.values("answer")[:1]),
            note=Subquery(answer.values("note")[:1]),
        )
        .values_list("number", "wording", "answer", "note")
    )
    return [(number, wording, answer or "", note or "") for number, wording, answer, note in items]


def case_form_for(inspection: Inspection) -> FormDoc:
    checklist = checklist_rows(inspection)
    items = [(number, wording, answer_label(answer)) for number, wording, answer, _note in checklist]
    day = timezone.localtime(inspection.inspected_at)
    return fubiao1.case_form(
        fubiao1.CaseFormData(
            employer_name=inspection.employer_name,
            address=inspection.address,
            legal_representative=inspection.legal_representative,
            phone=inspection.phone,
            items=items,
            companion_signature=_read(inspection.companion_signature),
            companion_name="" if inspection.companion_signature else inspection.accompanying_person,
            assistant_signature=_read(inspection.assistant_signature),
            assistant_name="" if inspection.assistant_signature else str(inspection.assistant),
            inspected_at=printed_time(inspection),
            notes=[(number, note) for number, _wording, _answer, note in checklist if note.strip()],
            filename=f"{fubiao1.TITLE} {inspection.employer_name} {day:%Y%m%d}",
        )
    )

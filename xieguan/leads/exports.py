"""The lead register (信息报告登记表) as .xlsx, for a region and a period.

Columns: 序号 and the register's six (发现时间, 信息类别, 信息内容, 报告时间, 报告人, 机构), then three
that counties ask for (用人单位或地点, 重要程度, 报告是否及时). 发现时间 and 报告时间 are spreadsheet
dates (local time, shown ``yyyy-mm-dd hh:mm``), so Excel and WPS sort and filter them as dates.
A complaint's complainant appears only masked (confidentiality.complainant_for with
Where.EXPORT). Printed on A4 landscape (``xlsx.print_a4``), each row as high as its wrapped
text, a lead whose text is taller than Excel's 409-point row continued in the next rows
(``xlsx.printed_rows``, 序号 ``N（续）``).
Streamed: the rows are written by ``xlsx.save_rows`` as they are read, into a temporary file
(``register_response``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import BooleanField, ExpressionWrapper, TextChoices
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from xieguan.leads.confidentiality import Where, complainant_for
from xieguan.leads.filters import LeadFilterForm
from xieguan.leads.models import AbnormalKind, Complaint, Importance, LeadQuerySet, LeadType, overdue_q
from xieguan.lib import xlsx
from xieguan.lib.tabular import one_snapshot
from xieguan.regions.models import Region

TITLE = "信息报告登记表"
HEADERS = [
    "序号",
    "发现时间",
    "信息类别",
    "信息内容",
    "报告时间",
    "报告人",
    "机构",
    "用人单位或地点",
    "重要程度",
    "报告是否及时",
]
# about 160 characters across landscape A4; 发现时间 and 报告时间 as wide as a date-time shown
DAY_TIME = xlsx.DATETIME_CHARS + 2
WIDTHS = [6, DAY_TIME, 13, 40, DAY_TIME, 10, 22, 20, 9, 9]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _timeliness(reported_at: dt.datetime | None, due: dt.datetime, overdue: bool) -> int:
    """报告是否及时 as an index into ``_timeliness_labels``, from a lead's report time, deadline and
    ``overdue`` (``Lead.is_overdue``, here the ``overdue_q`` annotation; on time is
    ``Lead.is_on_time``)."""
    if reported_at is None:
        return 1 if overdue else 0
    return 2 if reported_at <= due else 3


def _timeliness_labels() -> tuple[str, str, str, str]:
    """The labels of ``_timeliness``'s answers, translated (once per export, not per lead)."""
    return (_("未报告"), _("逾期未报告"), _("按时"), _("逾期报告"))


def period_text(form: LeadFilterForm) -> str:
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    first, last = data.get("discovered_from"), data.get("discovered_to")
    if data.get("period") and "period" not in form.errors:
        first, last = data["period"]
    if not first and not last:
        return _("全部期间")
    return f"{first or '……'} 至 {last or '……'}"


def content_of(user: Any, kind: str, description: str, complaint: Complaint | None) -> str:
    """信息内容: the abnormal kind's label (or nothing), the description, and for a complaint its
    channel and its complainant as ``user`` may see them in an export."""
    text = f"（{kind}）{description}" if kind else description
    if complaint is not None:
        who = complainant_for(user, complaint, where=Where.EXPORT)
        text += "\n" + _("举报渠道：%(channel)s；举报人：%(name)s") % {
            "channel": complaint.get_channel_display(),
            "name": who.name,
        }
    return text


# What a row reads: plain values, not model instances (a province's 111,616 leads made 540,000
# instances of Lead and its four related rows, half the export's time).
ROW_FIELDS = (
    "pk",
    "discovered_at",
    "lead_type",
    "abnormal_kind",
    "description",
    "reported_at",
    "report_due_at",
    "overdue",
    "reported_by__full_name",
    "reported_by__username",
    "reported_to_agency__name",
    "reported_to_officer__full_name",
    "reported_to_officer__username",
    "employer__name",
    "place",
    "importance",
)


def write_register(target: IO[bytes], user: Any, leads: LeadQuerySet, *, region: Region, period: str) -> int:
    """Stream the register into ``target`` (openpyxl write-only for the title, header and page
    setup, ``xlsx.save_rows`` for the leads' rows: memory does not grow with them). Returns the
    number of leads.

    Two statements, in one snapshot (``one_snapshot``: the complaints and the leads agree, and
    the leads' server-side cursor is planned for reading every row and is not copied out at a
    commit, as a cursor outside a transaction is): the visible complaints, then the leads'
    values (``ROW_FIELDS``) in order."""
    with one_snapshot(leads.db):
        return _write_register(target, user, leads, region=region, period=period)


def _write_register(target: IO[bytes], user: Any, leads: LeadQuerySet, *, region: Region, period: str) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(TITLE)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(len(HEADERS))
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    for col, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    xlsx.print_a4(sheet, title_rows="3:3")
    sheet.freeze_panes = "A4"
    title = WriteOnlyCell(sheet, value=TITLE)
    title.font = Font(name=xlsx.FONT_NAME, size=16, bold=True)
    title.alignment = Alignment(horizontal="center")
    sheet.append([title])
    sheet.append(
        xlsx.cells(
            sheet,
            [
                _("区划：%(region)s　　期间（发现时间）：%(period)s　　导出时间：%(now)s")
                % {"region": region.path_name(), "period": period, "now": _local(timezone.now())}
            ],
        )
    )
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(name=xlsx.FONT_NAME, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        header.append(cell)
    sheet.row_dimensions[3].height = xlsx.row_height(HEADERS, WIDTHS)
    sheet.append(header)
    rows = (
        leads.annotate(overdue=ExpressionWrapper(overdue_q(timezone.now()), output_field=BooleanField()))
        .order_by("discovered_at", "pk")
        .values_list(*ROW_FIELDS)
    )
    complaints = {
        c.lead_id: c for c in Complaint.objects.visible_to(user).filter(lead__in=leads.values("pk"))
    }
    count = 0
    # choice labels translated once, not per lead (``get_FOO_display`` translates each time)
    lead_types = _labels(LeadType)
    importance = _labels(Importance)
    kinds = _labels(AbnormalKind)
    timely = _timeliness_labels()

    def printed() -> Iterator[tuple[list[Any], float]]:
        nonlocal count
        for number, row in enumerate(rows.iterator(chunk_size=2000), start=1):
            (pk, discovered_at, lead_type, kind, description, reported_at, due, overdue) = row[:8]
            (by_name, by_username, agency, officer_name, officer_username, employer, place, level) = row[8:]
            reporter = by_name or by_username or ""
            officer = officer_name or officer_username or ""
            values = [
                number,
                discovered_at,  # dates shown yyyy-mm-dd hh:mm in local time (``xlsx.save_rows``)
                lead_types.get(lead_type, lead_type),
                content_of(user, kinds.get(kind, kind), description, complaints.get(pk)),
                reported_at,
                reporter,
                f"{agency or ''} {officer}".strip(),
                employer if employer is not None else place,
                importance.get(level, level),
                timely[_timeliness(reported_at, due, overdue)],
            ]
            # As high as its text (openpyxl does not fit rows; a default-height row prints its
            # wrapped text over the next); longer than Excel's row limit: continuation rows.
            yield from xlsx.printed_rows(values, WIDTHS)
            count = number

    model = WriteOnlyCell(sheet)  # every cell of the leads' rows: boxed, wrapped, at the top
    model.alignment = Alignment(vertical="top", wrap_text=True)
    model.border = border
    xlsx.save_rows(book, sheet, target, printed(), start=4, style=model._style)
    return count


def _labels(choices: type[TextChoices]) -> dict[str, str]:
    return {key: str(label) for key, label in choices.choices}


def register_response(
    user: Any, leads: LeadQuerySet, *, region: Region, form: LeadFilterForm
) -> FileResponse:
    """The register as a download, written as the ledger's is (``employers.views_excel.export``):
    into a temporary file, then sent in blocks with its length, so neither the rows nor the
    file sit in memory."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_register(target, user, leads, region=region, period=period_text(form))
    target.seek(0)
    filename = f"{TITLE}-{region.name}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX)

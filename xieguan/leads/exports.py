"""The lead register (信息报告登记表) as .xlsx, for a region and a period.

Columns: 序号 and the register's six (发现时间, 信息类别, 信息内容, 报告时间, 报告人, 机构), then three
that counties ask for (用人单位或地点, 重要程度, 报告是否及时). 发现时间 and 报告时间 are spreadsheet
dates (local time, shown ``yyyy-mm-dd hh:mm``), so Excel and WPS sort and filter them as dates.
A complaint's complainant appears only masked (confidentiality.complainant_for with
Where.EXPORT). Printed on A4 landscape (``xlsx.print_a4``), each row as high as its wrapped
text, a lead whose text is taller than Excel's 409-point row continued in the next rows
(``xlsx.printed_rows``, 序号 ``N（续）``).
Streamed: the rows are written by ``xlsx.save_rows`` as they are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import BytesIO
from typing import IO, Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from xieguan.leads.confidentiality import Where, complainant_for
from xieguan.leads.filters import LeadFilterForm
from xieguan.leads.models import Complaint, Lead, LeadQuerySet
from xieguan.lib import xlsx
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


def timeliness(lead: Lead) -> str:
    if lead.reported_at is None:
        return _("逾期未报告") if lead.is_overdue else _("未报告")
    return _("按时") if lead.is_on_time else _("逾期报告")


def period_text(form: LeadFilterForm) -> str:
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    first, last = data.get("discovered_from"), data.get("discovered_to")
    if data.get("period") and "period" not in form.errors:
        first, last = data["period"]
    if not first and not last:
        return _("全部期间")
    return f"{first or '……'} 至 {last or '……'}"


def content_of(user: Any, lead: Lead, complaint: Complaint | None) -> str:
    kind = f"（{lead.get_abnormal_kind_display()}）" if lead.abnormal_kind else ""
    text = f"{kind}{lead.description}"
    if complaint is not None:
        who = complainant_for(user, complaint, where=Where.EXPORT)
        text += "\n" + _("举报渠道：%(channel)s；举报人：%(name)s") % {
            "channel": complaint.get_channel_display(),
            "name": who.name,
        }
    return text


def write_register(target: IO[bytes], user: Any, leads: LeadQuerySet, *, region: Region, period: str) -> int:
    """Stream the register into ``target`` (openpyxl write-only for the title, header and page
    setup, ``xlsx.save_rows`` for the leads' rows: memory does not grow with them). Returns the
    number of leads."""
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
    rows = leads.select_related(
        "employer", "reported_by", "reported_to_agency", "reported_to_officer"
    ).order_by("discovered_at", "pk")
    complaints = {c.lead_id: c for c in Complaint.objects.visible_to(user).filter(lead__in=rows.values("pk"))}
    count = 0
    # choice labels translated once, not per lead (``get_FOO_display`` translates each time)
    lead_types = {key: str(label) for key, label in Lead._meta.get_field("lead_type").flatchoices}
    importance = {key: str(label) for key, label in Lead._meta.get_field("importance").flatchoices}

    def printed() -> Iterator[tuple[list[Any], float]]:
        nonlocal count
        for number, lead in enumerate(rows.iterator(chunk_size=500), start=1):
            agency = lead.reported_to_agency or ""
            if lead.reported_to_officer:
                agency = f"{agency} {lead.reported_to_officer}".strip()
            values = [
                number,
                lead.discovered_at,  # dates shown yyyy-mm-dd hh:mm in local time (``xlsx.save_rows``)
                lead_types.get(lead.lead_type, lead.lead_type),
                content_of(user, lead, complaints.get(lead.pk)),
                lead.reported_at,
                str(lead.reported_by or ""),
                str(agency),
                lead.employer.name if lead.employer else lead.place,
                importance.get(lead.importance, lead.importance),
                timeliness(lead),
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


def register_response(
    user: Any, leads: LeadQuerySet, *, region: Region, form: LeadFilterForm
) -> HttpResponse:
    buffer = BytesIO()
    write_register(buffer, user, leads, region=region, period=period_text(form))
    filename = f"{TITLE}-{region.name}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

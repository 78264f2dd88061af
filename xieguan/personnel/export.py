"""The roster export (.xlsx): one row per assistant, ID numbers as personnel.privacy decides."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from xieguan.personnel.models import Assistant, AssistantStatus
from xieguan.personnel.privacy import id_number_for

COLUMNS = [
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "文化程度",
    "专业",
    "人员来源",
    "所在乡(镇、街道)",
    "乡镇代码",
    "状态",
    "聘期至",
]


def roster_workbook(assistants: Iterable[Assistant], user: Any) -> bytes:
    """``assistants`` should carry ``with_term()`` annotations (status and current term end)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "协管员花名册"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for a in assistants:
        status = getattr(a, "derived_status", a.status)
        sheet.append(
            [
                a.name,
                a.get_gender_display(),
                id_number_for(user, a),
                a.phone,
                a.get_education_display(),
                a.specialty,
                a.get_origin_display(),
                a.township.name,
                a.township_id,
                str(AssistantStatus(status).label),
                getattr(a, "term_end", None),
            ]
        )
    for column, width in zip("ABCDEFGHIJK", (10, 6, 22, 15, 12, 14, 12, 16, 12, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()

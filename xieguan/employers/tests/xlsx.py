"""Build ledger workbooks in tests: the nasty shapes real county files have."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

HEADER = [
    "用人单位名称",
    "统一社会信用代码",
    "乡(镇、街道)",
    "村(社区)",
    "地址",
    "法定代表人",
    "联系电话",
    "行业类别",
    "国民经济行业代码",
    "职业病危害因素类别",
    "劳动者人数",
    "接触职业病危害因素人数",
]


def row(**values: Any) -> list[Any]:
    """A clean row in HEADER order; keyword arguments override cells by header."""
    defaults = {
        "用人单位名称": "盘州市柏果镇导入煤矿",
        "统一社会信用代码": "",
        "乡(镇、街道)": "柏果镇",
        "村(社区)": "柏果社区",
        "地址": "柏果社区 1 组",
        "法定代表人": "王五",
        "联系电话": "13908581126",
        "行业类别": "煤矿",
        "国民经济行业代码": "06",
        "职业病危害因素类别": "粉尘、物理因素",
        "劳动者人数": 120,
        "接触职业病危害因素人数": 80,
    }
    defaults.update(values)
    return [defaults[h] for h in HEADER]


def workbook(rows: list[list[Any]], header: list[str] | None = None, title: str | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "台账"
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
        ws.append(["填报单位：柏果镇", None, None, None, None, "填报日期：2024 年 5 月"])
    ws.append(header or HEADER)
    for cells in rows:
        ws.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

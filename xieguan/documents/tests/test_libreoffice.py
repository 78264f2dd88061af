"""Every document in every format, printed: the PDF as reportlab writes it, the .docx and .xlsx
as LibreOffice (headless, Debian's libreoffice-writer-nogui/-calc-nogui) prints them to PDF.

Checks what can be checked without eyes: the page count of each, that the text of every long
cell is all there (nothing clipped by a row too low or a cell too narrow), that no .xlsx cell
prints as ``###``. Runs only where ``soffice`` is installed (``.ci/run`` installs it). With
``XIEGUAN_KEEP_RENDERS=/some/dir`` the files and their PDFs are kept there to look at
(``pdftoppm -png -r 60 file.pdf page``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.documents.layout import FormDoc
from xieguan.documents.official import fubiao1, fubiao2
from xieguan.documents.render import render
from xieguan.documents.tests.test_render import compact, filled, pdf_text, poppler
from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.tests.factories import make_employer

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.django_db,
]

SH = ZoneInfo("Asia/Shanghai")
FINDING = "粉碎车间粉尘浓度明显超标（约为限值的三倍），除尘设施停用，工人未佩戴防尘口罩。"
LONG_FINDING = "；".join(f"第{i}处：{FINDING}" for i in range(1, 60))  # longer than a page
LONG_LEAD = "职业病危害因素检测报告过期，作业场所噪声明显超标，劳动者未进行岗中职业健康检查。" * 4


def register_rows(count: int) -> list[tuple[str, str, str, str, str]]:
    """A year's 附表2 rows as ``indicators.register`` makes them: every third with findings."""
    rows = []
    for n in range(count):
        place = f"盘州市柏果第{n % 5 + 1}煤业有限公司（柏果镇）：附表1"
        if n % 3:
            rows.append((place, "未发现问题", f"2025-{n % 12 + 1:02d}-05", "王䶮", ""))
            continue
        rows.append(
            (
                f"{place}；发现问题：危害因素检测与评价、工作场所异常",
                f"危害因素检测与评价：无（未开展本年度检测）\n工作场所异常：有（{FINDING}）",
                f"2025-{n % 12 + 1:02d}-05",
                "王䶮",
                "工作场所异常：已报告盘州市卫生健康综合监督执法大队（03-06）；协查（03-20）；责令整改",
            )
        )
    return rows


def documents() -> dict[str, tuple[FormDoc, int]]:
    """Each form with the number of pages it must print on (in every format)."""
    year = fubiao2.register(
        fubiao2.RegisterData(unit="盘州市柏果镇 协管员 王䶮", year="2025", rows=register_rows(30))
    )
    long = fubiao2.register(
        fubiao2.RegisterData(
            unit="盘州市柏果镇",
            year="2025",
            rows=[("盘州市柏果煤矿（柏果镇）：附表1", LONG_FINDING, "2025-03-05", "王䶮", "")],
        )
    )
    return {
        "fubiao1": (fubiao1.case_form(replace(filled(), notes=[(3, FINDING), (6, FINDING * 2)])), 1),
        "fubiao1-blank": (fubiao1.blank(), 1),
        "fubiao2-blank": (fubiao2.blank(), 1),
        "fubiao2-year": (year, 0),  # counted below: 3-5 pages
        "fubiao2-long": (long, 0),
    }


def pdf_pages(data: bytes) -> int:
    info = subprocess.run(
        [poppler("pdfinfo"), "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    keep = os.environ.get("XIEGUAN_KEEP_RENDERS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return tmp_path


def libreoffice_pdfs(files: list[Path], out_dir: Path) -> dict[str, bytes]:
    """All ``files`` printed to PDF by one headless LibreOffice (a private profile)."""
    profile = out_dir / "lo-profile"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir / "lo"),
            *map(str, files),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return {f.name: (out_dir / "lo" / f"{f.stem}.pdf").read_bytes() for f in files}


def test_every_document_prints_in_every_format(client_for, personas, out_dir):
    from xieguan.leads.tests.factories import make_lead

    files: list[Path] = []
    reportlab: dict[str, bytes] = {}
    expected: dict[str, int] = {}
    for name, (doc, pages) in documents().items():
        for fmt in ("pdf", "docx", "xlsx"):
            path = out_dir / f"{name}-{fmt}.{fmt}"  # one stem per file: LibreOffice names its PDFs so
            path.write_bytes(render(doc, fmt))
            if fmt == "pdf":
                reportlab[path.name] = path.read_bytes()
            else:
                files.append(path)
            expected[path.name] = pages
    # the exports a clerk prints: the ledger's printable version, the lead register; their dates
    # are spreadsheet dates, which must print as dates (not serial numbers, not ###)
    make_lead(personas, description=LONG_LEAD, discovered_at=dt.datetime(2025, 3, 5, 9, 30, tzinfo=SH))
    ensure_code_lists()
    make_employer(
        personas.xieguan,
        name="申报过的煤矿",
        declaration_date=dt.date(2025, 2, 28),
        declaration_receipt="12号",
    )
    client = client_for("panzhou")
    ledger = client.get(reverse("employers:export"), {"print": "1"})
    (out_dir / "ledger-print.xlsx").write_bytes(b"".join(ledger.streaming_content))
    (out_dir / "lead-register.xlsx").write_bytes(
        b"".join(client.get(reverse("leads:export")).streaming_content)
    )
    files += [out_dir / "ledger-print.xlsx", out_dir / "lead-register.xlsx"]
    expected["ledger-print.xlsx"] = expected["lead-register.xlsx"] = 1
    province = client_for("sheng")
    for name, user, url in (
        ("roster", client, "personnel:export"),
        ("indicators", province, "indicators:dashboard_xlsx"),
        ("funding", province, "funding:export"),
    ):
        response = user.get(reverse(url))
        assert response.status_code == 200, url
        path = out_dir / f"{name}.xlsx"
        path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
        files.append(path)
        expected[path.name] = 0  # checked for ### only

    printed = {**reportlab, **libreoffice_pdfs(files, out_dir)}
    counts = {name: pdf_pages(data) for name, data in printed.items()}
    texts = {name: compact(pdf_text(data)) for name, data in printed.items()}
    for name, pages in expected.items():
        if pages:
            assert counts[name] == pages, (name, counts)
    for fmt in ("pdf", "docx", "xlsx"):
        year, long = f"fubiao2-year-{fmt}.{fmt}", f"fubiao2-long-{fmt}.{fmt}"
        assert 3 <= counts[year] <= 5, counts
        assert counts[long] >= 3, counts
        assert_all_printed(texts[long], LONG_FINDING, long)
        assert "第59处" in texts[long], fmt
        assert_all_printed(texts[year], FINDING * 10, year)
        assert "2025年度" in texts[year], fmt
    assert_all_printed(texts["lead-register.xlsx"], LONG_LEAD, "lead-register.xlsx")
    assert "2025-03-0509:30" in texts["lead-register.xlsx"]  # 发现时间 (spaces are compacted away)
    assert "2025-02-28" in texts["ledger-print.xlsx"]  # 最近申报日期
    for name, text in texts.items():
        assert "###" not in text, name  # a number or date too wide for its column


def assert_all_printed(text: str, expected: str, name: str) -> None:
    """Every character of ``expected`` is on the pages as often as in it: a cell clipped by a
    row too low or a column too narrow loses characters. (Lines of a wrapped cell come out of
    ``pdftotext`` between its neighbours' lines, so the text is compared character by character.)"""
    have = Counter(text)
    missing = {ch: n - have[ch] for ch, n in Counter(compact(expected)).items() if have[ch] < n}
    assert not missing, (name, missing)


def page_texts(data: bytes) -> list[str]:
    """Each page's text (``pdftotext -layout``), in order."""
    return pdf_text(data).split("\f")[: pdf_pages(data)]


def region_lines(page: str) -> list[str]:
    """The region names that start the table lines of a page of the indicator table."""
    return [re.split(r"\s{2,}", line.strip())[0] for line in page.splitlines() if line.strip()]


def test_the_reviewed_printouts(client_for, personas, out_dir):
    """What a reviewer found on paper (the counterparts of the unit tests in lib, employers,
    indicators): the province's all-counties indicator table keeps each prefecture's subtotal on
    the page of its counties; the ledger's 27-column data file has its title on page 1; the
    province's 打印版 says each employer's county; an empty year's 附表2 says it is empty in every
    format."""
    from xieguan.indicators.tests.test_counties import _groups
    from xieguan.lib.testing import OTHER_TOWNSHIP

    ensure_code_lists()
    make_employer(personas.xieguan2, name="岩脚三号煤矿", region_code=OTHER_TOWNSHIP + "001")
    files = {
        "counties.xlsx": client_for("sheng")
        .get(reverse("indicators:counties_xlsx"), {"period": "2025"})
        .content,
        "ledger-data.xlsx": b"".join(
            client_for("panzhou").get(reverse("employers:export")).streaming_content
        ),
        "ledger-print-province.xlsx": b"".join(
            client_for("sheng").get(reverse("employers:export"), {"print": "1"}).streaming_content
        ),
    }
    empty_year = {"assistant": personas.xieguan.pk, "year": 2023}
    for fmt in ("pdf", "docx", "xlsx"):
        url = reverse("indicators:register_file", args=[fmt])
        files[f"fubiao2-empty-{fmt}.{fmt}"] = client_for("panzhou").get(url, empty_year).content
    paths = []
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
        if not name.endswith(".pdf"):
            paths.append(out_dir / name)
    printed = {**libreoffice_pdfs(paths, out_dir), "fubiao2-empty-pdf.pdf": files["fubiao2-empty-pdf.pdf"]}

    # the indicator table: every county printed on the pages of its prefecture's subtotal only
    sheet = load_workbook(BytesIO(files["counties.xlsx"])).active
    pages = [region_lines(page) for page in page_texts(printed["counties.xlsx"])]
    for start, end in _groups(sheet):
        names = [sheet.cell(row, 1).value for row in range(start, end + 1)]
        where = [{n for n, lines in enumerate(pages) if name in lines} for name in names]
        assert where[0] and all(w == where[0] for w in where), (names[0], where)
    for lines in pages:
        table = [line for line in lines if not line.startswith("第 ")]  # the footer
        assert not table[-1].endswith("小计"), table[-3:]
    # the title whole at the top of every page (the page header), never cut by the columns
    for page in page_texts(printed["counties.xlsx"]):
        assert compact(page).startswith(compact("贵州省 全部区县主要工作指标（2025年）")), page[:80]
    # the data file's title on its first page, whole
    first = compact(page_texts(printed["ledger-data.xlsx"])[0])
    assert "贵州省六盘水市盘州市用人单位基本信息登记台账" in first
    # the province's 打印版: the county of each employer
    paper = compact(pdf_text(printed["ledger-print-province.xlsx"]))
    assert "县(市、区)" in paper and "六枝特区" in paper
    # an empty year's 附表2, in every format
    for fmt in ("pdf", "docx", "xlsx"):
        assert fubiao2.NO_ROWS in compact(pdf_text(printed[f"fubiao2-empty-{fmt}.{fmt}"])), fmt

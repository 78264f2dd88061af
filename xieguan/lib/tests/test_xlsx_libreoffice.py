"""What a user sees of hostile cell text (helper atk16): a table written by ``tabular.write_table``
(``xlsx.save_rows``) opened by LibreOffice (headless, converted to CSV) shows each value as the
text or number it is — formula-looking text as text (never computed), XML's special characters
as themselves, characters XML cannot hold as their marks, rare CJK and emoji whole."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from xieguan.lib import xlsx
from xieguan.lib.tabular import Column, write_table

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

VALUES = [
    "<a>&amp; \"q\" 'a' ]]> </t>",
    "a\x00b\x01c\x1fd\x0be",
    "x\ud800y\ufffez\uffff",
    '=HYPERLINK("http://evil.example/","x")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "＝1+1",
    "0123",
    "12345678901234567890",
    "#N/A",
    "😀👍🏽𠮷𪚥",
    "  两边空格  ",
    "长" * 40000,
    123456789012,
    dt.date(2024, 2, 29),
    True,
    None,
]
SHOWN = [
    "<a>&amp; \"q\" 'a' ]]> </t>",
    "a␀b␁c␟d␋e",
    "x\ufffdy\ufffdz\ufffd",
    '=HYPERLINK("http://evil.example/","x")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "＝1+1",
    "0123",
    "12345678901234567890",
    "#N/A",
    "😀👍🏽𠮷𪚥",
    "  两边空格  ",
    "长" * xlsx.MAX_TEXT,
    "123456789012",
    "2024-02-29",
    "是",
    "",
]


def test_libreoffice_shows_each_value_as_it_is(tmp_path: Path) -> None:
    source = tmp_path / "hostile.xlsx"
    columns = [Column(f"c{i}", f"列{i}") for i in range(len(VALUES))]
    with source.open("wb") as target:
        write_table(target, title="标题", columns=columns, rows=[VALUES, VALUES])
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    [converted] = tmp_path.glob("hostile*.csv")
    with converted.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[2] == rows[3]
    for index, (shown, expected) in enumerate(zip(rows[2], SHOWN, strict=True)):
        assert shown == expected, (index, shown[:40], expected[:40])

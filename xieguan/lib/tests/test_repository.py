"""The repository itself: no merge-conflict markers left in any tracked text file."""

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)


def test_no_merge_conflict_markers():
    files = subprocess.run(
        [shutil.which("git") or "git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found = []
    for name in files:
        path = ROOT / name
        if (
            path.suffix in {".gz", ".ttc", ".ttf", ".png", ".jpg", ".xlsx", ".docx", ".pdf", ".woff2"}
            or not path.is_file()
        ):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}" for m in MARKER.finditer(text)]
    assert not found, f"merge-conflict markers: {found}"

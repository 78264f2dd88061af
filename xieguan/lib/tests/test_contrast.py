"""The colours app.css sets meet WCAG AA (4.5:1 for text) on the backgrounds they are used on,
computed from the --xg-* custom properties in the file itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

APP_CSS = Path(__file__).resolve().parents[2] / "static" / "xieguan" / "app.css"
WHITE = "#ffffff"
AA_TEXT = 4.5


def colours() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", APP_CSS.read_text(encoding="utf-8"), re.S)
    assert root is not None
    return dict(re.findall(r"--(xg-[a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", root.group(1)))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (text colour, background): where each colour is used as text (or as the background of white text)
PAIRS = [
    ("xg-primary", WHITE),  # links, outline buttons on cards; white on .btn-primary
    ("xg-primary", "xg-page-bg"),  # links and outline buttons on the grey page
    ("xg-primary-hover", WHITE),
    ("xg-secondary", WHITE),
    ("xg-secondary", "xg-page-bg"),
    ("xg-secondary-hover", WHITE),
    ("xg-success", WHITE),
    ("xg-success", "xg-page-bg"),
    ("xg-success-hover", WHITE),
    ("xg-danger", WHITE),
    ("xg-danger", "xg-page-bg"),
    ("xg-danger-hover", WHITE),
    ("xg-muted", WHITE),
    ("xg-muted", "xg-page-bg"),
    ("xg-nav-link", "xg-nav-bg"),  # inactive menu links (Bootstrap's were 2.4:1)
    ("xg-nav-active", "xg-nav-bg"),
]


def resolve(name: str, table: dict[str, str]) -> str:
    return name if name.startswith("#") else table[name]


@pytest.mark.parametrize(("fg", "bg"), PAIRS)
def test_text_colours_meet_wcag_aa(fg, bg):
    table = colours()
    value = ratio(resolve(fg, table), resolve(bg, table))
    assert value >= AA_TEXT, f"{fg} on {bg}: {value:.2f}:1"


def test_every_colour_is_checked():
    used = {name for pair in PAIRS for name in pair if not name.startswith("#")}
    assert used == set(colours()), set(colours()) ^ used


def test_the_ratio_arithmetic():
    assert ratio("#000000", WHITE) == pytest.approx(21.0)
    assert ratio("#0d6efd", "#f8f9fa") == pytest.approx(4.27, abs=0.01)  # Bootstrap's primary: fails


def test_bootstrap_colours_are_overridden():
    css = APP_CSS.read_text()
    for prop in ("--bs-primary-rgb", "--bs-link-color-rgb", "--bs-secondary-color", "--bs-danger-rgb"):
        assert re.search(rf"{prop}:\s*[^;]+;", css), prop
    rgb = dict(re.findall(r"--bs-(primary|secondary|success|danger)-rgb:\s*([0-9, ]+);", css))
    table = colours()
    for name, triple in rgb.items():
        hex_value = "#" + "".join(f"{int(c):02x}" for c in triple.split(","))
        assert hex_value == table[f"xg-{name}"].lower(), name  # the rgb form says the same colour

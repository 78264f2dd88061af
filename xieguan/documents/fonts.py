"""The PDF fonts: the shipped WenQuanYi Micro Hei first, then a fallback chain for rare characters.

People's and villages' names in Guizhou use CJK Extension A/B characters (王䶮, 𬌗 …) that WQY Micro
Hei does not have. Each character of a PDF text is set in the first font of the chain that has it:

1. WenQuanYi Micro Hei (shipped in ``fonts/``, always embedded);
2. the fonts in ``XIEGUAN_PDF_FALLBACK_FONTS`` (paths, comma-separated); by default Debian's
   ``fonts-hanazono`` (花園明朝 HanaMinA: BMP incl. Extension A; HanaMinB: Extensions B-F),
   used when installed (`.ci/run` installs them; README says how). Each is embedded as a subset.

A character no font of the chain has is printed as ``〓`` (the customary mark for a missing
character in Chinese typesetting) and reported, so the page that made the document can warn.
Fonts are parsed once per process (about 1 s each).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

PRIMARY_NAME = "WQYMicroHei"
PRIMARY_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
MISSING_MARK = "〓"


@dataclass(frozen=True)
class Chain:
    names: tuple[str, ...]  # registered reportlab font names, primary first
    coverage: tuple[frozenset[int], ...]

    def font_for(self, char: str) -> str | None:
        code = ord(char)
        for name, covered in zip(self.names, self.coverage, strict=True):
            if code in covered:
                return name
        return None


def fallback_paths() -> list[Path]:
    return [Path(p) for p in settings.XIEGUAN_PDF_FALLBACK_FONTS if Path(p).is_file()]


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap with characters beyond U+FFFF written as UTF-16 surrogate pairs.

    reportlab 5.1 writes ``<%04X>``, i.e. five hex digits for U+2A6A5, which PDF readers take as
    U+2A6A and a stray digit, so text copied or searched from the PDF (and pdftotext) loses every
    Extension B-F character although it is drawn correctly. Same CMap otherwise."""

    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be").hex().upper()

    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


@cache
def chain() -> Chain:
    from reportlab.pdfbase import pdfmetrics, ttfonts
    from reportlab.pdfbase.ttfonts import TTFont

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # see _to_unicode_cmap

    fonts = [TTFont(PRIMARY_NAME, str(PRIMARY_FILE), subfontIndex=0)]
    for path in fallback_paths():
        fonts.append(TTFont(f"XG-{path.stem}", str(path)))
    for font in fonts:
        pdfmetrics.registerFont(font)
    return Chain(
        names=tuple(f.fontName for f in fonts),
        coverage=tuple(frozenset(f.face.charToGlyph) for f in fonts),
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markup(text: str, missing: set[str] | None = None) -> str:
    """Paragraph markup for ``text``: runs in fallback fonts wrapped in ``<font face=…>``, line
    breaks as ``<br/>``, runs of spaces kept (地  址); characters no font has become ``〓`` and are
    added to ``missing``."""
    fonts = chain()
    out: list[str] = []
    run: list[str] = []
    run_font: str | None = fonts.names[0]

    def flush() -> None:
        if not run:
            return
        piece = _escape("".join(run))
        out.append(piece if run_font == fonts.names[0] else f'<font face="{run_font}">{piece}</font>')
        run.clear()

    for char in text:
        if char == "\n":
            flush()
            out.append("<br/>")
            continue
        if char in " \t\r" or ord(char) < 0x20:
            font = fonts.names[0]
            char = " " if char != "\r" else ""
        else:
            found = fonts.font_for(char)
            if found is None:
                if missing is not None:
                    missing.add(char)
                char, found = MISSING_MARK, fonts.names[0]
            font = found
        if font != run_font:
            flush()
            run_font = font
        run.append(char)
    flush()
    return "".join(out).replace("  ", "&nbsp;&nbsp;")

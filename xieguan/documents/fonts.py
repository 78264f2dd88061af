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

The primary font is a ``FormFont``: a document can fix the first subsets of the font with a
form's wording (``fix_wording``, before anything is drawn); those subsets then hold the same
characters in every copy of the form, and their embedded parts (the font program and its
ToUnicode CMap, compressed, and the widths) are made once per process instead of per document.
The document's other characters (a record's names, addresses …) go into subsets of their own,
made per document as reportlab makes them. The page looks the same: the same glyphs at the
same places, only split over more subsets.
"""

from __future__ import annotations

import threading
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

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


@dataclass(frozen=True)
class _FixedSubset:
    """The embedded parts of one fixed subset, the same in every document."""

    widths: Any  # the /Widths array, formatted (a PDF object written as it is)
    cmap: bytes  # the ToUnicode CMap, compressed when ``compressed``
    program: bytes  # the TrueType subset, compressed when ``compressed``
    program_length: int  # its length uncompressed (/Length1)
    compressed: bool


class FormFont(TTFont):
    """reportlab's TTFont whose first subsets in a document can be fixed with a form's wording
    (``fix_wording``); the parts of those subsets are made once per process (``_fixed_parts``).
    A document that fixes nothing is embedded exactly as reportlab's TTFont embeds it."""

    KEPT = 32  # fixed subsets kept (each form's wording makes one or two)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[tuple[int, tuple[int, ...], bool], _FixedSubset] = {}
        self._fixed_ids: dict[tuple[tuple[int, ...], ...], int] = {}
        self._lock = threading.Lock()

    def fix_wording(self, doc: Any, text: str) -> None:
        """Give ``text``'s characters (in their order) the first codes of ``doc``'s subsets, and
        start a new subset for every character drawn later. Call before drawing anything."""
        if doc in self.state:
            raise ValueError(f"{self.fontName}: characters were already drawn in this document")
        self.splitString("".join(dict.fromkeys(text)), doc)
        state = self.state[doc]
        state.fixed = len(state.subsets)
        state.nextCode = 256 * state.fixed
        # the fixed subsets as a number: equal numbers, equal codes (linebreak's kept drawings)
        fixed = tuple(tuple(subset) for subset in state.subsets)
        with self._lock:
            state.fixed_id = self._fixed_ids.setdefault(fixed, len(self._fixed_ids))

    def _fixed_parts(self, n: int, subset: list[int], compressed: bool) -> _FixedSubset:
        key = (n, tuple(subset), compressed)
        parts = self._kept.get(key)
        if parts is None:
            cmap = _to_unicode_cmap(self._base_font_name(n), subset).encode("utf-8")
            program = self.face.makeSubset(subset)
            widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            parts = _FixedSubset(
                widths=_Formatted(widths.format(None)),
                cmap=zlib.compress(cmap) if compressed else cmap,
                program=zlib.compress(program) if compressed else program,
                program_length=len(program),
                compressed=compressed,
            )
            with self._lock:
                if len(self._kept) >= self.KEPT:
                    self._kept.clear()
                self._kept[key] = parts
        return parts

    def _base_font_name(self, n: int) -> str:
        return b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")

    def addObjects(self, doc: Any) -> None:
        """reportlab 5.1's ``TTFont.addObjects`` (same objects, in the same order), with the
        fixed subsets' streams and widths taken from ``_fixed_parts``."""
        state = self._assignState(doc)
        fixed = getattr(state, "fixed", 0)
        if not fixed:
            super().addObjects(doc)
            return
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            parts = self._fixed_parts(n, subset, bool(doc.compression)) if n < fixed else None
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_font_name = self._base_font_name(n)

            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_font_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            if parts:
                pdf_font.Widths = parts.widths
            else:
                pdf_font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))

            cmap_stream = _stream(parts.cmap, parts.compressed) if parts else pdfdoc.PDFStream()
            if parts is None:
                cmap_stream.content = _to_unicode_cmap(base_font_name, subset)
                if doc.compression:
                    cmap_stream.filters = [pdfdoc.PDFZCompress]
            pdf_font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_font_name)
            if parts is None:
                pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base_font_name, subset)
            else:
                pdf_font.FontDescriptor = self._fixed_descriptor(doc, base_font_name, parts)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font

    def _fixed_descriptor(self, doc: Any, fontname: str, parts: _FixedSubset) -> Any:
        """``TTFontFace.addSubsetObjects`` with the subset's program from ``parts``."""
        from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC

        face = self.face
        font_file = _stream(parts.program, parts.compressed)
        font_file.dictionary["Length1"] = parts.program_length
        font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": face.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


class _Formatted(pdfdoc.PDFObject):
    """A PDF object already formatted (numbers written by reportlab once, not per document)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


def _stream(content: bytes, compressed: bool) -> Any:
    """A PDF stream of ``content`` as it is (already compressed when ``compressed``)."""
    stream = pdfdoc.PDFStream(content=content)
    if compressed:
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    return stream


def fix_wording(doc: Any, text: str) -> None:
    """Fix the primary font's first subsets in ``doc`` (a reportlab PDFDocument) with ``text``:
    see ``FormFont``. Only a form's own wording (the same in every copy) belongs in ``text``,
    never a record's values."""
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(chain().names[0])
    if isinstance(font, FormFont):
        font.fix_wording(doc, text)


@cache
def chain() -> Chain:
    from reportlab.pdfbase import pdfmetrics, ttfonts

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # see _to_unicode_cmap

    fonts: list[TTFont] = [FormFont(PRIMARY_NAME, str(PRIMARY_FILE), subfontIndex=0)]
    for path in fallback_paths():
        fonts.append(TTFont(f"XG-{path.stem}", str(path)))
    for font in fonts:
        pdfmetrics.registerFont(font)
    return Chain(names=tuple(f.fontName for f in fonts), coverage=tuple(_drawn(f.face) for f in fonts))


def _drawn(face: Any) -> frozenset[int]:
    """The characters the font draws: those its character map lists, less those whose glyph is
    empty (no outline) and that are not blank by nature (spaces, joiners, marks of direction).
    WenQuanYi Micro Hei lists ℃, ℉, Å, Ⅴ, Ⅹ, ∼ and the pinyin ǎ ǐ ǒ ǔ ǘ ǚ ǜ with empty
    glyphs: taken as drawn, they printed as a blank with no warning; now the next font of the
    chain draws them, or they print as 〓 and are reported."""
    offsets = face.glyphPos  # the 'loca' table: glyph i's outline is offsets[i]:offsets[i + 1]
    return frozenset(
        code
        for code, glyph in face.charToGlyph.items()
        if offsets[glyph + 1] > offsets[glyph] or unicodedata.category(chr(code)) in BLANK_CATEGORIES
    )


# Space separators, format characters (joiners, direction marks, BOM) and controls: empty glyphs
# are right for them.
BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc"})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markup(text: str, missing: set[str] | None = None) -> str:
    """Paragraph markup for ``text``: runs in fallback fonts wrapped in ``<font face=…>``, line
    breaks as ``<br/>``, runs of spaces kept (地  址); characters no font has become ``〓`` and are
    added to ``missing``."""
    fonts = chain()
    if min(text, default=" ") >= " " and fonts.coverage[0].issuperset(map(ord, text)):
        # the usual text: one run in the primary font, no line break, nothing to replace
        return _escape(text).replace("  ", "&nbsp;&nbsp;")
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

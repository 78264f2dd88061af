"""Chinese line breaking (禁则) for the PDF renderer.

reportlab 5.1's CJK wrapping (``wordWrap="CJK"``) cuts a paragraph between any two characters;
its only rule lets a character of ``ALL_CANNOT_START`` hang past the right edge (over a table's
cell border), its list lacks the full-width ，：；！？ and ”, and nothing stops an opening "（"
or "“" from ending a line. ``Paragraph`` here breaks lines itself (``split_lines``), as Chinese
typesetting does it (GB/T 15834, "行首行尾禁则", pushing characters down, never hanging):

- a closing mark (``NO_LINE_START``: ）。，、：；！？”’》」』】〕 …) never starts a line;
- an opening mark (``NO_LINE_END``: （“‘《「『【〔 …) never ends one;
- a run of Latin letters and digits (a date 2026-03-05, a licence number) is not cut, nor a
  line started with a space, while a break in the second half of the line avoids it;
- no line is wider than its box: the break moves back (the mark takes the previous character to
  the next line) instead of hanging in the margin. Only a line made entirely of marks, which
  has no legal break, is cut where it is full.
"""

from __future__ import annotations

import functools
from typing import Any

from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.rl_config import _FUZZ

NO_LINE_START = frozenset(
    "）)］]｝}〕〉》」』】〙〗〟’”｠»"  # closing brackets and quotes
    "、。，．,.：:；;！!？?‼⁇⁈⁉"  # stops and pauses
    "…‥々〻ー―—～·・゠" + ALL_CANNOT_START
)
NO_LINE_END = frozenset("（(［[｛{〔〈《「『【〘〖〝‘“｟«" + ALL_CANNOT_END)


def _joined(a: str, b: str) -> bool:
    """Two characters of one Latin word or number (or a space that would start the next line),
    which a break should not separate."""
    if b == " ":
        return True
    return a.isascii() and b.isascii() and (a.isalnum() or a in "-./:") and (b.isalnum() or b in "-./:%")


def allowed(before: str, after: str, *, keep_words: bool = True) -> bool:
    """Whether a line may end with ``before`` and the next one start with ``after``."""
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    return not (keep_words and _joined(before, after))


def break_point(chars: list[str], widths: list[float], start: int, full: int, box: float) -> int:
    """Where to end a line that holds ``chars[start:full]`` and cannot take ``chars[full]``.

    Returns the index of the next line's first character, ``start < result <= full``: the last
    legal break, keeping Latin words whole if the line stays at least half as wide as ``box``."""
    used = sum(widths[start:full])
    for keep_words in (True, False):
        width = used
        for j in range(full, start, -1):
            if keep_words and width < box / 2:
                break
            if allowed(chars[j - 1], chars[j], keep_words=keep_words):
                return j
            width -= widths[j - 1]
    return full


def split_lines(frags: list[Any], max_widths: list[float], calc_bounds: bool) -> Any:
    """reportlab's ``cjkFragSplit`` with the rules of this module: the lines of a paragraph."""
    glyphs: list[Any] = []
    for frag in frags:
        text = frag.text
        if isinstance(text, bytes):
            text = text.decode("utf8")
        if text:
            glyphs.extend(rl_paragraph.cjkU(t, frag, "utf8") for t in text)
        else:  # <br/> and images
            glyphs.append(rl_paragraph.cjkU(text, frag, "utf8"))
    chars = [str(g) for g in glyphs]
    widths = []
    for g in glyphs:
        w = g.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = max_widths[0]
            w = w.normalizedValue(max_widths[0])
        widths.append(w)

    lines: list[Any] = []

    def max_width() -> float:
        return max_widths[min(len(lines), len(max_widths) - 1)]

    def emit(end: int, start: int, line_break: bool) -> None:
        limit = max_width()
        used = sum(widths[start:end])
        lines.append(
            rl_paragraph.makeCJKParaLine(
                glyphs[start:end], limit, used, limit - used, line_break, calc_bounds
            )
        )

    start = i = 0
    used = 0.0
    n = len(glyphs)
    while i < n:
        if hasattr(glyphs[i].frag, "lineBreak"):
            emit(i + 1, start, True)
            i = start = i + 1
            used = 0.0
            continue
        if used + widths[i] > max_width() + _FUZZ and i > start and chars[i]:
            end = break_point(chars, widths, start, i, max_width())
            emit(end, start, False)
            i = start = end
            used = 0.0
            continue
        used += widths[i]
        i += 1
    if start < n:
        emit(n, start, False)
    return rl_paragraph.ParaLines(kind=1, lines=lines)


class Paragraph(rl_paragraph.Paragraph):
    """A reportlab ``Paragraph`` whose CJK wrapping follows this module's rules.

    A table wraps each cell's paragraph twice at the same width (to measure the row, then to
    draw it): the lines of the last width are kept and given again (half of a 附表1's line
    breaking). The markup of a text in a style is parsed once per process (``_parsed``), and
    its lines for a width are kept with it: the check-list's wordings and the form's labels are
    the same in every 附表1 (reportlab only reads fragments and lines once they are made)."""

    _lines_for: tuple[tuple[float, ...], Any, Any] | None = None
    _kept_lines: dict[tuple[tuple[float, ...], bool], Any] | None = None
    # Set by the renderer for a paragraph of the form's own wording (``layout.wording``): its
    # drawing operators are kept per process (``draw``). Never set for a record's values.
    form_wording = False

    def draw(self) -> None:
        """reportlab's drawing, or for the form's own wording the operators it drew before.

        A paragraph draws itself at its own origin, between ``q`` and ``Q``; its operators
        depend on its lines (text, style, width), its height, the canvas's font and leading and
        the codes its characters have in the font's subsets. With ``fonts.FormFont``'s fixed
        subsets those codes are the same in every copy of the form, so the operators are too:
        they are kept (``_DRAWN``) and given again. Not for a text with a character outside the
        fixed subsets (a record's name, a rare character), whose codes differ per document."""
        key = _drawn_key(self) if self.form_wording else None
        if key is None:
            super().draw()
            return
        code = self.canv._code
        drawn = _DRAWN.get(key)
        if drawn is not None:
            code.extend(drawn)
            return
        start = len(code)
        super().draw()
        if _fixed_only(self):
            if len(_DRAWN) >= KEPT_DRAWN:
                _DRAWN.clear()
            _DRAWN[key] = tuple(code[start:])

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:
        if frags is None and bulletText is None and isinstance(text, str):
            parsed_style, frags, bullet, text, self._kept_lines = _parsed(
                text, style, self.caseSensitive, cleaner
            )
            super()._setup(text, parsed_style, bullet or None, frags, cleaner)
            self._parsed_frags = frags
            return
        super()._setup(text, style, bulletText, frags, cleaner)

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        self.height = 0
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        key = tuple(maxWidths)
        if self._lines_for is not None and self._lines_for[0] == key and self._lines_for[1] is self.frags:
            return self._lines_for[2]
        kept = self._kept_lines if self.frags is _parsed_frags(self) else None
        auto_leading = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        shared_key = (key, auto_leading not in ("", "off"))
        if kept is not None and shared_key in kept:
            lines = kept[shared_key]
        else:
            lines = self._break_lines(maxWidths)
            if kept is not None and len(kept) < KEPT_WIDTHS:
                kept[shared_key] = lines
        self._lines_for = (key, self.frags, lines)
        return lines

    def _break_lines(self, maxWidths: Any) -> Any:
        style = self.style
        if not self.frags:
            return rl_paragraph.ParaLines(
                kind=0,
                fontSize=style.fontSize,
                fontName=style.fontName,
                textColor=style.textColor,
                lines=[],
                ascent=style.fontSize,
                descent=-0.2 * style.fontSize,
            )
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return split_lines(self.frags, list(maxWidths), auto_leading not in ("", "off"))


KEPT_WIDTHS = 8  # widths a parsed paragraph keeps its lines for
KEPT_DRAWN = 512  # the form's wordings' paragraphs kept drawn (about 30 per form and width)
_DRAWN: dict[tuple[Any, ...], tuple[str, ...]] = {}


def _drawn_key(paragraph: Paragraph) -> tuple[Any, ...] | None:
    """What a paragraph's operators depend on, or None when they are not kept: the font is not a
    ``FormFont`` with fixed subsets in this document, or has not been named in it yet."""
    from reportlab.pdfbase.pdfmetrics import getFont

    canvas = paragraph.canv
    font = getFont(paragraph.style.fontName)
    state: Any = getattr(font, "state", {}).get(canvas._doc)
    fixed = getattr(state, "fixed_id", None)
    if fixed is None or state.internalName is None:
        return None
    return (
        paragraph.text,
        fixed,
        paragraph.style,
        paragraph.width,
        paragraph.height,
        state.internalName,
        canvas._fontname,
        canvas._fontsize,
        canvas._leading,
        canvas.bottomup,
    )


def _fixed_only(paragraph: Paragraph) -> bool:
    """Whether every character of the paragraph is in one font, the fixed subsets of its
    style's ``FormFont`` (so its codes are the same in every document fixed alike)."""
    from reportlab.pdfbase.pdfmetrics import getFont

    font = getFont(paragraph.style.fontName)
    state = font.state.get(paragraph.canv._doc)
    limit = 256 * state.fixed
    assigned = state.assignments
    for frag in paragraph.frags:
        if getattr(frag, "fontName", None) != paragraph.style.fontName or hasattr(frag, "cbDefn"):
            return False
        text = frag.text if isinstance(frag.text, str) else frag.text.decode("utf8")
        if any(assigned.get(0x20 if c == "\xa0" else ord(c), limit) >= limit for c in text):
            return False
    return True


def _parsed_frags(paragraph: Paragraph) -> Any:
    """The fragments ``_setup`` gave ``paragraph`` from ``_parsed`` (None if it made its own)."""
    return paragraph.__dict__.get("_parsed_frags")


@functools.lru_cache(maxsize=1024)  # the texts of about a thousand cells
def _parsed(
    text: str, style: Any, case_sensitive: int, cleaner: Any
) -> tuple[Any, Any, Any, str, dict[tuple[tuple[float, ...], bool], Any]]:
    """reportlab's markup parsed once per process for each text and style (the styles are made
    once, ``render._pdf_style``): the check-list's wordings and the form's labels are the same
    in every 附表1, and a paragraph's fragments are only read after parsing."""
    text = cleaner(text)
    parser = rl_paragraph.ParaParser()
    parser.caseSensitive = case_sensitive
    parsed_style, frags, bullet = parser.parse(text, style)
    if frags is None:
        raise ValueError(f"xml parser error ({parser.errors[0]}) in paragraph beginning {text[:30]!r}")
    rl_paragraph.textTransformFrags(frags, parsed_style)
    return parsed_style, frags, bullet, text, {}

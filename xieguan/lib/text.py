"""Text normalisation for comparing what people type (names, codes, phone numbers)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str | None) -> str:
    """NFKC (full-width letters, digits and brackets to half-width), trimmed, inner spaces folded."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def tidy(value: str | None) -> str:
    """Trimmed, inner runs of spaces (including the full-width space) made one; nothing else.

    For free text people read back (names, addresses): full-width brackets stay as typed.
    """
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value).replace("\u3000", " ")).strip()


def name_key(value: str | None) -> str:
    """The comparison key of an organisation name: folded, no spaces, upper case Latin.

    （有限公司） and (有限公司), full-width and half-width digits, and spacing all compare equal.
    """
    return _SPACES.sub("", fold(value)).upper()

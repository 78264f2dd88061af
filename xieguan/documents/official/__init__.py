"""The official forms (文书), one module each, and the registry of their blank versions.

A form module builds a ``FormDoc`` (xieguan.documents.layout) from plain values and registers
its blank (paper) version with ``@blank_form(slug, label)``; the blank then appears at
``/documents/blank/<slug>.<fmt>`` without further wiring. Modules are imported by
``DocumentsConfig.ready`` (``FORM_MODULES``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xieguan.documents.layout import FormDoc

# Modules holding the official forms; add yours here.
FORM_MODULES = [
    "xieguan.documents.official.fubiao1",
    "xieguan.documents.official.fubiao2",
]


@dataclass(frozen=True)
class BlankForm:
    slug: str
    label: str
    build: Callable[[], FormDoc]


BLANK_FORMS: dict[str, BlankForm] = {}


def blank_form(slug: str, label: str) -> Callable[[Callable[[], FormDoc]], Callable[[], FormDoc]]:
    """Register a function returning the blank (paper) version of a form."""

    def register(build: Callable[[], FormDoc]) -> Callable[[], FormDoc]:
        BLANK_FORMS[slug] = BlankForm(slug, label, build)
        return build

    return register

"""The indicators of the regulation (主要工作指标), one module each; importing this package
registers them all (every module in this folder is imported)."""

from __future__ import annotations

import importlib
import pkgutil


def load() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")

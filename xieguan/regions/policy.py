"""Per-province policies and targets: the one mechanism (docs/decisions.md, "Per-province policies").

A policy model (reporting hours, ledger window, staffing load, grade thresholds, indicator targets,
retirement warning, the active inspection template …) inherits ``ProvincePolicy``: its rows carry
``province`` — a province's own row, or ``NULL`` for the national default every province starts
with (the rows the data migrations load). Every reader asks ``Model.for_region(region_or_code)``:

- a *single-row* policy (``policy_key = None``) gets the province's row, else the default row,
  else an unsaved instance with the field defaults;
- a *keyed table* (``policy_key = "indicator"``, ``"grade"`` …) gets ``rows_for_region`` — one
  row per key, the province's where it has one, the default's otherwise.

The province of a region is the first two digits of its code; a code shorter than that (a
national view) reads the defaults. Lookups are memoised for the duration of one request
(``PolicyCacheMiddleware``) — a page computing a dozen indicators reads each policy once — and
the memo is dropped when any policy row is saved or deleted; outside a request nothing is cached,
so a change is seen at once by every process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self, cast

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from xieguan.regions.models import Level, Region

_memo: ContextVar[dict[tuple[str, str, str], Any] | None] = ContextVar("province_policy_memo", default=None)


def province_of(region_or_code: Region | str | None) -> str:
    """The province code ("52") of a region or code; "" for none (the national defaults)."""
    code = region_or_code.code if isinstance(region_or_code, Region) else (region_or_code or "")
    return code[:2] if len(code) >= 2 else ""


class ProvincePolicy(models.Model):
    """Abstract base of every per-province policy model (see the module docstring)."""

    province = models.ForeignKey(
        Region,
        verbose_name=_("省份"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.PROVINCE},
        help_text=_("留空为全国默认值；某省的设置覆盖默认值。"),
    )

    #: None for a single-row policy; the name of the key field for a keyed table.
    policy_key: str | None = None

    class Meta:
        abstract = True

    @classmethod
    def _memoised(cls, kind: str, province: str, load: Callable[[], Any]) -> Any:
        memo = _memo.get()
        if memo is None:
            return load()
        key = (cls._meta.label, kind, province)
        if key not in memo:
            memo[key] = load()
        return memo[key]

    @classmethod
    def for_region(cls, region_or_code: Region | str | None) -> Self:
        """The single-row policy in force in the region's province (its own row or the default)."""
        assert cls.policy_key is None, f"{cls.__name__} is a keyed table: use rows_for_region"
        province = province_of(region_or_code)

        def load() -> Any:
            rows = cls.objects.filter(  # type: ignore[attr-defined]
                models.Q(province__isnull=True) | models.Q(province_id=province)
            )
            # The province's own row first, then the first default (sorted here: databases
            # differ on where NULLs sort).
            found = sorted(rows, key=lambda r: (r.province_id is None, r.pk))
            return found[0] if found else cls()

        return cast(Self, cls._memoised("one", province, load))

    @classmethod
    def rows_for_region(cls, region_or_code: Region | str | None) -> dict[str, Self]:
        """A keyed table as it applies in the region's province: ``{key: row}``."""
        assert cls.policy_key is not None, f"{cls.__name__} is a single-row policy: use for_region"
        key_field = cls.policy_key
        province = province_of(region_or_code)

        def load() -> Any:
            rows = cls.objects.filter(  # type: ignore[attr-defined]
                models.Q(province__isnull=True) | models.Q(province_id=province)
            ).order_by("pk")
            found: dict[str, Any] = {}
            for row in rows:
                key = getattr(row, key_field)
                if row.province_id is not None or key not in found:
                    found[key] = row
            return found

        return cast(dict[str, Self], cls._memoised("rows", province, load))


def province_unique(prefix: str, *fields: str) -> list[models.BaseConstraint]:
    """One row per province (and key); for a keyed table also one default per key (NULLs are
    distinct in a plain unique constraint, so the default gets its own conditional one). A
    single-row policy's defaults are not constrained in the database: ``for_region`` reads the
    first, and the admin offers no "add" once one exists."""
    constraints: list[models.BaseConstraint] = [
        models.UniqueConstraint(
            fields=["province", *fields],
            condition=models.Q(province__isnull=False),
            name=f"{prefix}_one_per_province",
        )
    ]
    if fields:
        constraints.append(
            models.UniqueConstraint(
                fields=list(fields), condition=models.Q(province__isnull=True), name=f"{prefix}_one_default"
            )
        )
    return constraints


def forget_policies() -> None:
    """Drop the request's memo (after a bulk ``update()``, which sends no ``post_save``)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def _forget(sender: type[models.Model], **kwargs: Any) -> None:
    if issubclass(sender, ProvincePolicy):
        forget_policies()


post_save.connect(_forget, dispatch_uid="province_policy_forget_save")
post_delete.connect(_forget, dispatch_uid="province_policy_forget_delete")


@contextmanager
def policies_remembered() -> Iterator[None]:
    """Memoise ``for_region`` / ``rows_for_region`` inside the block (a request, or a batch
    such as an import read outside one); inside an enclosing block, that block's memo is used."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class PolicyCacheMiddleware:
    """Memoise ``for_region`` / ``rows_for_region`` for the duration of one request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with policies_remembered():
            return self.get_response(request)

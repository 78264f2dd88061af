from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from xieguan.lib.scoping import ScopedQuerySet


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    PREFECTURE = 2, _("市(州)")
    COUNTY = 3, _("县(区、市)")
    TOWNSHIP = 4, _("乡(镇、街道)")
    VILLAGE = 5, _("村(社区)")


# Length of the code at each level: a region's ancestors are prefixes of its code.
CODE_LENGTH = {Level.PROVINCE: 2, Level.PREFECTURE: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


class RegionQuerySet(ScopedQuerySet["Region"]):
    def at_level(self, level: int) -> RegionQuerySet:
        return self.filter(level=level)

    def county_names(self, codes: Iterable[str]) -> dict[str, str]:
        """The county (县、区) of each region code at county level or below, by code, in one
        query: ``{"520281117": "盘州市", ...}``; a code above county level is left out. For the
        lists and exports of a province or prefecture that say each row's county."""
        length = CODE_LENGTH[Level.COUNTY]
        county_of = {code: code[:length] for code in set(codes) if len(code) >= length}
        if not county_of:
            return {}
        names = dict(self.filter(code__in=set(county_of.values())).values_list("code", "name"))
        return {code: names[county] for code, county in county_of.items() if county in names}


class Region(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()
    scope_lookup = "code"

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="region_level_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        return [self.code[:n] for n in CODE_LENGTH.values() if n < len(self.code)]

    def ancestors(self) -> list[Region]:
        """Ancestors from the province down, in one query."""
        return list(Region.objects.filter(code__in=self.ancestor_codes).order_by("level"))

    def path_name(self, below: str | None = None, ancestors: list[Region] | None = None) -> str:
        """The full name from below the given region code, e.g. 六盘水市盘州市柏果镇.

        ``ancestors``: the rows of ``ancestor_codes`` when the caller has read them already (in a
        statement of its own); otherwise ``ancestors()`` reads them."""
        rows = self.ancestors() if ancestors is None else sorted(ancestors, key=lambda r: len(r.code))
        names = [r.name for r in rows if not below or len(r.code) > len(below)]
        return "".join([*names, self.name])

    def code_at(self, level: int) -> str | None:
        """The code of this region's ancestor (or itself) at ``level``."""
        length = CODE_LENGTH[Level(level)]
        return self.code[:length] if len(self.code) >= length else None

    @property
    def spans_counties(self) -> bool:
        """Whether the region holds more than one county (a prefecture, the province): its lists
        and exports then say each row's county (``RegionQuerySet.county_names``)."""
        return self.level < Level.COUNTY

    @property
    def child_level(self) -> int | None:
        return self.level + 1 if self.level < Level.VILLAGE else None

"""Code lists of the ledger. The national lists (industry codes, hazard catalogue) are viewed by
a province admin and edited by an operator without a province; a province's own industry mapping
and focus industries are edited by that province's admin.

Employers themselves are not edited here: every change goes through employers.actions, so
the derived fields, the duplicate rules and the history stay right.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from xieguan.employers.actions import apply_industry_mapping, refresh_key_flags
from xieguan.employers.models import (
    FocusIndustry,
    HazardCategory,
    HazardFactor,
    IndustryCode,
    IndustryMapping,
    LedgerPolicy,
)
from xieguan.regions.admin import NationalListAdmin, ProvincePolicyAdmin


@admin.register(IndustryCode)
class IndustryCodeAdmin(NationalListAdmin):
    """The national codes and mapping: a province admin maps codes for their province in 本省行业对照."""

    list_display = ["code", "name", "category"]
    list_editable = ["category"]
    list_filter = ["category"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: IndustryCode, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        apply_industry_mapping(obj)


@admin.register(IndustryMapping)
class IndustryMappingAdmin(ProvincePolicyAdmin):
    """A province's own mapping of codes to key industries; its employers follow on save."""

    list_display = ["industry_code", "category"]
    list_filter = ["category"]
    autocomplete_fields = ["industry_code"]

    def save_model(self, request: HttpRequest, obj: IndustryMapping, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.province_id:
            apply_industry_mapping(obj.industry_code, obj.province_id)

    def delete_model(self, request: HttpRequest, obj: IndustryMapping) -> None:
        code, province = obj.industry_code, obj.province_id
        super().delete_model(request, obj)
        if province:
            apply_industry_mapping(code, province)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The list's "delete selected": the employers follow each deleted mapping back."""
        deleted = [(row.industry_code, row.province_id) for row in queryset.select_related("industry_code")]
        super().delete_queryset(request, queryset)
        for code, province in deleted:
            if province:
                apply_industry_mapping(code, province)


@admin.register(HazardCategory)
class HazardCategoryAdmin(NationalListAdmin):
    list_display = ["name", "code", "catalogue_items", "order"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the six categories of the 2015 catalogue

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HazardFactor)
class HazardFactorAdmin(NationalListAdmin):
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name"]


@admin.register(FocusIndustry)
class FocusIndustryAdmin(admin.ModelAdmin):
    list_display = ["region", "industry_code"]
    raw_id_fields = ["region"]
    search_fields = ["region__name", "region__code"]

    def get_queryset(self, request: HttpRequest) -> Any:
        """A province admin sees their province's counties only."""
        province = ProvincePolicyAdmin.own_province(request)
        qs = super().get_queryset(request)
        return qs.filter(region__code__startswith=province) if province else qs

    def save_model(self, request: HttpRequest, obj: FocusIndustry, form: Any, change: bool) -> None:
        province = ProvincePolicyAdmin.own_province(request)
        if province and not obj.region_id.startswith(province):
            raise PermissionDenied
        previous = FocusIndustry.objects.filter(pk=obj.pk).values_list("region_id", flat=True).first()
        super().save_model(request, obj, form, change)
        for county in {obj.region_id, previous}:
            if county:
                refresh_key_flags(county)

    def delete_model(self, request: HttpRequest, obj: FocusIndustry) -> None:
        county = obj.region_id
        super().delete_model(request, obj)
        refresh_key_flags(county)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        counties = set(queryset.values_list("region_id", flat=True))
        super().delete_queryset(request, queryset)
        for county in counties:
            refresh_key_flags(county)


@admin.register(LedgerPolicy)
class LedgerPolicyAdmin(ProvincePolicyAdmin):
    list_display = ["__str__"]

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from xieguan.accounts.models import Role
from xieguan.regions.models import Region
from xieguan.regions.policy import province_of


def _province_admin_of(request: HttpRequest) -> str | None:
    user = request.user
    if getattr(user, "role", None) == Role.PROVINCE_ADMIN:
        return province_of(getattr(user, "region_id", None)) or None
    return None


class NationalListAdmin(admin.ModelAdmin):
    """Admin of a national list every province reads (the statutory retirement rules, the hazard
    catalogue, the industry codes): a province admin views it, only an operator without a
    province (a superuser who is not a province admin) adds, changes or deletes its rows — one
    province's edit would change the others' data."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not _province_admin_of(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _province_admin_of(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _province_admin_of(request) and super().has_delete_permission(request, obj)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        """A province admin sees, changes and deletes their own province's regions only (another
        province's, named by code in the URL, is not found)."""
        province = ProvincePolicyAdmin.own_province(request)
        qs = super().get_queryset(request)
        return qs.filter(code__startswith=province) if province else qs

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        """Nor made, or moved, outside their province."""
        province = ProvincePolicyAdmin.own_province(request)
        if province and not (
            obj.code.startswith(province) and (obj.parent_id or province).startswith(province)
        ):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class ProvincePolicyAdmin(admin.ModelAdmin):
    """Admin of a per-province policy model (regions/policy.py).

    A province admin sees, adds, changes and deletes only their own province's rows; the
    ``province`` field is not shown to them and is set to their province on save (their row
    overrides the national default from then on). An operator without a province (a superuser
    who is not a province admin) sees every row and the ``province`` column, and edits the
    national defaults (``province`` empty).
    """

    @staticmethod
    def own_province(request: HttpRequest) -> str | None:
        return _province_admin_of(request)

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = list(super().get_list_display(request))
        return shown if self.own_province(request) else ["province", *shown]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """A province admin's list says what applies where they set nothing: the national defaults."""
        if self.own_province(request) and request.method == "GET":
            defaults = "；".join(str(row) for row in self.model.objects.filter(province__isnull=True)) or _(
                "字段默认值"
            )
            messages.info(request, _("本省未设置的项按全国默认值执行：%(defaults)s") % {"defaults": defaults})
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        province = self.own_province(request)
        return qs.filter(province_id=province) if province else qs

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        return [*excluded, "province"] if self.own_province(request) else excluded

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change, **kwargs)
        province = self.own_province(request)
        if not province:
            return base

        class OwnProvinceForm(base):  # type: ignore[misc, valid-type]
            """Checks the one-per-province constraints with the province the row will get."""

            def _post_clean(self) -> None:
                self.instance.province_id = province
                super()._post_clean()
                try:
                    self.instance.validate_constraints()
                except ValidationError as exc:
                    self._update_errors(exc)

        return OwnProvinceForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        province = self.own_province(request)
        if province:
            obj.province_id = province
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """A single-row policy: one row per province (a keyed table: one per key, the form checks)."""
        if not super().has_add_permission(request):
            return False
        if self.model.policy_key is None:
            return not self.get_queryset(request).filter(province_id=self.own_province(request)).exists()
        return True

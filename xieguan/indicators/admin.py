from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Field
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xieguan.indicators import registry
from xieguan.indicators.models import RecordingPolicy, Target
from xieguan.regions.admin import ProvincePolicyAdmin


def indicator_choices() -> list[tuple[str, str]]:
    """The registered indicators as (key, "名称（key）"): a province admin picks one by its name."""
    return [(i.key, f"{i.label}（{i.key}）") for i in registry.all_indicators()]


@admin.register(Target)
class TargetAdmin(ProvincePolicyAdmin):
    list_display = ["indicator_name", "comparison", "threshold", "basis"]

    @admin.display(description=_("指标"), ordering="indicator")
    def indicator_name(self, obj: Target) -> str:
        return obj.indicator_label

    def formfield_for_dbfield(self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        """The indicator is chosen from the registered ones by name, not typed as a code."""
        if db_field.name == "indicator":
            return forms.ChoiceField(
                label=db_field.verbose_name, choices=[("", "---------"), *indicator_choices()], required=True
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(RecordingPolicy)
class RecordingPolicyAdmin(ProvincePolicyAdmin):
    list_display = ["__str__", "inspection_days", "complaint_hours"]

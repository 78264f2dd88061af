"""Admin (province admins only): the data the province edits — grade thresholds, staffing load.

Assistants themselves are not in the admin: their ID numbers are shown in full only to the
county admin who manages them (personnel.privacy), and their life runs through personnel.actions.
"""

from django.contrib import admin

from xieguan.personnel.models import GradeThreshold, RetirementPolicy, RetirementRule, StaffingPolicy
from xieguan.regions.admin import NationalListAdmin, ProvincePolicyAdmin


@admin.register(GradeThreshold)
class GradeThresholdAdmin(ProvincePolicyAdmin):
    list_display = ["grade", "min_score"]


@admin.register(StaffingPolicy)
class StaffingPolicyAdmin(ProvincePolicyAdmin):
    list_display = ["__str__", "max_inspections_per_assistant"]


@admin.register(RetirementRule)
class RetirementRuleAdmin(NationalListAdmin):
    """National law: viewed, not edited, by a province admin."""

    list_display = ["label", "gender", "base_years", "reform_from_birth", "step_months", "max_delay_months"]


@admin.register(RetirementPolicy)
class RetirementPolicyAdmin(ProvincePolicyAdmin):
    list_display = ["__str__", "male_rule", "female_rule"]

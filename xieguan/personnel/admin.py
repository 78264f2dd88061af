"""Admin (province admins only): the data the province edits — grade thresholds, staffing load.

Assistants themselves are not in the admin: their ID numbers are shown in full only to the
county admin who manages them (personnel.privacy), and their life runs through personnel.actions.
"""

from django.contrib import admin

from xieguan.personnel.models import GradeThreshold, StaffingPolicy


@admin.register(GradeThreshold)
class GradeThresholdAdmin(admin.ModelAdmin):
    list_display = ["grade", "min_score"]


@admin.register(StaffingPolicy)
class StaffingPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "max_inspections_per_assistant"]

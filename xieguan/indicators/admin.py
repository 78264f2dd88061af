from django.contrib import admin

from xieguan.indicators.models import RecordingPolicy, Target
from xieguan.regions.admin import ProvincePolicyAdmin


@admin.register(Target)
class TargetAdmin(ProvincePolicyAdmin):
    list_display = ["indicator", "comparison", "threshold", "basis"]


@admin.register(RecordingPolicy)
class RecordingPolicyAdmin(ProvincePolicyAdmin):
    list_display = ["__str__", "inspection_days", "complaint_hours"]

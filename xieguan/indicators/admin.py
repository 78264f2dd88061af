from django.contrib import admin

from xieguan.indicators.models import RecordingPolicy, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "comparison", "threshold", "basis"]


@admin.register(RecordingPolicy)
class RecordingPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "inspection_days", "complaint_hours"]

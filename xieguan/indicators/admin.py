from django.contrib import admin

from xieguan.indicators.models import Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "comparison", "threshold", "basis"]

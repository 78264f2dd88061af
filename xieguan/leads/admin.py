"""Django admin (province admins only): the reporting deadlines. Leads and complaints are not here:
they are regional and confidential, and only reachable through the scoped pages."""

from django.contrib import admin
from django.http import HttpRequest

from xieguan.leads.models import ReportingPolicy
from xieguan.regions.admin import ProvincePolicyAdmin


@admin.register(ReportingPolicy)
class ReportingPolicyAdmin(ProvincePolicyAdmin):
    list_display = ["__str__", "important_hours", "normal_days"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from xieguan.lib.access import public

admin.site.site_header = "职业健康监督协管信息系统 · 代码表管理"
admin.site.site_title = "协管系统管理"
# Second-factor devices are managed in the app (我的账号 → 两步验证; an admin's reset), never in
# the admin site, whose device pages would show anyone's TOTP secret and QR code.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

urlpatterns = [
    path("", include("xieguan.accounts.urls")),
    path("regions/", include("xieguan.regions.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("xieguan.api.urls")),
    path("health/", include("xieguan.ops.urls")),
    # One line per area of the domain, in the order of the menu:
    path("employers/", include("xieguan.employers.urls")),
    path("inspections/", include("xieguan.inspections.urls")),
    path("documents/", include("xieguan.documents.urls")),
    path("leads/", include("xieguan.leads.urls")),
    path("personnel/", include("xieguan.personnel.urls")),
    path("tasks/", include("xieguan.tasks.urls")),
    path("funding/", include("xieguan.funding.urls")),
    path("outreach/", include("xieguan.outreach.urls")),
    path("indicators/", include("xieguan.indicators.urls")),
    path("audit/", include("xieguan.audit.urls")),
    path("", include("xieguan.field.urls")),  # /sw.js and /manifest.webmanifest at the root, /field/...
]

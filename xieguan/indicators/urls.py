from django.urls import path

from xieguan.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("counties/", views.counties, name="counties"),
    path("counties.xlsx", views.counties_xlsx, name="counties_xlsx"),
    path("series.json", views.series_json, name="series"),
    path("register/", views.register, name="register"),
    path("register.<str:fmt>", views.register, name="register_file"),
    path("<slug:key>/", views.drill, name="drill"),
]

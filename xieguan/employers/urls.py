from django.urls import path

from xieguan.employers import views, views_excel

app_name = "employers"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("new/", views.create, name="create"),
    path("export.xlsx", views_excel.export, name="export"),
    path("import/", views_excel.upload, name="import"),
    path("import/template.xlsx", views_excel.template, name="import_template"),
    path("import/<int:pk>/", views_excel.import_detail, name="import_detail"),
    path("import/<int:pk>/report.xlsx", views_excel.import_report, name="import_report"),
    path("focus-industries/", views.focus_industries, name="focus_industries"),
    path("focus-industries/<int:pk>/remove/", views.focus_industry_remove, name="focus_industry_remove"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/purge/", views.purge, name="purge"),
]

from django.urls import path

from xieguan.funding import views

app_name = "funding"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("budget/<int:pk>/", views.budget_edit, name="budget_edit"),
    path("disbursement/<int:pk>/withdraw/", views.disbursement_withdraw, name="disbursement_withdraw"),
    path("subsidy/<int:pk>/withdraw/", views.subsidy_withdraw, name="subsidy_withdraw"),
    path("<str:code>/<int:year>/", views.county, name="county"),
    path("<str:code>/<int:year>/budget/", views.budget_new, name="budget_new"),
    path("<str:code>/<int:year>/disbursement/", views.disbursement_new, name="disbursement_new"),
    path("<str:code>/<int:year>/subsidy/", views.subsidy_new, name="subsidy_new"),
]

from django.urls import path

from xieguan.personnel import views

app_name = "personnel"
urlpatterns = [
    path("", views.assistant_list, name="list"),
    path("export.xlsx", views.assistant_export, name="export"),
    path("new/", views.assistant_new, name="new"),
    path("import/", views.roster_import, name="roster_import"),
    path("import/template.xlsx", views.roster_template, name="roster_template"),
    path("import/apply/", views.roster_apply, name="roster_apply"),
    path("import/<str:token>/report.xlsx", views.roster_report, name="roster_report"),
    path("me/", views.me, name="me"),
    path("<int:pk>/", views.assistant_detail, name="detail"),
    path("<int:pk>/edit/", views.assistant_edit, name="edit"),
    path("<int:pk>/photo/", views.assistant_photo, name="photo"),
    path("<int:pk>/eligibility/", views.eligibility, name="eligibility"),
    path("<int:pk>/account/", views.account_new, name="account"),
    path("<int:pk>/appoint/", views.appoint, name="appoint"),
    path("<int:pk>/renew/", views.renew, name="renew"),
    path("<int:pk>/reward/", views.reward_new, name="reward"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("<int:pk>/aftermath/", views.aftermath, name="aftermath"),
    path("<int:pk>/assessment/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/print.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("training/", views.training_list, name="training"),
    path("training/new/", views.training_new, name="training_new"),
    path("training/rates/", views.training_rates, name="training_rates"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("training/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path("training/<int:pk>/delete/", views.training_delete, name="training_delete"),
    path("staffing/", views.staffing_view, name="staffing"),
]

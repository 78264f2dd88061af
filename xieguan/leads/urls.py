from django.urls import path

from xieguan.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.new_lead, name="new"),
    path("complaints/new/", views.new_complaint, name="new_complaint"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/assist/", views.request_assist, name="request_assist"),
    path("<int:pk>/handling/", views.handling, name="handling"),
    path("<int:pk>/action/", views.officer_action, name="officer_action"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/regrade/", views.regrade, name="regrade"),
    path("photos/<int:pk>/", views.lead_photo, name="photo"),
    path("assists/", views.assist_list, name="assists"),
    path("assists/new/", views.new_assist, name="new_assist"),
    path("assists/<int:pk>/", views.assist, name="assist"),
    path("assists/<int:pk>/cancel/", views.assist_cancel, name="assist_cancel"),
    path("assists/<int:pk>/reassign/", views.assist_reassign, name="assist_reassign"),
    path("assists/photos/<int:pk>/", views.assist_photo, name="assist_photo"),
]

from django.urls import path

from xieguan.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("new/employers/", views.employer_choices, name="employer_choices"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/correct/", views.event_correct, name="correct"),
    path("<int:pk>/withdraw/", views.event_withdraw, name="withdraw"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
]

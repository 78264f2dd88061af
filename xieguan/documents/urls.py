from django.urls import path

from xieguan.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("blank/<slug:slug>.<str:fmt>", views.blank, name="blank"),
]

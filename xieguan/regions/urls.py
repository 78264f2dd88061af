from django.urls import path

from xieguan.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("picker/", views.picker, name="picker"),
    path("<str:code>/", views.detail, name="detail"),
]

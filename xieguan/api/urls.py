from django.urls import path

from xieguan.api.api import api

urlpatterns = [path("v1/", api.urls)]

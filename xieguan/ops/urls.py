from django.urls import path

from xieguan.ops import health

app_name = "ops"
urlpatterns = [
    path("", health.health, name="health"),
]

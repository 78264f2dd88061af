from django.urls import path

from xieguan.field import views

app_name = "field"
urlpatterns = [
    # The worker at the root so its scope is the whole app.
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("field/outbox/", views.outbox, name="outbox"),
    path("field/offline/", views.offline, name="offline"),
    path("field/prepare.json", views.prepare, name="prepare"),
]

from django.urls import path

from xieguan.employers import views

app_name = "employers"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/purge/", views.purge, name="purge"),
]

from django.urls import path

from xieguan.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("new/<int:employer_pk>/", views.new, name="new"),
    path("employer/<int:employer_pk>/history/", views.employer_history, name="employer_history"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/activate/", views.activate, name="activate"),
    path("templates/<int:pk>/revise/", views.revise, name="revise"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/edit/", views.edit, name="edit"),
    path("<uuid:pk>/discard/", views.discard, name="discard"),
    path("<uuid:pk>/amend/", views.amend, name="amend"),
    path("<uuid:pk>/print.<str:fmt>", views.print_form, name="print"),
    path("<uuid:pk>/signature/<str:who>.png", views.signature, name="signature"),
]

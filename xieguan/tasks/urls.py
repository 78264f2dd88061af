from django.urls import path

from xieguan.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/close/", views.close, name="close"),
    path("a/<int:pk>/", views.assignment, name="assignment"),
    path("a/<int:pk>/complete/", views.complete, name="complete"),
    path("a/<int:pk>/unable/", views.unable, name="unable"),
    path("a/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("a/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("files/<int:pk>/", views.task_file, name="task_file"),
    path("answer-files/<int:pk>/", views.answer_file, name="answer_file"),
]

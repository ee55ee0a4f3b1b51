from django.urls import path

from backcare.screening import views

app_name = "screening"

urlpatterns = [
    path("check/", views.check, name="check"),
]

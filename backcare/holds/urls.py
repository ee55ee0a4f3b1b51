from django.urls import path

from backcare.holds import views

app_name = "holds"

urlpatterns = [
    path("staff/clients/<int:client_id>/hold/", views.lift, name="lift"),
]

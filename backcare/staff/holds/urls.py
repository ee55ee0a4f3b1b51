"""A client's hold and lifting it, mounted at ``staff/`` under the ``holds:`` names."""

from django.urls import path

from backcare.staff.holds import views

urlpatterns = [
    path("clients/<int:client_id>/hold/", views.lift, name="lift"),
]

"""The clinic's waitlist pages, mounted at ``staff/`` under the ``waitlist:`` names."""

from django.urls import path

from backcare.staff.waitlist import views

urlpatterns = [
    path("waitlist/", views.staff_list, name="staff_list"),
    path("clients/<int:client_id>/waitlist/", views.staff_add, name="staff_add"),
    path("waitlist/<int:entry_id>/remove/", views.staff_remove, name="staff_remove"),
]

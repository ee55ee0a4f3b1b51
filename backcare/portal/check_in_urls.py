"""The client's check-in, mounted at ``portal/`` under the ``notes:`` names."""

from django.urls import path

from backcare.portal.check_in import portal_check_in

urlpatterns = [
    path(
        "appointments/<int:appointment_id>/check-in/",
        portal_check_in,
        name="portal_check_in",
    ),
]

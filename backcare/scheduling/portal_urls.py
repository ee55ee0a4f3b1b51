"""The client's own booking pages in the portal."""

from django.urls import path

from backcare.scheduling import portal_views

app_name = "booking"

urlpatterns = [
    path("book/", portal_views.start, name="start"),
    path("book/confirm/", portal_views.confirm, name="confirm"),
    path("appointments/", portal_views.appointments, name="appointments"),
    path(
        "appointments/<int:appointment_id>/",
        portal_views.appointment_detail,
        name="appointment",
    ),
    path(
        "appointments/<int:appointment_id>/move/",
        portal_views.reschedule,
        name="reschedule",
    ),
    path(
        "appointments/<int:appointment_id>/move/confirm/",
        portal_views.reschedule_confirm,
        name="reschedule_confirm",
    ),
    path("appointments/<int:appointment_id>/cancel/", portal_views.cancel, name="cancel"),
    path(
        "appointments/<int:appointment_id>/appointment.ics",
        portal_views.calendar_file,
        name="calendar",
    ),
]

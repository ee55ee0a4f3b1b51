"""The client's own booking pages in the portal."""

from django.urls import path

from backcare.portal import booking

app_name = "booking"

urlpatterns = [
    path("book/", booking.start, name="start"),
    path("book/confirm/", booking.confirm, name="confirm"),
    path("appointments/", booking.appointments, name="appointments"),
    path(
        "appointments/<int:appointment_id>/",
        booking.appointment_detail,
        name="appointment",
    ),
    path(
        "appointments/<int:appointment_id>/move/",
        booking.reschedule,
        name="reschedule",
    ),
    path(
        "appointments/<int:appointment_id>/move/confirm/",
        booking.reschedule_confirm,
        name="reschedule_confirm",
    ),
    path("appointments/<int:appointment_id>/cancel/", booking.cancel, name="cancel"),
    path(
        "appointments/<int:appointment_id>/appointment.ics",
        booking.calendar_file,
        name="calendar",
    ),
]

"""Staff scheduling pages: the calendar, appointments, time off, closures, booking policy."""

from django.urls import path

from backcare.staff.schedule import views

app_name = "scheduling"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path(
        "calendar/locations/<int:location_id>/",
        views.location_calendar,
        name="location_calendar",
    ),
    path(
        "calendar/therapists/<int:therapist_id>/",
        views.therapist_calendar,
        name="therapist_calendar",
    ),
    path("appointments/new/", views.appointment_create, name="appointment_create"),
    path("appointments/<int:appointment_id>/", views.appointment_detail, name="appointment"),
    path(
        "appointments/<int:appointment_id>/move/",
        views.appointment_move,
        name="appointment_move",
    ),
    path(
        "appointments/<int:appointment_id>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "appointments/<int:appointment_id>/check-in/",
        views.appointment_check_in,
        name="appointment_check_in",
    ),
    path(
        "appointments/<int:appointment_id>/no-show/",
        views.appointment_no_show,
        name="appointment_no_show",
    ),
    path(
        "appointments/<int:appointment_id>/complete/",
        views.appointment_complete,
        name="appointment_complete",
    ),
    path("clients/<int:client_id>/series/", views.client_series, name="client_series"),
    path("hours/", views.hours_overview, name="hours"),
    path("therapists/<int:therapist_id>/hours/", views.therapist_hours, name="therapist_hours"),
    path(
        "hours/<int:hours_id>/remove/",
        views.working_hours_remove,
        name="working_hours_remove",
    ),
    path("time-off/", views.time_off, name="time_off"),
    # Each entry's booked sessions come before its removal: the access test walks this order.
    path("time-off/<int:time_off_id>/", views.time_off_sessions, name="time_off_sessions"),
    path(
        "time-off/<int:time_off_id>/cancel-sessions/",
        views.time_off_cancel_sessions,
        name="time_off_cancel_sessions",
    ),
    path("time-off/<int:time_off_id>/remove/", views.time_off_remove, name="time_off_remove"),
    path("closures/", views.closures, name="closures"),
    path("closures/<int:closure_id>/", views.closure_sessions, name="closure_sessions"),
    path(
        "closures/<int:closure_id>/cancel-sessions/",
        views.closure_cancel_sessions,
        name="closure_cancel_sessions",
    ),
    path("closures/<int:closure_id>/remove/", views.closure_remove, name="closure_remove"),
    path("booking-policy/", views.booking_policy, name="booking_policy"),
]

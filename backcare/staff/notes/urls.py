"""The check-in tablet, session notes and alerts, mounted at ``staff/`` under the ``notes:``
names."""

from django.urls import path

from backcare.staff.notes import views

urlpatterns = [
    path(
        "appointments/<int:appointment_id>/check-in/tablet/",
        views.desk_check_in,
        name="desk_check_in",
    ),
    path("appointments/<int:appointment_id>/note/", views.note, name="note"),
    path("appointments/<int:appointment_id>/note/save/", views.note_save, name="note_save"),
    path(
        "appointments/<int:appointment_id>/note/addenda/",
        views.note_addendum,
        name="note_addendum",
    ),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path(
        "alerts/<int:alert_id>/referral-letter.pdf",
        views.alert_letter_pdf,
        name="alert_letter",
    ),
]

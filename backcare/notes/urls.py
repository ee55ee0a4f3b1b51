from django.urls import path

from backcare.notes import views

app_name = "notes"

urlpatterns = [
    path(
        "staff/appointments/<int:appointment_id>/check-in/tablet/",
        views.desk_check_in,
        name="desk_check_in",
    ),
    path(
        "portal/appointments/<int:appointment_id>/check-in/",
        views.portal_check_in,
        name="portal_check_in",
    ),
    path("staff/appointments/<int:appointment_id>/note/", views.note, name="note"),
    path("staff/appointments/<int:appointment_id>/note/save/", views.note_save, name="note_save"),
    path(
        "staff/appointments/<int:appointment_id>/note/addenda/",
        views.note_addendum,
        name="note_addendum",
    ),
    path("staff/alerts/", views.alert_list, name="alerts"),
    path("staff/alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path(
        "staff/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path(
        "staff/alerts/<int:alert_id>/referral-letter.pdf",
        views.alert_letter_pdf,
        name="alert_letter",
    ),
]

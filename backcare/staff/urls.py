from django.urls import path

from backcare.staff import emails, imports, privacy, sign_in, views, website

app_name = "staff"

urlpatterns = [
    path("", views.staff_home, name="home"),
    path("privacy/", privacy.privacy_edit, name="privacy_edit"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<int:client_id>/doctor-notes/", website.doctor_notes, name="doctor_notes"),
    path(
        "clients/<int:client_id>/doctor-notes/<int:note_id>/",
        website.doctor_note,
        name="doctor_note",
    ),
    path(
        "locations/<int:location_id>/booking-page/",
        website.booking_snippet,
        name="booking_snippet",
    ),
    path(
        "calendar/locations/<int:location_id>/waiting/",
        views.waiting_panel,
        name="waiting_panel",
    ),
    path("emails/undeliverable/", emails.undeliverable_list, name="undeliverable_emails"),
    path("emails/<int:notice_id>/retry/", emails.retry, name="email_retry"),
    path("import/", imports.import_start, name="import_start"),
    path("import/<int:run_id>/", imports.import_run, name="import_run"),
    path("import/<int:run_id>/progress/", imports.import_progress, name="import_progress"),
    path("import/<int:run_id>/confirm/", imports.import_confirm, name="import_confirm"),
    path("sign-in/", sign_in.staff_sign_in, name="sign_in"),
    path("sign-in/<int:user_id>/reset/", sign_in.reset_two_step, name="reset_two_step"),
]

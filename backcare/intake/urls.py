from django.urls import path

from backcare.intake import views

app_name = "intake"

urlpatterns = [
    path("portal/intake/start/", views.portal_start, name="portal_start"),
    path("portal/intake/review/", views.portal_review, name="portal_review"),
    path("portal/intake/<slug:step>/", views.portal_step, name="portal_step"),
    path("portal/next-steps/", views.portal_result, name="portal_result"),
    path("staff/clients/<int:client_id>/intake/start/", views.staff_start, name="staff_start"),
    path("staff/clients/<int:client_id>/intake/review/", views.staff_review, name="staff_review"),
    path("staff/clients/<int:client_id>/intake/<slug:step>/", views.staff_step, name="staff_step"),
    path("staff/clients/<int:client_id>/intakes/<int:intake_id>/", views.detail, name="detail"),
]

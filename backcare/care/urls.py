from django.urls import path

from backcare.care import views

app_name = "care"

urlpatterns = [
    path("staff/clients/<int:client_id>/programs/new/", views.program_start, name="start"),
    path("staff/programs/<int:program_id>/", views.program_detail, name="program"),
    path("staff/programs/<int:program_id>/status/", views.program_status, name="status"),
    path("staff/programs/<int:program_id>/book/", views.program_book, name="book"),
    path("portal/programs/<int:program_id>/", views.portal_program, name="portal_program"),
    path("techniques/", views.technique_list, name="techniques"),
    path("techniques/<slug:code>/", views.technique_detail, name="technique"),
]

from django.urls import path

from backcare.staff.clinic import views

app_name = "clinic"

urlpatterns = [
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:client_id>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/care-team/add/", views.care_team_add, name="care_team_add"),
    path(
        "clients/<int:client_id>/care-team/remove/",
        views.care_team_remove,
        name="care_team_remove",
    ),
    path("clients/<int:client_id>/portal-invite/", views.portal_invite, name="portal_invite"),
    path("locations/", views.location_list, name="location_list"),
    path("locations/new/", views.location_create, name="location_create"),
    path("locations/<int:location_id>/", views.location_detail, name="location_detail"),
    path("locations/<int:location_id>/edit/", views.location_edit, name="location_edit"),
    path("locations/<int:location_id>/rooms/new/", views.room_create, name="room_create"),
    path("rooms/<int:room_id>/edit/", views.room_edit, name="room_edit"),
    path("therapists/", views.therapist_list, name="therapist_list"),
    path("therapists/new/", views.therapist_create, name="therapist_create"),
    path("therapists/<int:therapist_id>/", views.therapist_detail, name="therapist_detail"),
    path("therapists/<int:therapist_id>/edit/", views.therapist_edit, name="therapist_edit"),
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:service_id>/edit/", views.service_edit, name="service_edit"),
]

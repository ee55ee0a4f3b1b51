"""Waitlist pages: a client asks for an earlier time; offers are accepted by link."""

from django.urls import path

from backcare.waitlist import views

app_name = "waitlist"

urlpatterns = [
    path("portal/waitlist/", views.portal_list, name="portal_list"),
    path("portal/waitlist/join/", views.portal_join, name="portal_join"),
    path("portal/waitlist/<int:entry_id>/leave/", views.portal_leave, name="portal_leave"),
    path("waitlist/offers/<str:token>/", views.offer, name="offer"),
    path("staff/waitlist/", views.staff_list, name="staff_list"),
    path("staff/clients/<int:client_id>/waitlist/", views.staff_add, name="staff_add"),
    path("staff/waitlist/<int:entry_id>/remove/", views.staff_remove, name="staff_remove"),
]

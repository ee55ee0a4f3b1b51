from django.urls import path

from backcare.feeds import views

app_name = "feeds"

urlpatterns = [
    path("staff/calendar-feed/", views.manage, name="manage"),
    path("staff/calendar-feed/new/", views.create, name="create"),
    path("staff/calendar-feed/revoke/", views.revoke, name="revoke"),
    path("calendar/<str:token>.ics", views.calendar, name="calendar"),
]

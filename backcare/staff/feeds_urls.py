"""The calendar feed's staff page, mounted at ``staff/`` under the ``feeds:`` names."""

from django.urls import path

from backcare.staff import feeds

urlpatterns = [
    path("calendar-feed/", feeds.manage, name="manage"),
    path("calendar-feed/new/", feeds.create, name="create"),
    path("calendar-feed/revoke/", feeds.revoke, name="revoke"),
]

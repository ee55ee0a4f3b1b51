"""The client's waitlist pages, mounted at ``portal/`` under the ``waitlist:`` names, and the
offer link (``by_link``), mounted at the site's root: its address is in emails already sent."""

from django.urls import path

from backcare.portal import waitlist

urlpatterns = [
    path("waitlist/", waitlist.portal_list, name="portal_list"),
    path("waitlist/join/", waitlist.portal_join, name="portal_join"),
    path("waitlist/<int:entry_id>/leave/", waitlist.portal_leave, name="portal_leave"),
]

by_link = [
    path("waitlist/offers/<str:token>/", waitlist.offer, name="offer"),
]

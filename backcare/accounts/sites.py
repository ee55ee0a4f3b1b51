from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from backcare import policy
from backcare.policy import Action


class BackcareAdminSite(admin.AdminSite):
    """The Django admin, for the owner only, asked through the access policy."""

    site_header = "Backcare administration"
    site_title = "Backcare admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, Action.ADMIN)

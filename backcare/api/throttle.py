"""The public API's rate limit: so many requests a minute from one address, counted in
Django's cache (kept in the database, so it holds across every worker and server)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from backcare.audit.context import client_ip


class PerAddress(SimpleRateThrottle):
    """``API_PUBLIC_PER_MINUTE`` requests a minute per address (the one the audit log uses:
    behind trusted proxies, the address the outermost one saw)."""

    scope = "public"

    def __init__(self) -> None:
        super().__init__(f"{settings.API_PUBLIC_PER_MINUTE}/min")

    def get_cache_key(self, request: HttpRequest) -> str | None:
        # Read the setting per request, so a test (or a restart) can change it.
        self.num_requests = settings.API_PUBLIC_PER_MINUTE
        address = client_ip(request) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": address}

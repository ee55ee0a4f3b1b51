"""Headers every page sends (SPEC §7)."""

from __future__ import annotations

from django.test import Client as HttpClient


def test_pages_send_a_content_security_policy_that_allows_only_backcare_itself(db) -> None:
    response = HttpClient().get("/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_sets_a_csrf_cookie_that_scripts_cannot_change_sessions_with(db) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post("/login/", {"username": "x@example.com", "password": "y"})
    assert response.status_code == 403  # no CSRF token: refused before any password check

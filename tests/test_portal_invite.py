"""Front desk invites a client to the portal; the client chooses a password and signs in."""

from __future__ import annotations

import re

from django.core import mail
from django.http import HttpRequest
from django.test import Client as HttpClient

from backcare.accounts.models import Role
from backcare.audit.models import AuditEvent
from tests.conftest import Clinic
from tests.factories import ClientFactory


def test_an_invited_client_chooses_a_password_and_reaches_their_portal(
    clinic: Clinic, as_front_desk: HttpClient, django_capture_on_commit_callbacks
) -> None:
    carol = ClientFactory.create(first_name="Carol", last_name="Chen", email="carol@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_front_desk.post(f"/staff/clients/{carol.pk}/portal-invite/", follow=True)
    assert "We emailed carol@example.com a link" in response.content.decode()
    carol.refresh_from_db()
    assert carol.user is not None
    assert carol.user.role == Role.CLIENT
    assert not carol.user.has_usable_password()
    assert AuditEvent.objects.filter(action="user.created", client=carol).exists()

    (invite,) = mail.outbox
    assert invite.to == ["carol@example.com"]
    link = re.search(r"http://\S+", str(invite.body))
    assert link is not None
    http = HttpClient()
    form_page = http.get(link.group(0).replace("http://127.0.0.1:8000", ""), follow=True)
    assert "Choose your password" in form_page.content.decode()
    done = http.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-password", "new_password2": "a-long-new-password"},
        follow=True,
    )
    # Signed in at once, in the portal: no "now sign in again".
    assert "Your password is saved, and you are signed in." in done.content.decode()
    assert done.redirect_chain[-1][0] == "/portal/"
    assert "Hello, Carol" in done.content.decode()
    # The password works for the next sign-in too. The lockout backend needs a request, as on
    # the sign-in page.
    http.logout()
    assert http.login(
        request=HttpRequest(), username="carol@example.com", password="a-long-new-password"
    )
    assert "Hello, Carol" in http.get("/portal/").content.decode()


def test_a_client_without_email_cannot_be_invited_and_is_told_why(
    clinic: Clinic, as_front_desk: HttpClient
) -> None:
    dan = ClientFactory.create(first_name="Dan", email="")
    response = as_front_desk.post(f"/staff/clients/{dan.pk}/portal-invite/", follow=True)
    assert "email address first: it is their login" in response.content.decode()
    dan.refresh_from_db()
    assert dan.user is None
    assert mail.outbox == []

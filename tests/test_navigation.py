"""The top navigation (backcare/site/navigation.py): each role sees the items the access policy
lets it open, and the item of the page being shown is marked as the current page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from backcare.accounts.models import Role, User
from tests.factories import ClientFactory, TherapistFactory, UserFactory
from tests.two_factor import signed_in

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]*)" ?(aria-current="page")?>([^<]*)</a>')


EVERY_STAFF_ROLE = ["Home", "Clients", "Calendar", "Therapists", "Locations", "Services"]
CLIENT_ITEMS = ["My care", "Billing", "Book a session", "My appointments"]


def _nav(html: str) -> tuple[list[str], list[str]]:
    """The navigation's labels, and the labels marked as the current page."""
    found = NAV.search(html)
    assert found, "no main navigation on the page"
    links = LINK.findall(found.group(1))
    return [label for _, _, label in links], [label for _, current, label in links if current]


def _user(role: Role) -> User:
    if role == Role.THERAPIST:
        return TherapistFactory.create().user
    # The owner who may open the Django admin (a staff account, in Django's terms).
    user = UserFactory.create(role=role, is_staff=role == Role.OWNER)
    if role == Role.CLIENT:
        ClientFactory.create(user=user, email=user.email)
    return user


@pytest.mark.parametrize(
    ("role", "page", "items", "current"),
    [
        (
            Role.OWNER,
            "scheduling:hours",
            [
                *EVERY_STAFF_ROLE,
                "Alerts",
                "Waitlist",
                "Calendar feed",
                "Analytics",
                "Billing",
                "Audit log",
                "Settings",
                "Staff sign-in",
                "Admin",
            ],
            "Settings",
        ),
        (
            Role.FRONT_DESK,
            "scheduling:calendar",
            [
                *EVERY_STAFF_ROLE,
                "Waitlist",
                "Day-end close",
            ],
            "Calendar",
        ),
        (
            Role.THERAPIST,
            "staff:home",
            [
                *EVERY_STAFF_ROLE,
                "Alerts",
                "Calendar feed",
            ],
            "Home",
        ),
        (
            Role.CLIENT,
            "booking:appointments",
            CLIENT_ITEMS,
            "My appointments",
        ),
        (
            Role.CLIENT,
            "portal:home",
            CLIENT_ITEMS,
            "My care",
        ),
    ],
)
def test_each_role_sees_its_items_with_the_current_page_marked(
    role: Role, page: str, items: list[str], current: str
) -> None:
    response = signed_in(_user(role)).get(reverse(page))
    assert response.status_code == 200
    labels, marked = _nav(response.content.decode())
    assert labels == items
    assert marked == [current]


def test_a_page_of_a_clients_chart_marks_clients() -> None:
    owner = UserFactory.create(role=Role.OWNER)
    client = ClientFactory.create()
    response = signed_in(owner).get(reverse("staff:client_detail", args=[client.pk]))
    assert _nav(response.content.decode())[1] == ["Clients"]

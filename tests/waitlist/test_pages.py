"""The waitlist pages: a client asks for an earlier time, answers an offer by its link, and the
front desk sees and edits the list (SPEC §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from backcare.booking.actions import cancel_appointment
from backcare.booking.models import Appointment
from backcare.waitlist.models import EntryStatus, OfferStatus, WaitlistEntry, WaitlistOffer
from tests import factories
from tests.conftest import CLOCK_QUERY, Clinic, login_as
from tests.waitlist.conftest import NOW, TODAY, TUESDAY_10, offer_emails, offer_path, wait

# These tests read what a page was given (response.context).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("recorded_pages")]


def form_data(clinic: Clinic, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": clinic.service.pk,
        "location": clinic.location.pk,
        "therapist": "",
        "earliest": TODAY.isoformat(),
        "latest": (TODAY + dt.timedelta(days=10)).isoformat(),
        "times_of_day": ["morning", "evening"],
    }
    data.update(changes)
    return data


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def offered(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> str:
    """Alice is offered Dana's cancelled Tuesday 10:00: the path of the link in her email."""
    wait(open_clinic, open_clinic.alice)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(open_clinic.front_desk, danas_appointment, now=NOW)
    (message,) = offer_emails("alice@example.com")
    return offer_path(message)


# --- The client's own pages -----------------------------------------------------------------


def test_the_portal_home_and_waitlist_invite_the_client_to_ask_for_an_earlier_time(
    open_clinic: Clinic,
) -> None:
    http = login_as(open_clinic.alice.user)
    home = http.get(reverse("portal:home"))
    assert reverse("waitlist:portal_join") in home.content.decode()
    page = http.get(reverse("waitlist:portal_list"))
    assert "You are not on the waitlist." in page.content.decode()


def test_a_client_joins_the_waitlist_from_the_portal(open_clinic: Clinic) -> None:
    http = login_as(open_clinic.alice.user)
    prefilled = http.get(
        reverse("waitlist:portal_join"),
        {"service": open_clinic.service.pk, "therapist": open_clinic.tess.pk},
    )
    assert prefilled.status_code == 200
    assert prefilled.context["form"].initial["therapist"] == str(open_clinic.tess.pk)
    from_booking = http.get(reverse("waitlist:portal_join"), {"location": open_clinic.location.pk})
    assert from_booking.context["form"].initial["location"] == str(open_clinic.location.pk)

    response = http.post(reverse("waitlist:portal_join"), form_data(open_clinic))

    assert response.status_code == 302
    assert response["Location"] == reverse("waitlist:portal_list")
    entry = WaitlistEntry.objects.get(client=open_clinic.alice)
    assert (entry.mornings, entry.afternoons, entry.evenings) == (True, False, True)
    assert entry.therapist is None
    assert entry.created_by == open_clinic.alice.user
    listing = http.get(reverse("waitlist:portal_list")).content.decode()
    assert "mornings or evenings" in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"times_of_day": []}, "times_of_day", "Choose at least one time of day."),
        (
            {"earliest": "2026-06-01", "latest": "2026-05-30"},
            "latest",
            "The last day must be on or after the first day.",
        ),
        (
            {"earliest": "2026-05-01", "latest": "2026-05-10"},
            "latest",
            "Those dates have passed",
        ),
    ],
)
def test_a_waitlist_request_that_cannot_be_met_is_explained_next_to_its_field(
    open_clinic: Clinic, changes: dict[str, Any], field: str, message: str
) -> None:
    http = login_as(open_clinic.alice.user)
    response = http.post(reverse("waitlist:portal_join"), form_data(open_clinic, **changes))

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not WaitlistEntry.objects.exists()


def test_asking_twice_for_the_same_service_and_place_is_refused(open_clinic: Clinic) -> None:
    wait(open_clinic, open_clinic.alice)
    http = login_as(open_clinic.alice.user)
    response = http.post(reverse("waitlist:portal_join"), form_data(open_clinic))
    assert response.status_code == 400
    assert "already on the waitlist" in str(response.context["form"].errors["service"])


def test_a_client_on_a_screening_hold_cannot_join(open_clinic: Clinic) -> None:
    open_clinic.alice.date_of_birth = dt.date(2010, 1, 1)
    open_clinic.alice.save(update_fields=["date_of_birth"])
    http = login_as(open_clinic.alice.user)
    response = http.post(reverse("waitlist:portal_join"), form_data(open_clinic))
    assert response.status_code == 400
    assert "for adults" in response.content.decode()


def test_a_client_leaves_the_waitlist_but_not_someone_elses(open_clinic: Clinic) -> None:
    alices = wait(open_clinic, open_clinic.alice)
    bobs = wait(open_clinic, open_clinic.bob)
    http = login_as(open_clinic.alice.user)

    refused = http.post(reverse("waitlist:portal_leave", args=[bobs.pk]))
    left = http.post(reverse("waitlist:portal_leave", args=[alices.pk]))

    assert refused.status_code == 404
    assert left.status_code == 302
    alices.refresh_from_db()
    bobs.refresh_from_db()
    assert (alices.status, bobs.status) == (EntryStatus.CANCELLED, EntryStatus.ACTIVE)


def test_the_portal_list_shows_only_the_clients_own_entries(open_clinic: Clinic) -> None:
    wait(open_clinic, open_clinic.bob)
    page = login_as(open_clinic.alice.user).get(reverse("waitlist:portal_list"))
    assert page.context["open_entries"] == []


# --- The offer link -------------------------------------------------------------------------


def test_the_offer_link_asks_a_signed_out_visitor_to_sign_in_first(offered: str) -> None:
    response = login_as(None).get(offered)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("login")
    assert "Tess" not in response.content.decode()


def test_the_offer_link_is_no_page_for_anyone_but_its_client(
    open_clinic: Clinic, offered: str
) -> None:
    for user in (open_clinic.bob.user, open_clinic.front_desk, open_clinic.owner):
        assert login_as(user).get(offered).status_code == 404
    made_up = reverse("waitlist:offer", kwargs={"token": "not-a-real-token"})
    assert login_as(open_clinic.alice.user).get(made_up).status_code == 404


def test_the_client_sees_the_offer_and_books_it(open_clinic: Clinic, offered: str) -> None:
    http = login_as(open_clinic.alice.user)
    page = http.get(offered).content.decode()
    assert "Tuesday, May 26 at 10:00 AM" in page
    assert "Book this time" in page

    response = http.post(offered, {"answer": "accept"})

    assert response.status_code == 302
    assert messages_of(response) == ["Booked. We have emailed you the confirmation."]
    booked = Appointment.objects.get(client=open_clinic.alice)
    assert booked.starts == TUESDAY_10
    after = http.get(offered).content.decode()
    assert "This time is booked for you." in after
    assert "Book this time" not in after


def test_a_second_accept_on_the_page_is_refused_kindly(open_clinic: Clinic, offered: str) -> None:
    http = login_as(open_clinic.alice.user)
    http.post(offered, {"answer": "accept"})

    again = http.post(offered, {"answer": "accept"})

    assert messages_of(again)[-1] == "You have already accepted this offer: the time is yours."
    assert Appointment.objects.filter(client=open_clinic.alice).count() == 1


def test_declining_on_the_page_keeps_the_client_waiting(open_clinic: Clinic, offered: str) -> None:
    http = login_as(open_clinic.alice.user)
    response = http.post(offered, {"answer": "decline"})
    assert "You stay on the waitlist" in messages_of(response)[0]
    assert WaitlistOffer.objects.get().status == OfferStatus.DECLINED


# --- The clinic's pages ---------------------------------------------------------------------


def test_the_front_desk_adds_a_client_from_the_client_page(open_clinic: Clinic) -> None:
    http = login_as(open_clinic.front_desk)
    chart = http.get(reverse("staff:client_detail", args=[open_clinic.bob.pk])).content.decode()
    add = reverse("waitlist:staff_add", args=[open_clinic.bob.pk])
    assert add in chart

    response = http.post(add, form_data(open_clinic, therapist=open_clinic.tess.pk))

    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(client=open_clinic.bob)
    assert (entry.therapist, entry.created_by) == (open_clinic.tess, open_clinic.front_desk)
    listing = http.get(reverse("waitlist:staff_list")).content.decode()
    assert "Bob Baker" in listing


def test_staff_are_warned_that_a_client_without_a_portal_login_gets_no_offers(
    open_clinic: Clinic,
) -> None:
    walk_in = factories.ClientFactory.create(first_name="Wanda")
    page = login_as(open_clinic.front_desk).get(reverse("waitlist:staff_add", args=[walk_in.pk]))
    assert "has no portal login yet" in page.content.decode()


def test_the_front_desk_and_owner_find_the_waitlist_in_the_navigation(open_clinic: Clinic) -> None:
    listing = reverse("waitlist:staff_list")
    for user in (open_clinic.front_desk, open_clinic.owner):
        home = login_as(user).get(reverse("staff:home")).content.decode()
        assert f'href="{listing}"' in home
    therapist_home = login_as(open_clinic.tess.user).get(reverse("staff:home")).content.decode()
    assert f'href="{listing}"' not in therapist_home


def test_therapists_do_not_manage_the_waitlist(open_clinic: Clinic) -> None:
    http = login_as(open_clinic.tess.user)
    assert http.get(reverse("waitlist:staff_list")).status_code == 403
    add = reverse("waitlist:staff_add", args=[open_clinic.alice.pk])
    assert http.post(add, form_data(open_clinic)).status_code == 403
    assert not WaitlistEntry.objects.exists()


def test_the_front_desk_takes_someone_off_the_waitlist(open_clinic: Clinic) -> None:
    entry = wait(open_clinic, open_clinic.alice)
    response = login_as(open_clinic.front_desk).post(
        reverse("waitlist:staff_remove", args=[entry.pk])
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CANCELLED


def test_the_staff_list_takes_the_same_queries_however_long_it_is(
    open_clinic: Clinic, django_assert_num_queries: Any
) -> None:
    http = login_as(open_clinic.owner)
    wait(open_clinic, open_clinic.alice)
    with django_assert_num_queries(8 + CLOCK_QUERY):
        assert len(http.get(reverse("waitlist:staff_list")).context["entries"]) == 1
    for index in range(5):
        client = factories.ClientFactory.create(
            user=factories.UserFactory.create(email=f"waiting{index}@example.com", role="client")
        )
        wait(open_clinic, client)
    with django_assert_num_queries(8 + CLOCK_QUERY):
        response = http.get(reverse("waitlist:staff_list"), {"location": open_clinic.location.pk})
    assert len(response.context["entries"]) == 6


def test_the_booking_page_offers_the_waitlist_with_the_choices_carried_over(
    open_clinic: Clinic,
) -> None:
    http = login_as(open_clinic.alice.user)
    page = http.get(
        reverse("booking:start"),
        {"service": open_clinic.service.pk, "location": open_clinic.location.pk},
    ).content.decode()
    join = reverse("waitlist:portal_join")
    assert f"{join}?service={open_clinic.service.pk}&amp;location={open_clinic.location.pk}" in page

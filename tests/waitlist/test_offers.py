"""A freed slot goes to the first matching client on the waitlist (SPEC §4, issue 4 item 7)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from backcare.audit.models import AuditEvent
from backcare.booking.actions import book_appointment, cancel_appointment, reschedule_appointment
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.clinic.models import Client
from backcare.waitlist import actions
from backcare.waitlist.actions import FreedSlot, OfferClosed, SlotGone
from backcare.waitlist.matching import TimeOfDay
from backcare.waitlist.models import EntryStatus, OfferStatus, WaitlistEntry, WaitlistOffer
from tests import factories
from tests.conftest import Clinic
from tests.waitlist.conftest import NOW, TUESDAY_10, local, offer_emails, user_of, wait

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(minutes=30)


def cancel(appointment: Appointment, clinic: Clinic, capture: Any) -> None:
    with capture(execute=True):
        cancel_appointment(clinic.front_desk, appointment, "Feeling better", now=NOW)


def the_offer(client: Client) -> WaitlistOffer:
    return WaitlistOffer.objects.get(entry__client=client)


def test_a_cancellation_emails_the_first_matching_client_and_not_a_later_one(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    alice_entry = wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2))
    wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))

    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)

    (message,) = offer_emails("alice@example.com")
    assert offer_emails("bob@example.com") == []
    assert message.subject == "An earlier time for you: Tuesday, May 26 at 10:00 AM (EDT)"
    assert "with Tess Therapist" in message.body
    assert "before Monday, May 25 at 10:00 AM (EDT)" in message.body  # two hours to answer
    assert "/waitlist/offers/" in message.body
    offer = the_offer(open_clinic.alice)
    assert (offer.therapist, offer.starts, offer.status) == (
        open_clinic.tess,
        TUESDAY_10,
        OfferStatus.PENDING,
    )
    assert offer.expires_at == NOW + dt.timedelta(minutes=120)
    alice_entry.refresh_from_db()
    assert alice_entry.status == EntryStatus.OFFERED
    assert AuditEvent.objects.filter(action="waitlist.offered", client=open_clinic.alice).exists()


def test_the_token_is_stored_only_as_its_hash(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice)
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)
    (message,) = offer_emails("alice@example.com")
    token = message.body.split("/waitlist/offers/")[1].split("/")[0]

    offer = the_offer(open_clinic.alice)
    assert token not in offer.token_hash
    assert actions.find_offer(token) == offer
    assert actions.find_offer(offer.token_hash) is None


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("another therapist", {"therapist": "theo"}),
        ("afternoons only", {"times_of_day": frozenset({TimeOfDay.AFTERNOON})}),
        ("later dates", {"earliest": dt.date(2026, 5, 27)}),
    ],
)
def test_a_slot_that_does_not_suit_the_first_client_goes_to_the_next(
    open_clinic: Clinic,
    danas_appointment: Appointment,
    django_capture_on_commit_callbacks: Any,
    case: str,
    changes: dict[str, Any],
) -> None:
    theo = open_clinic.theo
    theo.locations.add(open_clinic.location)
    if changes.get("therapist") == "theo":
        changes["therapist"] = theo
    wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2), **changes)
    wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))

    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)

    assert offer_emails("alice@example.com") == []
    assert len(offer_emails("bob@example.com")) == 1


def test_a_client_on_hold_or_already_booked_then_is_passed_over(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    carol = factories.ClientFactory.create(
        first_name="Carol",
        email="carol@example.com",
        user=factories.UserFactory.create(email="carol@example.com", role="client"),
    )
    wait(open_clinic, carol, asked=NOW - dt.timedelta(days=3))
    wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2))
    wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))
    # Carol now turns out to be 17: screening holds her bookings.
    Client.objects.filter(pk=carol.pk).update(date_of_birth=dt.date(2009, 1, 1))
    # Alice has her own appointment with Theo's colleague at the same hour elsewhere.
    factories.AppointmentFactory.create(client=open_clinic.alice, starts=TUESDAY_10)

    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)

    assert offer_emails("carol@example.com") == []
    assert offer_emails("alice@example.com") == []
    assert len(offer_emails("bob@example.com")) == 1


def test_a_client_without_a_portal_login_gets_no_offer(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    walk_in = factories.ClientFactory.create(email="walkin@example.com")
    wait(open_clinic, walk_in, asked=NOW - dt.timedelta(days=2))
    # Staff put walk-ins on the list; an offer is answered by signing in, so Alice gets it.
    WaitlistEntry.objects.filter(client=walk_in).update(created_by=open_clinic.front_desk)
    wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=1))

    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)

    assert offer_emails("walkin@example.com") == []
    assert len(offer_emails("alice@example.com")) == 1


def test_no_offer_goes_out_for_a_slot_too_close_to_book_online(
    open_clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice)
    soon = local(25, 10)  # in two hours: accepting it at once would already break the notice
    with django_capture_on_commit_callbacks(execute=True):
        offer = actions.offer_freed_slot(
            FreedSlot(open_clinic.tess, open_clinic.location, soon, soon + dt.timedelta(hours=1)),
            now=NOW,
        )
    assert offer is None
    assert mail.outbox == []


def test_moving_an_appointment_offers_its_old_time(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice)
    with django_capture_on_commit_callbacks(execute=True):
        reschedule_appointment(open_clinic.front_desk, danas_appointment, local(27, 14), now=NOW)

    assert the_offer(open_clinic.alice).starts == TUESDAY_10


def test_accepting_books_the_slot_through_the_booking_rules(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    entry = wait(open_clinic, open_clinic.alice)
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)
    offer = the_offer(open_clinic.alice)

    with django_capture_on_commit_callbacks(execute=True):
        appointment = actions.accept_offer(user_of(open_clinic.alice), offer, now=LATER)

    assert (appointment.client, appointment.therapist, appointment.starts) == (
        open_clinic.alice,
        open_clinic.tess,
        TUESDAY_10,
    )
    assert appointment.booked_by == open_clinic.alice.user
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert (offer.status, offer.appointment) == (OfferStatus.ACCEPTED, appointment)
    assert (entry.status, entry.appointment) == (EntryStatus.BOOKED, appointment)
    confirmations = [m for m in mail.outbox if m.subject.startswith("Your appointment on")]
    assert [m.to for m in confirmations] == [["alice@example.com"]]
    assert AuditEvent.objects.filter(
        action="waitlist.offer_accepted", actor=open_clinic.alice.user
    ).exists()


def test_a_second_accept_of_the_same_offer_is_refused(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice)
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)
    offer = the_offer(open_clinic.alice)
    actions.accept_offer(user_of(open_clinic.alice), offer, now=LATER)

    with pytest.raises(OfferClosed, match="already accepted"):
        actions.accept_offer(user_of(open_clinic.alice), offer, now=LATER)

    assert Appointment.objects.filter(starts=TUESDAY_10, status="booked").count() == 1


def test_only_the_client_offered_can_accept(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice)
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)

    with pytest.raises(actions.WaitlistError, match="someone else"):
        actions.accept_offer(user_of(open_clinic.bob), the_offer(open_clinic.alice), now=LATER)


def test_a_slot_taken_meanwhile_is_explained_and_the_client_stays_on_the_list(
    open_clinic: Clinic,
    danas_appointment: Appointment,
    dana: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    entry = wait(open_clinic, open_clinic.alice)
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)
    # The front desk gives the time back to Dana by phone before Alice answers.
    book_appointment(
        open_clinic.front_desk,
        dana,
        open_clinic.service,
        open_clinic.tess,
        open_clinic.location,
        TUESDAY_10,
        now=NOW,
    )

    with pytest.raises(SlotGone, match="someone else booked that time"):
        actions.accept_offer(user_of(open_clinic.alice), the_offer(open_clinic.alice), now=LATER)

    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE
    assert the_offer(open_clinic.alice).status == OfferStatus.TAKEN
    assert not Appointment.objects.filter(client=open_clinic.alice).exists()


def test_an_expired_offer_passes_to_the_next_matching_client(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    alice_entry = wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2))
    wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)
    lapsed = NOW + dt.timedelta(minutes=121)

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.expire_due(lapsed) == (1, 0)

    assert the_offer(open_clinic.alice).status == OfferStatus.EXPIRED
    alice_entry.refresh_from_db()
    assert alice_entry.status == EntryStatus.ACTIVE  # still waiting, just not for this slot
    assert len(offer_emails("bob@example.com")) == 1
    bobs = the_offer(open_clinic.bob)
    assert (bobs.starts, bobs.status) == (TUESDAY_10, OfferStatus.PENDING)
    assert bobs.expires_at == lapsed + dt.timedelta(minutes=120)
    assert len(offer_emails("alice@example.com")) == 1  # not offered the same slot again


def test_accepting_a_lapsed_offer_is_refused_and_passes_it_on(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2))
    wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(OfferClosed, match="lapsed"),
    ):
        actions.accept_offer(
            user_of(open_clinic.alice),
            the_offer(open_clinic.alice),
            now=NOW + dt.timedelta(hours=3),
        )

    assert the_offer(open_clinic.alice).status == OfferStatus.EXPIRED
    assert len(offer_emails("bob@example.com")) == 1


def test_declining_passes_the_slot_on_and_keeps_the_client_waiting(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    alice_entry = wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2))
    wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        actions.decline_offer(user_of(open_clinic.alice), the_offer(open_clinic.alice), now=LATER)

    alice_entry.refresh_from_db()
    assert alice_entry.status == EntryStatus.ACTIVE
    assert len(offer_emails("bob@example.com")) == 1


def test_leaving_the_waitlist_withdraws_an_open_offer_and_passes_it_on(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    alice_entry = wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2))
    wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        actions.leave_waitlist(open_clinic.alice.user, alice_entry, now=LATER)

    alice_entry.refresh_from_db()
    assert alice_entry.status == EntryStatus.CANCELLED
    assert the_offer(open_clinic.alice).status == OfferStatus.DECLINED
    assert len(offer_emails("bob@example.com")) == 1


def test_expiry_is_idempotent_and_the_command_reports_what_it_did(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice)
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)
    offer = the_offer(open_clinic.alice)
    lapsed = NOW + dt.timedelta(hours=2, minutes=1)

    assert actions.expire_offer(offer.pk, NOW) is False  # not due yet
    assert actions.expire_offer(offer.pk, lapsed) is True
    assert actions.expire_offer(offer.pk, lapsed) is False
    assert AuditEvent.objects.filter(action="waitlist.offer_expired").count() == 1
    out = StringIO()
    call_command("expire_waitlist_offers", stdout=out)
    assert "0 offers expired" in out.getvalue()


def test_entries_whose_dates_have_passed_are_closed(open_clinic: Clinic) -> None:
    entry = wait(open_clinic, open_clinic.alice, latest=dt.date(2026, 5, 27))

    assert actions.expire_due(local(27, 23)) == (0, 0)  # still the 27th in Atlanta
    assert actions.expire_due(local(28, 0, 30)) == (0, 1)

    entry.refresh_from_db()
    assert entry.status == EntryStatus.EXPIRED


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_expiry_is_queued_to_run_when_the_offer_lapses(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice)
    with django_capture_on_commit_callbacks(execute=True):
        actions.offer_freed_slot(
            FreedSlot(open_clinic.tess, open_clinic.location, TUESDAY_10, local(26, 11)),
            now=NOW,
        )
    # Dana's appointment is still booked, so nothing is offered; free it and try again.
    assert not WaitlistOffer.objects.exists()
    Appointment.objects.filter(pk=danas_appointment.pk).update(status=AppointmentStatus.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        offer = actions.offer_freed_slot(
            FreedSlot(open_clinic.tess, open_clinic.location, TUESDAY_10, local(26, 11)),
            now=NOW,
        )

    assert offer is not None
    queued = DBTaskResult.objects.get(task_path__endswith="expire_offer_task")
    assert queued.run_after == offer.expires_at
    assert queued.args_kwargs["kwargs"] == {"offer_id": offer.pk}


def test_a_slot_is_offered_once_however_often_it_is_announced(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2))
    wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)
    slot = FreedSlot(open_clinic.tess, open_clinic.location, TUESDAY_10, local(26, 11))

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.offer_freed_slot(slot, now=NOW) is None

    assert WaitlistOffer.objects.count() == 1
    assert offer_emails("bob@example.com") == []


def test_the_database_refuses_a_second_open_offer_of_one_slot(
    open_clinic: Clinic, danas_appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    wait(open_clinic, open_clinic.alice, asked=NOW - dt.timedelta(days=2))
    bobs_entry = wait(open_clinic, open_clinic.bob, asked=NOW - dt.timedelta(days=1))
    cancel(danas_appointment, open_clinic, django_capture_on_commit_callbacks)
    alices = the_offer(open_clinic.alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.create(
            entry=bobs_entry,
            therapist=alices.therapist,
            starts=alices.starts,
            ends=alices.ends,
            token_hash="0" * 64,
            expires_at=alices.expires_at,
        )

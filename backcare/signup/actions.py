"""Named writes for new clients from the clinic's website (SPEC §10): hold a time for a
visitor, sign them up, book the held time once they are screened, or let it go.

Holding takes the same locks as booking (the therapist's, then the location's rooms') and then
re-checks the time with the availability search, which counts unexpired held times as busy: two
visitors who want one time queue, and the second is told it is taken. The booking at the end
is the booking action itself, so the clinical hold (SPEC §2a) applies as at any other door.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode

from backcare.accounts.invites import welcome_link
from backcare.accounts.models import User
from backcare.booking.actions import book_appointment, lock_calendar, settles_contention
from backcare.booking.availability import load_search
from backcare.booking.models import Appointment
from backcare.clinic.actions import create_client_login, register_client
from backcare.clinic.models import Client, Location, Service, Therapist
from backcare.holds.actions import door
from backcare.lib.errors import FieldError
from backcare.notices.outbox import send_notice
from backcare.scheduling.clock import spoken
from backcare.signup.models import HOLD_FOR, HeldTime

# Held times that lapsed this long ago are deleted by the next hold: they block nothing
# already, and a visitor who comes back later than this starts again from the page.
KEEP_LAPSED = dt.timedelta(days=1)


class TimeNotFree(FieldError):
    """The time is no longer free: booked, or held for someone else a moment ago."""

    def __init__(self) -> None:
        super().__init__(
            "starts", "Someone else has just chosen that time. Please choose another one."
        )


@transaction.atomic
def hold_time(
    *,
    service: Service,
    location: Location,
    therapist: Therapist,
    starts: dt.datetime,
    now: dt.datetime,
) -> HeldTime:
    """Hold `starts` with `therapist` for :data:`HOLD_FOR`, or refuse with
    :class:`TimeNotFree`. The held time lapses by itself."""
    lock_calendar(therapist, location, rooms=service.needs_room)
    HeldTime.objects.filter(expires_at__lt=now - KEEP_LAPSED).delete()
    day = starts.astimezone(location.zone).date()
    search = load_search(
        service, start_day=day, end_day=day, location=location, therapist=therapist, now=now
    )
    slot = next(
        (
            free
            for free in search.locations[0].find(now)
            if free.start == starts and free.therapist_id == therapist.pk
        ),
        None,
    )
    if slot is None:
        raise TimeNotFree()
    ends = starts + dt.timedelta(minutes=service.duration_minutes)
    return HeldTime.objects.create(
        service=service,
        location=location,
        therapist=therapist,
        room_id=slot.room_ids[0] if slot.room_ids else None,
        starts=starts,
        ends=ends,
        blocked_until=ends + dt.timedelta(minutes=service.buffer_after_minutes),
        expires_at=now + HOLD_FOR,
        created_at=now,
    )


@dataclass(frozen=True)
class Person:
    """What a visitor tells us to sign up."""

    first_name: str
    last_name: str
    date_of_birth: dt.date
    email: str
    phone: str


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def sign_up(held: HeldTime, person: Person, *, finish_path: str) -> Client | None:
    """Register the visitor as a client with a portal login that has no password yet, tie the
    held time to them, and email a link that confirms the address: following it, they choose a
    password, are signed in and go on to `finish_path`.

    An address that already has a login gets an email asking them to sign in instead, and the
    visitor sees the same page either way (nobody learns who has an account); returns None."""
    email = person.email.strip().lower()
    minutes = int(HOLD_FOR.total_seconds() // 60)
    when = spoken(held.starts, held.location.time_zone)
    if User.objects.filter(email__iexact=email).exists():
        send_notice(
            key=None,
            to=[email],
            subject="You already have an account with us",
            template="signup/email/already_registered",
            context={
                "first_name": person.first_name,
                "when": when,
                "link": _link(f"{reverse('login')}?{urlencode({'next': finish_path})}"),
                "clinic": settings.CLINIC_NAME,
            },
            kind="signup_existing",
        )
        return None
    client = register_client(
        None,
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth,
            "email": email,
            "phone": person.phone,
            "home_location": held.location,
        },
    )
    user = create_client_login(None, client, password=None)
    HeldTime.objects.filter(pk=held.pk).update(client=client)
    send_notice(
        key=f"signup-verify-{user.pk}",
        to=[email],
        subject="Confirm your email to finish your booking",
        template="signup/email/verify",
        context={
            "first_name": client.first_name,
            "when": when,
            "service": held.service.name,
            "location": held.location.name,
            "minutes": minutes,
            "link": welcome_link(user, settings.SITE_URL, next_path=finish_path),
            "clinic": settings.CLINIC_NAME,
        },
        kind="signup_verify",
    )
    return client


@transaction.atomic
def claim_held_time(held: HeldTime, client: Client) -> None:
    """A client who signed in (rather than signing up) takes over the time they held."""
    if held.client_id is None:
        HeldTime.objects.filter(pk=held.pk, client__isnull=True).update(client=client)
        held.client = client


@door("book")
@settles_contention
@transaction.atomic
def book_held_time(actor: User, client: Client, held: HeldTime, *, now: dt.datetime) -> Appointment:
    """Book the held time through the booking action, which re-checks it and asks the clinical
    hold. The held time is let go in the same transaction (so it no longer blocks its own
    booking); a refusal rolls that back with everything else. A door itself, outside its
    transaction, so that a refusal's audit row outlives the rollback."""
    HeldTime.objects.filter(client=client).delete()
    return book_appointment(
        actor, client, held.service, held.therapist, held.location, held.starts, now=now
    )


@transaction.atomic
def release_held_times(client: Client) -> int:
    """Let go every time held for this client: their screening holds booking. Returns how many."""
    released, _ = HeldTime.objects.filter(client=client).delete()
    return released

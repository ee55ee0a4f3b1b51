"""Named, audited actions for the waitlist (SPEC §4, issue 4 item 7).

- :func:`join_waitlist` and :func:`leave_waitlist`: a client (or the front desk for them) asks
  for an earlier time, or stops asking.
- :func:`offer_freed_slot`: when scheduling publishes ``SlotFreed`` (a cancellation, or the old
  time of a moved appointment), the first matching entry, first come first served, whose client
  has no booking hold, can be emailed, signs in to the portal and could be booked then, gets an
  offer: a secret link valid for ``WAITLIST_OFFER_MINUTES``.
- :func:`accept_offer`: books the slot through
  :func:`~backcare.scheduling.actions.book_appointment`, so every booking rule and the database's
  promise against double-booking hold. The slot is not held while an offer is open: if someone
  booked it meanwhile, the client is told so and stays on the waitlist.
- :func:`decline_offer` and :func:`expire_offer`: the slot passes to the next matching entry.
  Expiry is a task queued to run at the offer's ``expires_at``; ``backcare
  expire_waitlist_offers`` is the safety net. Both are idempotent.

Every entry point takes ``now`` so that tests and the demo control the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from backcare.accounts.models import User
from backcare.audit.log import diff, record, snapshot
from backcare.booking.actions import ClientAlreadyBooked, SlotUnavailable, book_appointment
from backcare.booking.availability import load_search
from backcare.booking.models import Appointment
from backcare.clinic.models import Client, Location, Room, Service, Therapist
from backcare.emails.appointments import emailable
from backcare.holds.actions import ClientHeld, door, refuse_if_held
from backcare.holds.queries import booking_hold
from backcare.lib.errors import FieldError
from backcare.notices.outbox import send_notice
from backcare.policy import staff_or_system
from backcare.scheduling.clock import spoken
from backcare.scheduling.models import BookingPolicy
from backcare.waitlist import matching
from backcare.waitlist.matching import TimeOfDay
from backcare.waitlist.models import (
    OPEN_ENTRY_STATUSES,
    EntryStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
)

logger = logging.getLogger(__name__)

_ENTRY_FIELDS = (
    "client",
    "service",
    "location",
    "therapist",
    "earliest",
    "latest",
    "mornings",
    "afternoons",
    "evenings",
    "status",
)


class WaitlistError(FieldError):
    """A waitlist request refused; ``field`` names what to change."""


class WaitlistHeld(WaitlistError, ClientHeld):
    """A clinical hold: the waitlist neither takes nor offers to a held client (SPEC §2a)."""


class OfferClosed(WaitlistError):
    """The offer can no longer be accepted or declined: answered already, or lapsed."""


class SlotGone(WaitlistError):
    """Someone booked the offered time first. The client stays on the waitlist."""

    MESSAGE = (
        "Sorry — someone else booked that time a moment before you. You are still on the "
        "waitlist, and we will email you the next time that suits you."
    )

    def __init__(self) -> None:
        super().__init__("offer", self.MESSAGE)


def _now(now: dt.datetime | None) -> dt.datetime:
    moment = now if now is not None else timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("now must be an aware datetime")
    return moment


def _check_own(actor: User | None, client: Client) -> None:
    if not staff_or_system(actor) and (actor is None or client.user_id != actor.pk):
        raise WaitlistError("client", "You can only change your own place on the waitlist.")


# --- Joining and leaving --------------------------------------------------------------------


@door("book")
@transaction.atomic
def join_waitlist(
    actor: User | None,
    client: Client,
    *,
    service: Service,
    location: Location,
    therapist: Therapist | None,
    earliest: dt.date,
    latest: dt.date,
    times_of_day: frozenset[TimeOfDay] | set[TimeOfDay],
    now: dt.datetime | None = None,
) -> WaitlistEntry:
    """Put `client` on the waitlist for `service` at `location`, with `therapist` or anyone.

    Refuses (:class:`WaitlistError`, naming the field) a screening hold, an empty or past window,
    a window beyond the booking horizon, no time of day, a therapist who does not work there, and
    a second open entry for the same service and location.
    """
    now = _now(now)
    _check_own(actor, client)
    today = now.astimezone(location.zone).date()
    refuse_if_held(actor, client, "book", now, refusal=WaitlistHeld)
    if not service.active:
        raise WaitlistError("service", f"{service.name} is no longer offered.")
    if not location.active:
        raise WaitlistError("location", f"{location.name} is closed for bookings.")
    if therapist is not None and not (
        therapist.active and therapist.locations.filter(pk=location.pk).exists()
    ):
        raise WaitlistError("therapist", f"{therapist.name} does not take bookings at {location}.")
    if latest < earliest:
        raise WaitlistError("latest", "The last day must be on or after the first day.")
    if latest < today:
        raise WaitlistError("latest", "Those dates have passed; please choose days from today.")
    horizon = today + dt.timedelta(days=BookingPolicy.current().horizon_days)
    if earliest > horizon:
        raise WaitlistError(
            "earliest", f"We book up to {horizon:%B} {horizon.day}; please choose earlier days."
        )
    if not times_of_day:
        raise WaitlistError("times_of_day", "Choose at least one time of day.")
    clash = WaitlistEntry.objects.filter(
        client=client, service=service, location=location, status__in=OPEN_ENTRY_STATUSES
    )
    if clash.exists():
        raise WaitlistError(
            "service",
            f"{client.first_name} is already on the waitlist for {service.name} at "
            f"{location.name}. Leave that place first to change the dates.",
        )
    entry = WaitlistEntry(
        client=client,
        service=service,
        location=location,
        therapist=therapist,
        earliest=max(earliest, today),
        latest=min(latest, horizon),
        mornings=TimeOfDay.MORNING in times_of_day,
        afternoons=TimeOfDay.AFTERNOON in times_of_day,
        evenings=TimeOfDay.EVENING in times_of_day,
        created_at=now,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    entry.save(force_insert=True)
    record(actor, "waitlist.joined", entry, client=client, changes=diff({}, _entry_snapshot(entry)))
    return entry


@transaction.atomic
def leave_waitlist(
    actor: User | None, entry: WaitlistEntry, now: dt.datetime | None = None
) -> WaitlistEntry:
    """Take the entry off the waitlist; an open offer to it lapses and passes to the next."""
    now = _now(now)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    _check_own(actor, entry.client)
    if not entry.is_open:
        return entry
    pending = _pending_offer(entry)
    before = _entry_snapshot(entry)
    _close_entry(entry, EntryStatus.CANCELLED, now)
    changes = diff(before, _entry_snapshot(entry))
    record(actor, "waitlist.left", entry, client=entry.client, changes=changes)
    if pending is not None:
        _answer(actor, pending, OfferStatus.DECLINED, now, action="waitlist.offer_withdrawn")
        _pass_on(pending, now)
    return entry


# --- Offering a freed slot ------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def offer_url(token: str) -> str:
    return urljoin(settings.SITE_URL, reverse("waitlist:offer", kwargs={"token": token}))


def find_offer(token: str) -> WaitlistOffer | None:
    """The offer a link's token stands for, compared by its SHA-256, or None."""
    return (
        WaitlistOffer.objects.filter(token_hash=hash_token(token))
        .select_related(
            "entry__client", "entry__service", "entry__location", "therapist__user", "appointment"
        )
        .first()
    )


@dataclass(frozen=True)
class FreedSlot:
    """The time given up, as the ``SlotFreed`` event describes it."""

    therapist: Therapist
    location: Location
    starts: dt.datetime
    ends: dt.datetime
    room: Room | None = None


def offer_freed_slot(slot: FreedSlot, *, now: dt.datetime | None = None) -> WaitlistOffer | None:
    """Offer `slot` to the first waitlisted client it suits, by email. None when nobody fits.

    Idempotent: a slot that already has an open offer gets no second one, and an entry that was
    offered this slot before is passed over.
    """
    now = _now(now)
    policy = BookingPolicy.current()
    expires_at = matching.offer_expires_at(
        now=now,
        starts=slot.starts,
        valid_for=dt.timedelta(minutes=settings.WAITLIST_OFFER_MINUTES),
        notice=policy.min_notice,
    )
    if expires_at is None:
        return None  # too close to offer online: the front desk can phone someone
    opening = matching.Opening(slot.location.pk, slot.therapist.pk, slot.starts, slot.location.zone)
    day = opening.local_start.date()
    offered_before = WaitlistOffer.objects.filter(therapist=slot.therapist, starts=slot.starts)
    if offered_before.filter(status=OfferStatus.PENDING).exists():
        return None
    entries = {
        entry.pk: entry
        for entry in WaitlistEntry.objects.filter(
            Q(therapist__isnull=True) | Q(therapist=slot.therapist),
            status=EntryStatus.ACTIVE,
            location=slot.location,
            earliest__lte=day,
            latest__gte=day,
        ).select_related("client", "service", "location")
    }
    passed_over = set(offered_before.values_list("entry_id", flat=True))
    for wish in matching.first_come_first_served(
        [_wish(entry) for entry in entries.values()], opening, passed_over=passed_over
    ):
        entry = entries[wish.entry_id]
        if not _can_take(entry, slot, now, policy):
            continue
        try:
            with transaction.atomic():
                offer = _make_offer(entry, slot, expires_at, now)
        except IntegrityError:
            # Another process offered this slot (or this entry) a moment ago.
            logger.info("Waitlist offer for %s skipped: offered concurrently.", entry.pk)
            return None
        except _NoLongerOpen:
            continue
        return offer
    return None


class _NoLongerOpen(Exception):
    """The entry changed between reading it and locking it."""


def _make_offer(
    entry: WaitlistEntry, slot: FreedSlot, expires_at: dt.datetime, now: dt.datetime
) -> WaitlistOffer:
    locked = WaitlistEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or locked.status != EntryStatus.ACTIVE:
        raise _NoLongerOpen
    token = secrets.token_urlsafe(32)
    offer = WaitlistOffer.objects.create(
        entry=entry,
        therapist=slot.therapist,
        room=slot.room,
        starts=slot.starts,
        ends=slot.starts + dt.timedelta(minutes=entry.service.duration_minutes),
        token_hash=hash_token(token),
        expires_at=expires_at,
        created_at=now,
    )
    before = _entry_snapshot(entry)
    entry.status = EntryStatus.OFFERED
    entry.save(update_fields=["status"])
    record(
        None,
        "waitlist.offered",
        offer,
        client=entry.client,
        changes={
            **diff(before, _entry_snapshot(entry)),
            "offer": {
                "after": {
                    "therapist": slot.therapist.pk,
                    "starts": slot.starts.isoformat(),
                    "expires_at": expires_at.isoformat(),
                }
            },
        },
    )
    _email_offer(offer, token)
    _schedule_expiry(offer)
    return offer


def _wish(entry: WaitlistEntry) -> matching.Wish:
    return matching.Wish(
        entry_id=entry.pk,
        asked_at=entry.created_at,
        location_id=entry.location_id,
        therapist_id=entry.therapist_id,
        earliest=entry.earliest,
        latest=entry.latest,
        times_of_day=entry.times_of_day(),
    )


def _can_take(
    entry: WaitlistEntry, slot: FreedSlot, now: dt.datetime, policy: BookingPolicy
) -> bool:
    """Could this client be emailed, accept online, and be booked into the slot right now?

    The same engine that shows free times decides, with the client's own appointments and the
    client's booking rules (notice and horizon), for the entry's own service, which may be
    longer or shorter than the appointment that was given up.
    """
    client = entry.client
    if not emailable(client) or client.user_id is None:
        return False  # the offer is a link the client opens signed in (see views.offer)
    if booking_hold(client, now.astimezone(slot.location.zone).date()) is not None:
        return False
    day = slot.starts.astimezone(slot.location.zone).date()
    search = load_search(
        entry.service,
        start_day=day,
        end_day=day,
        location=slot.location,
        therapist=slot.therapist,
        client=client,
        policy=policy,
    )
    return any(
        free.start == slot.starts and free.therapist_id == slot.therapist.pk
        for free in search.find(now)
    )


def _email_offer(offer: WaitlistOffer, token: str) -> None:
    entry = offer.entry
    location = entry.location
    send_notice(
        key=f"waitlist-offer-{offer.pk}",
        to=[entry.client.email],
        subject=f"An earlier time for you: {spoken(offer.starts, location.time_zone)}",
        template="waitlist/email/offer",
        context={
            "first_name": entry.client.first_name,
            "service": entry.service.name,
            "when": spoken(offer.starts, location.time_zone),
            "therapist": offer.therapist.name,
            "location": location.name,
            "address": location.address,
            "phone": location.phone,
            "link": offer_url(token),
            "until": spoken(offer.expires_at, location.time_zone),
            "clinic": settings.CLINIC_NAME,
        },
        kind="waitlist_offer",
    )


def _schedule_expiry(offer: WaitlistOffer) -> None:
    """Queue the offer's expiry for its ``expires_at``, once this transaction commits.

    A backend that cannot wait (the tests' immediate one) gets nothing queued:
    ``backcare expire_waitlist_offers`` (cron) expires what is due.
    """
    if not expire_offer_task.get_backend().supports_defer:
        return
    offer_id, when = offer.pk, offer.expires_at
    transaction.on_commit(
        lambda: expire_offer_task.using(run_after=when).enqueue(offer_id=offer_id), robust=True
    )


# --- Answering an offer ---------------------------------------------------------------------


def _pending_offer(entry: WaitlistEntry) -> WaitlistOffer | None:
    return entry.offers.filter(status=OfferStatus.PENDING).first()


def _lock_offer(offer: WaitlistOffer) -> WaitlistOffer:
    return (
        WaitlistOffer.objects.select_for_update()
        .select_related("entry__client", "entry__service", "entry__location", "therapist")
        .get(pk=offer.pk)
    )


def _check_answerable(actor: User, offer: WaitlistOffer) -> None:
    if offer.entry.client.user_id is None or offer.entry.client.user_id != actor.pk:
        raise WaitlistError("offer", "This offer was made to someone else.")
    if offer.status == OfferStatus.ACCEPTED:
        raise OfferClosed("offer", "You have already accepted this offer: the time is yours.")
    if offer.status != OfferStatus.PENDING:
        raise OfferClosed("offer", "This offer is closed. You are still on the waitlist.")


@door("book")
def accept_offer(actor: User, offer: WaitlistOffer, now: dt.datetime | None = None) -> Appointment:
    """Book the offered slot for the offer's client, who must be `actor`.

    Refuses a second answer (:class:`OfferClosed`). A lapsed offer is expired on the spot (and
    passes to the next) before :class:`OfferClosed` is raised; a slot someone else booked first
    closes the offer as ``taken``, keeps the client on the waitlist and raises :class:`SlotGone`.
    Other booking refusals (a screening hold, say) leave the offer open and are raised as they are.
    """
    now = _now(now)
    with transaction.atomic():
        offer = _lock_offer(offer)
        _check_answerable(actor, offer)
        entry = offer.entry
        if now >= offer.expires_at:
            _expire(offer, now)
            lapsed = True
        else:
            lapsed = False
            try:
                with transaction.atomic():
                    appointment = book_appointment(
                        actor,
                        entry.client,
                        entry.service,
                        offer.therapist,
                        entry.location,
                        offer.starts,
                        now=now,
                    )
            except ClientAlreadyBooked:
                raise  # their own clash: the offer stays open until it lapses
            except SlotUnavailable:
                _answer(actor, offer, OfferStatus.TAKEN, now, action="waitlist.offer_taken")
                _reopen(entry)
            else:
                offer.appointment = appointment
                _answer(actor, offer, OfferStatus.ACCEPTED, now, action="waitlist.offer_accepted")
                before = _entry_snapshot(entry)
                entry.appointment = appointment
                _close_entry(entry, EntryStatus.BOOKED, now, extra=["appointment"])
                record(
                    actor,
                    "waitlist.booked",
                    entry,
                    client=entry.client,
                    changes=diff(before, _entry_snapshot(entry)),
                )
                return appointment
    if lapsed:
        raise OfferClosed("offer", "Sorry — this offer has lapsed. You are still on the waitlist.")
    raise SlotGone


@transaction.atomic
def decline_offer(
    actor: User, offer: WaitlistOffer, now: dt.datetime | None = None
) -> WaitlistOffer:
    """The client does not want this time; they stay on the waitlist and the slot moves on."""
    now = _now(now)
    offer = _lock_offer(offer)
    _check_answerable(actor, offer)
    _answer(actor, offer, OfferStatus.DECLINED, now, action="waitlist.offer_declined")
    _reopen(offer.entry)
    _pass_on(offer, now)
    return offer


def expire_offer(offer_id: int, now: dt.datetime | None = None) -> bool:
    """Expire the offer if it is still open and its time is up; the slot passes on.

    Idempotent: an offer already answered or expired, or not yet due, is left alone. True when
    this call expired it.
    """
    now = _now(now)
    with transaction.atomic():
        offer = (
            WaitlistOffer.objects.select_for_update()
            .select_related("entry__location", "entry__client", "therapist")
            .filter(pk=offer_id)
            .first()
        )
        if offer is None or offer.status != OfferStatus.PENDING or now < offer.expires_at:
            return False
        _expire(offer, now)
    return True


def expire_due(now: dt.datetime | None = None) -> tuple[int, int]:
    """The safety net: expire every offer whose time is up, and close entries whose dates have
    passed. Returns (offers expired, entries closed). Safe to run at any time, as often as you
    like, beside the queued expiry tasks."""
    now = _now(now)
    due = WaitlistOffer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now)
    expired = sum(expire_offer(offer_id, now) for offer_id in due.values_list("pk", flat=True))
    closed = 0
    # Local dates run at most a day ahead of UTC's: a cheap filter before the exact test.
    ended = WaitlistEntry.objects.filter(
        status=EntryStatus.ACTIVE, latest__lt=now.astimezone(dt.UTC).date() + dt.timedelta(days=1)
    )
    for entry in ended.select_related("location"):
        if entry.latest < now.astimezone(entry.location.zone).date():
            with transaction.atomic():
                locked = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
                if locked.status != EntryStatus.ACTIVE:
                    continue
                before = _entry_snapshot(locked)
                _close_entry(locked, EntryStatus.EXPIRED, now)
                record(
                    None,
                    "waitlist.expired",
                    locked,
                    client=locked.client,
                    changes=diff(before, _entry_snapshot(locked)),
                )
                closed += 1
    return expired, closed


@task()
def expire_offer_task(*, offer_id: int) -> bool:
    """The queued half of expiry: runs at the offer's ``expires_at``."""
    return expire_offer(offer_id)


# --- Helpers --------------------------------------------------------------------------------


def _entry_snapshot(entry: WaitlistEntry) -> dict[str, object]:
    return snapshot(entry, _ENTRY_FIELDS)


def _close_entry(
    entry: WaitlistEntry, status: EntryStatus, now: dt.datetime, extra: list[str] | None = None
) -> None:
    entry.status = status
    entry.closed_at = now
    entry.save(update_fields=["status", "closed_at", *(extra or [])])


def _reopen(entry: WaitlistEntry) -> None:
    """Back to waiting, unless the client left the waitlist meanwhile."""
    if entry.status == EntryStatus.OFFERED:
        entry.status = EntryStatus.ACTIVE
        entry.save(update_fields=["status"])


def _answer(
    actor: User | None, offer: WaitlistOffer, status: OfferStatus, now: dt.datetime, *, action: str
) -> None:
    before = snapshot(offer, ["status", "appointment"])
    offer.status = status
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at", "appointment"])
    record(
        actor,
        action,
        offer,
        client=offer.entry.client,
        changes=diff(before, snapshot(offer, ["status", "appointment"])),
    )


def _expire(offer: WaitlistOffer, now: dt.datetime) -> None:
    _answer(None, offer, OfferStatus.EXPIRED, now, action="waitlist.offer_expired")
    _reopen(offer.entry)
    _pass_on(offer, now)


def _pass_on(offer: WaitlistOffer, now: dt.datetime) -> None:
    """Offer the same slot to the next matching entry once this transaction commits."""
    slot = FreedSlot(
        therapist=offer.therapist,
        location=offer.entry.location,
        starts=offer.starts,
        ends=offer.ends,
        room=offer.room,
    )
    transaction.on_commit(lambda: offer_freed_slot(slot, now=now), robust=True)

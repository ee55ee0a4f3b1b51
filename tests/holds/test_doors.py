"""Every door that books, moves, checks in, treats or changes a program asks the clinical hold
(SPEC §2a). Each door below refuses a held client with the reason, writes nothing, and leaves
an audit row. A new door (an action marked ``@door``, or a URL whose view reaches one, read from
the code by ``tests/holds/reach.py`` whatever the URL's name) without its row here fails the
suite, as a new URL without its row in the access matrix does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.booking import actions as booking
from backcare.booking.models import Appointment
from backcare.care import actions as care
from backcare.care.models import Program, StatusChange
from backcare.holds.actions import DOOR_ACTIONS, ClientHeld
from backcare.imports.models import ImportRun
from backcare.notes import actions as notes
from backcare.notes.models import CheckIn, SessionNote
from backcare.policy import Action
from backcare.signup import actions as signup
from backcare.signup.models import HeldTime
from backcare.waitlist import actions as waitlist
from backcare.waitlist.matching import TimeOfDay
from backcare.waitlist.models import WaitlistEntry, WaitlistOffer
from tests.conftest import login_as
from tests.holds.conftest import NOW, Held, local
from tests.holds.reach import doors_reached
from tests.notes.conftest import check_in_answers
from tests.test_access_matrix import url_patterns

# --- The doors, as named actions --------------------------------------------------------------


def _book(held: Held) -> Callable[[], Any]:
    c = held.clinic
    return lambda: booking.book_appointment(
        c.alice.user, c.alice, c.service, c.tess, c.location, local(3, 10), now=NOW
    )


def _reschedule(held: Held) -> Callable[[], Any]:
    return lambda: booking.reschedule_appointment(
        held.clinic.front_desk, held.session, local(3, 11), now=NOW
    )


def _series(held: Held) -> Callable[[], Any]:
    c = held.clinic
    return lambda: booking.book_series(
        c.front_desk, c.alice, c.service, c.tess, c.location, local(3, 10), 4, now=NOW
    )


def _program_series(held: Held) -> Callable[[], Any]:
    return lambda: care.book_program_series(
        held.clinic.tess.user, held.program, held.clinic.location, local(3, 10), now=NOW
    )


def _scheduling_check_in(held: Held) -> Callable[[], Any]:
    return lambda: booking.check_in(held.clinic.front_desk, held.session, now=local(2, 9, 50))


def _record_check_in(held: Held) -> Callable[[], Any]:
    return lambda: notes.record_check_in(
        held.clinic.alice.user,
        held.session,
        check_in_answers(),
        source=CheckIn.Source.PORTAL,
        now=local(2, 9, 50),
    )


def _start_note(held: Held) -> Callable[[], Any]:
    return lambda: notes.start_note(held.clinic.tess.user, held.session, now=local(2, 11))


def _sign_note(held: Held) -> Callable[[], Any]:
    # A draft written before the hold; the session never took place (no check-in).
    note = SessionNote.objects.create(
        appointment=held.session,
        client=held.clinic.alice,
        therapist=held.clinic.tess,
        program=held.program,
        created_at=NOW,
        saved_at=NOW,
        pre_nrs=5,
        post_nrs=4,
        tissue_response="relaxed",
        techniques=[{"code": "swedish", "minutes": 40, "pressure": 2}],
    )
    return lambda: notes.sign_note(
        held.clinic.tess.user,
        note,
        not_checked_in_because="The tablet was down.",
        now=local(2, 11),
    )


def _activate(held: Held) -> Callable[[], Any]:
    return lambda: care.change_program_status(
        held.clinic.tess.user, held.program, "active", "Ready to start.", now=NOW
    )


def _create_program(held: Held) -> Callable[[], Any]:
    c = held.clinic
    return lambda: care.create_program(
        c.tess.user,
        c.alice,
        template="chronic_low_back_pain",
        service=c.service,
        techniques=["swedish"],
        goals=[care.GoalInput("Walk the dog", 7), care.GoalInput("Sit through a film", 7)],
        therapist=c.tess,
        now=NOW,
    )


def _join_waitlist(held: Held) -> Callable[[], Any]:
    c = held.clinic
    return lambda: waitlist.join_waitlist(
        c.alice.user,
        c.alice,
        service=c.service,
        location=c.location,
        therapist=None,
        earliest=local(3, 0).date(),
        latest=local(12, 0).date(),
        times_of_day={TimeOfDay.MORNING},
        now=NOW,
    )


def _accept_offer(held: Held) -> Callable[[], Any]:
    c = held.clinic
    entry = WaitlistEntry.objects.create(
        client=c.alice,
        service=c.service,
        location=c.location,
        earliest=local(3, 0).date(),
        latest=local(12, 0).date(),
    )
    offer = WaitlistOffer.objects.create(
        entry=entry,
        therapist=c.tess,
        starts=local(3, 10),
        ends=local(3, 11),
        token_hash="1" * 64,
        expires_at=NOW + dt.timedelta(hours=2),
    )
    alice = c.alice.user
    assert alice is not None
    return lambda: waitlist.accept_offer(alice, offer, now=NOW)


def _held_time(held: Held) -> HeldTime:
    """A time Alice held on the clinic's booking page before the hold."""
    c = held.clinic
    return HeldTime.objects.create(
        service=c.service,
        location=c.location,
        therapist=c.tess,
        starts=local(3, 10),
        ends=local(3, 11),
        blocked_until=local(3, 11),
        expires_at=NOW + dt.timedelta(minutes=15),
        client=c.alice,
        created_at=NOW,
    )


def _book_held_time(held: Held) -> Callable[[], Any]:
    c = held.clinic
    time = _held_time(held)
    alice = c.alice.user
    assert alice is not None
    return lambda: signup.book_held_time(alice, c.alice, time, now=NOW)


# Each row: the door it asks, and a set-up that returns the attempt.
DOORS: dict[str, tuple[str, Callable[[Held], Callable[[], Any]]]] = {
    "backcare.booking.actions.booking.book_appointment": ("book", _book),
    "backcare.booking.actions.moving.reschedule_appointment": ("book", _reschedule),
    "backcare.booking.actions.booking.book_series": ("book", _series),
    "backcare.care.actions.book_program_series": ("book", _program_series),
    "backcare.waitlist.actions.join_waitlist": ("book", _join_waitlist),
    "backcare.waitlist.actions.accept_offer": ("book", _accept_offer),
    "backcare.booking.actions.attendance.check_in": ("check_in", _scheduling_check_in),
    "backcare.notes.actions.record_check_in": ("check_in", _record_check_in),
    "backcare.notes.actions.start_note": ("treat", _start_note),
    "backcare.notes.actions.sign_note": ("treat", _sign_note),
    "backcare.care.actions.change_program_status": ("program", _activate),
    "backcare.care.actions.create_program": ("program", _create_program),
    "backcare.signup.actions.book_held_time": ("book", _book_held_time),
}


def test_every_door_action_has_a_row() -> None:
    assert set(DOOR_ACTIONS) == set(DOORS), "a new door needs its row in DOORS"


def _written(held: Held) -> dict[str, Any]:
    """What a door could write: rows and the states they change."""
    return {
        "appointments": list(Appointment.objects.order_by("pk").values_list("pk", "status")),
        "check_ins": CheckIn.objects.count(),
        "signed": SessionNote.objects.filter(signed_at__isnull=False).count(),
        "programs": list(Program.objects.order_by("pk").values_list("pk", "status")),
        "status_changes": StatusChange.objects.count(),
        "waitlist": WaitlistEntry.objects.count(),
        "offers": list(WaitlistOffer.objects.values_list("status", flat=True)),
    }


@pytest.mark.parametrize("name", sorted(DOORS))
def test_each_door_refuses_a_held_client_writes_nothing_and_is_audited(
    held: Held, name: str
) -> None:
    door, set_up = DOORS[name]
    if name == "backcare.care.actions.create_program":
        # Only one program runs at a time: the draft has ended, a new one would start.
        Program.objects.filter(pk=held.program.pk).update(status="discharged")
    attempt = set_up(held)
    before = _written(held)
    with pytest.raises(ClientHeld) as refused:
        attempt()
    assert refused.value.door == door
    assert "doctor" in refused.value.message  # the reason, in words
    assert _written(held) == before
    audit = AuditEvent.objects.filter(action="hold.refused", client=held.clinic.alice)
    assert audit.count() == 1
    assert audit.get().changes["door"]["after"] == door
    assert audit.get().changes["causes"]["after"] == ["possible_injury"]


# --- The doors, as URLs -----------------------------------------------------------------------

# Every URL whose view may book, move, check in, treat or change a program, with the door
# action it reaches. URLs of these access actions that are not doors say why.
URL_DOORS: dict[str, str] = {
    "booking:start": "backcare.booking.actions.booking.book_appointment",
    "booking:confirm": "backcare.booking.actions.booking.book_appointment",
    "booking:reschedule": "backcare.booking.actions.moving.reschedule_appointment",
    "booking:reschedule_confirm": "backcare.booking.actions.moving.reschedule_appointment",
    "scheduling:appointment_create": "backcare.booking.actions.booking.book_appointment",
    "scheduling:appointment_move": "backcare.booking.actions.moving.reschedule_appointment",
    "scheduling:client_series": "backcare.booking.actions.booking.book_series",
    "scheduling:appointment_check_in": "backcare.booking.actions.attendance.check_in",
    "notes:desk_check_in": "backcare.notes.actions.record_check_in",
    "notes:portal_check_in": "backcare.notes.actions.record_check_in",
    "notes:note_save": "backcare.notes.actions.sign_note",
    "care:start": "backcare.care.actions.create_program",
    "care:status": "backcare.care.actions.change_program_status",
    "care:book": "backcare.care.actions.book_program_series",
    "waitlist:portal_join": "backcare.waitlist.actions.join_waitlist",
    "waitlist:staff_add": "backcare.waitlist.actions.join_waitlist",
    "waitlist:offer": "backcare.waitlist.actions.accept_offer",
    "public:finish": "backcare.signup.actions.book_held_time",
    "api:book_appointment": "backcare.booking.actions.booking.book_appointment",
    "api:move_appointment": "backcare.booking.actions.moving.reschedule_appointment",
    "staff:import_start": "backcare.booking.actions.booking.book_appointment",
    "staff:import_confirm": "backcare.booking.actions.booking.book_appointment",
}
NOT_DOORS: dict[str, str] = {
    "booking:appointments": "a list",
    "booking:appointment": "one appointment, read",
    "booking:calendar": "a calendar file of what is booked",
    "booking:cancel": "cancelling is always allowed",
    "scheduling:appointment_cancel": "cancelling is always allowed",
    "scheduling:appointment_no_show": "records that the session did not happen",
    "scheduling:appointment_complete": "only after a check-in, itself a door",
    "waitlist:portal_leave": "leaving the waitlist",
    "waitlist:portal_list": "a list",
    "waitlist:staff_list": "a list",
    "waitlist:staff_remove": "taking an entry off",
    "public:page": "a list of free times",
    "public:embed": "a list of free times",
    "public:hold": "holds a time for 15 minutes; nothing is booked until public:finish",
    "public:signup": "creates the account; books nothing",
    "public:sent": "a page that says to check the email",
    "api:cancel_appointment": "cancelling is always allowed",
    "api:list_appointments": "a list (a POST to the same address is api:book_appointment)",
}
DOOR_ACCESS = {
    Action.SCHEDULE_BOOK,
    Action.APPOINTMENT_ATTEND,
    Action.CHECK_IN_DESK,
    Action.CHECK_IN_OWN,
    Action.NOTE_WRITE,
    Action.PROGRAM_MANAGE,
    Action.WAITLIST_OWN,
    Action.WAITLIST_ADD,
}


def test_every_url_that_may_book_treat_or_change_a_program_is_classified() -> None:
    for name, pattern in url_patterns():
        action = getattr(pattern.callback, "access_action", None)
        booking = bool(name) and str(name).startswith(("booking:", "waitlist:"))
        system_write = str(action).startswith("system:") and str(action).endswith(".write")
        if action in DOOR_ACCESS or booking or system_write:
            assert name in URL_DOORS or name in NOT_DOORS, f"{name}: a door or not?"
    assert set(URL_DOORS.values()) <= set(DOORS)


def test_every_url_whose_view_reaches_a_door_action_has_its_row() -> None:
    """Read from the code: whatever the URL's name or access action, a view that calls a door
    action (through any chain of calls, a background task included) is listed with it."""
    for name, pattern in url_patterns():
        reached = doors_reached(pattern.callback)
        if not reached:
            continue
        assert name in URL_DOORS or name in NOT_DOORS, f"{name} reaches {sorted(reached)}"
        if name in URL_DOORS:
            assert URL_DOORS[str(name)] in reached, f"{name} reaches {sorted(reached)}"


def test_the_door_reader_finds_the_doors_it_is_meant_to_find() -> None:
    """The reader itself: through a page's form action, a queued task, and the API's router."""
    by_name = dict(url_patterns())
    book = "backcare.booking.actions.booking.book_appointment"
    assert book in doors_reached(by_name["staff:import_confirm"].callback)
    assert book in doors_reached(by_name["api:book_appointment"].callback)
    assert "backcare.care.actions.change_program_status" in doors_reached(
        by_name["care:status"].callback
    )
    assert not doors_reached(by_name["booking:cancel"].callback)


def _post(user: Any, url: str, data: dict[str, Any]) -> Any:
    return login_as(user).post(url, data)


URL_ATTEMPTS: dict[str, Callable[[Held], tuple[Any, str, dict[str, Any]]]] = {
    "booking:confirm": lambda h: (
        h.clinic.alice.user,
        reverse("booking:confirm"),
        {
            "service": h.clinic.service.pk,
            "location": h.clinic.location.pk,
            "therapist": h.clinic.tess.pk,
            "starts": "2026-06-03T14:00:00+00:00",
        },
    ),
    "scheduling:appointment_create": lambda h: (
        h.clinic.front_desk,
        reverse("scheduling:appointment_create"),
        {
            "client": h.clinic.alice.pk,
            "service": h.clinic.service.pk,
            "location": h.clinic.location.pk,
            "therapist": h.clinic.tess.pk,
            "date": "2026-06-03",
            "time": "10:00",
        },
    ),
    "public:finish": lambda h: (
        h.clinic.alice.user,
        reverse("public:finish", args=[_held_time(h).token]),
        {},
    ),
    "notes:portal_check_in": lambda h: (
        h.clinic.alice.user,
        reverse("notes:portal_check_in", args=[h.session.pk]),
        {**check_in_answers(), "health_changed": "no"},
    ),
    "notes:desk_check_in": lambda h: (
        h.clinic.front_desk,
        reverse("notes:desk_check_in", args=[h.session.pk]),
        {**check_in_answers(), "health_changed": "no"},
    ),
    "care:status": lambda h: (
        h.clinic.tess.user,
        reverse("care:status", args=[h.program.pk]),
        {"status": "active", "reason": "Ready to start, the client feels fine."},
    ),
}


@pytest.mark.parametrize("name", sorted(URL_ATTEMPTS))
def test_door_urls_refuse_a_held_client_with_the_reason(held: Held, name: str) -> None:
    """Through the pages: the refusal shows in words, and nothing is written."""
    import time_machine

    before = _written(held)
    with time_machine.travel(local(2, 9, 50), tick=False):
        user, url, data = URL_ATTEMPTS[name](held)
        response = _post(user, url, data)
    page = response.content.decode()
    assert response.status_code in (200, 400, 403)
    assert "doctor" in page
    assert _written(held) == before
    # The request reached the door, which refused it (not merely a form error).
    assert AuditEvent.objects.filter(action="hold.refused", client=held.clinic.alice).exists()


# The import pages book through book_appointment in the background queue: a held client in the
# imported file is refused on that row, and the run writes nothing.


def _appointments_file(held: Held) -> str:
    c = held.clinic
    return (
        "Patient Email,Patient First Name,Patient Last Name,Patient Birth Date,Start Date,"
        "Start Time,Treatment,Staff Member,Location,State\n"
        f"{c.alice.email},,,,2026-06-03,10:00,{c.service.name},{c.tess.name},"
        f"{c.location.name},booked\n"
    )


def _import_start(held: Held) -> tuple[str, dict[str, Any]]:
    upload = SimpleUploadedFile("appointments.csv", _appointments_file(held).encode())
    data = {"kind": "appointments", "system": "jane", "file": upload}  # not a dry run
    return reverse("staff:import_start"), data


def _import_confirm(held: Held) -> tuple[str, dict[str, Any]]:
    # A clean dry run of the file, from before the hold.
    dry = ImportRun.objects.create(
        kind="appointments",
        system="jane",
        filename="appointments.csv",
        content=_appointments_file(held),
        dry_run=True,
        status=ImportRun.Status.DONE,
        created_by=held.clinic.owner,
        created_at=NOW,
    )
    return reverse("staff:import_confirm", args=[dry.pk]), {}


IMPORT_ATTEMPTS: dict[str, Callable[[Held], tuple[str, dict[str, Any]]]] = {
    "staff:import_start": _import_start,
    "staff:import_confirm": _import_confirm,
}


@pytest.mark.parametrize("name", sorted(IMPORT_ATTEMPTS))
def test_import_pages_refuse_a_held_client_in_the_file(
    held: Held, name: str, django_capture_on_commit_callbacks: Any
) -> None:
    url, data = IMPORT_ATTEMPTS[name](held)
    before = _written(held)
    http = login_as(held.clinic.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url, data)
    assert response.status_code == 302
    run = ImportRun.objects.filter(dry_run=False).get()
    assert run.status == ImportRun.Status.FAILED
    page = http.get(response["Location"]).content.decode()
    assert "Nothing was imported" in page
    assert "doctor" in page  # the row's refusal gives the reason
    assert _written(held) == before
    audit = AuditEvent.objects.filter(action="hold.refused", client=held.clinic.alice)
    assert audit.count() == 1
    assert audit.get().changes["door"]["after"] == "book"


# --- The doors, through the REST API (a connected system's token) ------------------------------


def _api_token(held: Held) -> str:
    from tests.systems.smart import OtherSystem, connect, token_for

    other = OtherSystem(alg="ES384")
    scopes = "system/Appointment.read system/Appointment.write"
    return token_for(connect(held.clinic.owner, other, scopes=scopes), other, scope=scopes)


API_ATTEMPTS: dict[str, Callable[[Held], tuple[str, dict[str, Any]]]] = {
    "api:book_appointment": lambda h: (
        reverse("api:book_appointment"),
        {
            "client_id": h.clinic.alice.pk,
            "service_id": h.clinic.service.pk,
            "therapist_id": h.clinic.tess.pk,
            "location_id": h.clinic.location.pk,
            "starts": "2026-06-03T14:00:00+00:00",
        },
    ),
    "api:move_appointment": lambda h: (
        reverse("api:move_appointment", args=[h.session.pk]),
        {"starts": "2026-06-03T15:00:00+00:00"},
    ),
}


@pytest.mark.parametrize("name", sorted(API_ATTEMPTS))
def test_api_doors_refuse_a_held_client_with_the_reason(held: Held, name: str) -> None:
    """Through the API: a 409 problem with the reason, and nothing written."""
    from django.test import Client as HttpClient

    token = _api_token(held)
    before = _written(held)
    url, data = API_ATTEMPTS[name](held)
    response = HttpClient().post(
        url, data, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("client-held")
    assert "doctor" in response.json()["detail"]
    assert _written(held) == before
    assert AuditEvent.objects.filter(action="hold.refused", client=held.clinic.alice).exists()

"""Bad input is a 4xx that names the field, never a server error, and nothing huge is stored:
the analytics dates, the client search of the booking page, the note's text, a service's
description, an invoice's void reason, a day-end note, a clearance's restrictions; and every
form in Backcare refuses a megabyte in any text field (tests/test_fuzz_inputs.py sends one to
every field a page shows, where only a server error fails)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import itertools
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django import forms
from django.urls import reverse

import backcare
from backcare.billing.models import DayClose, Invoice
from backcare.care.models import Program
from backcare.clinic.models import Service
from backcare.intake.questionnaire import load_questionnaire
from backcare.lib.techniques import TECHNIQUES
from backcare.notes.models import SessionNote
from backcare.notes.queries import Plan
from backcare.portal.booking_forms import Catalogue
from backcare.scheduling.models import BookingPolicy
from backcare.screening.models import Clearance
from tests import factories
from tests.billing.conftest import Billing, billing
from tests.conftest import Clinic, login_as
from tests.pages import field_error

__all__ = ["billing"]  # the fixture, shared with the billing tests

MEGABYTE = "word " * 200_000


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("9990-01-01", "9999-12-31", "start"), ("2026-01-01", "9999-12-31", "end")],
)
def test_analytics_dates_out_of_range_are_named(
    clinic: Clinic, start: str, end: str, field: str
) -> None:
    owner = login_as(clinic.owner)
    for url in (reverse("analytics:dashboard"), reverse("analytics:export", args=["programs"])):
        response = owner.get(url, {"start": start, "end": end})
        assert response.status_code == 400, url
        assert "from 1970" in response.content.decode()


def test_a_pasted_page_in_the_booking_search_is_not_a_server_error(clinic: Clinic) -> None:
    desk = login_as(clinic.front_desk)
    response = desk.get(
        reverse("scheduling:appointment_create"),
        {"q": MEGABYTE, "client": "9" * 30},
    )
    assert response.status_code == 200


def test_a_service_description_of_a_megabyte_is_refused_naming_it(clinic: Clinic) -> None:
    owner = login_as(clinic.owner)
    response = owner.post(
        reverse("clinic:service_edit", args=[clinic.service.pk]),
        {
            "name": clinic.service.name,
            "description": MEGABYTE,
            "duration_minutes": 60,
            "buffer_after_minutes": 15,
            "price": "95.00",
            "techniques": ["swedish"],
            "needs_room": "on",
            "active": "on",
        },
    )
    assert response.status_code == 400
    _, message = field_error(response, "description")
    assert "at most 2000 characters" in message
    assert Service.objects.get(pk=clinic.service.pk).description == ""


def test_a_session_note_of_a_megabyte_is_refused_naming_the_field(clinic: Clinic) -> None:
    from tests.factories import AppointmentFactory

    session = AppointmentFactory.create(
        client=clinic.alice, therapist=clinic.tess, service=clinic.service, location=clinic.location
    )
    tess = login_as(clinic.tess.user)
    response = tess.post(
        reverse("notes:note_save", args=[session.pk]), {"subjective": MEGABYTE, "save": "1"}
    )
    assert response.status_code == 400
    assert "at most" in response.content.decode()
    assert not SessionNote.objects.filter(appointment=session).exists()


def test_a_therapists_bio_of_a_megabyte_is_refused_naming_it(clinic: Clinic) -> None:
    owner = login_as(clinic.owner)
    response = owner.post(
        reverse("clinic:therapist_edit", args=[clinic.tess.pk]),
        {
            "full_name": "Tess Therapist",
            "email": "tess@example.com",
            "techniques": ["swedish"],
            "bio": MEGABYTE,
            "active": "on",
        },
    )
    assert response.status_code == 400
    _, message = field_error(response, "bio")
    assert "at most 2000 characters" in message


def test_an_audit_filter_past_the_calendar_or_beyond_any_record_is_named(clinic: Clinic) -> None:
    owner = login_as(clinic.owner)
    huge = owner.get(reverse("audit:log"), {"client": "99999999999999999999"})
    assert huge.status_code == 400
    _, message = field_error(huge, "client")
    assert "less than or equal to" in message
    last_day = owner.get(reverse("audit:log"), {"until": "9999-12-31"})
    assert last_day.status_code == 400
    _, message = field_error(last_day, "until")
    assert "before the last day of the year 9999" in message


def test_a_void_reason_of_a_megabyte_is_refused_naming_it(billing: Billing) -> None:
    billing.attend(billing.session(program=False))
    invoice = Invoice.objects.get(kind="session")
    owner = login_as(billing.clinic.owner)

    response = owner.post(reverse("billing:void", args=[invoice.pk]), {"reason": MEGABYTE})

    assert response.status_code == 400
    label, message = field_error(response, "reason")
    assert label == "Reason:"
    assert message.startswith("Please keep the reason to 500 characters or fewer (it has ")
    assert Invoice.objects.get(pk=invoice.pk).status == "open"


def test_a_day_end_note_of_a_megabyte_is_refused_naming_it(clinic: Clinic) -> None:
    owner = login_as(clinic.owner)
    response = owner.post(
        reverse("billing:day_close"),
        {"location": clinic.location.pk, "day": "2026-06-01", "counted": "0", "note": MEGABYTE},
    )
    assert response.status_code == 400
    _, message = field_error(response, "note")
    assert message.startswith("Please keep the note to 1000 characters or fewer")
    assert not DayClose.objects.exists()


def test_clearance_restrictions_of_a_megabyte_are_refused_naming_them(clinic: Clinic) -> None:
    factories.screened(clinic.alice, ["history_of_cancer"])
    tess = login_as(clinic.tess.user)
    response = tess.post(
        reverse("screening:clearance_record", args=[clinic.alice.pk]),
        {
            "physician_name": "Dr. Grace Lee",
            "cleared_on": "2026-06-01",
            "restrictions": MEGABYTE,
        },
    )
    assert response.status_code == 400
    _, message = field_error(response, "restrictions")
    assert message.startswith("Please keep the restrictions to 1000 characters or fewer")
    assert not Clearance.objects.exists()


# --- Every form of Backcare: no text field takes a megabyte -----------------------------------


def opened_with(clinic: Clinic) -> dict[str, Callable[[], list[Any]]]:
    """What a form that needs more than its data is opened with, by the name of what it
    needs: each a list, the form is opened once with each."""
    return {
        "data": lambda: [None],
        "today": lambda: [dt.date(2026, 6, 1)],
        "now": lambda: [dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)],
        "programs": lambda: [Program.objects.none()],
        "override": lambda: [False, True],
        "twice_weekly": lambda: [False, True],
        "current": lambda: ["active"],
        "client_id": lambda: [clinic.alice.pk],
        "catalogue": lambda: [Catalogue.load()],
        "policy": lambda: [BookingPolicy.current()],
        "appointment": lambda: [
            factories.AppointmentFactory.create(
                client=clinic.alice,
                therapist=clinic.tess,
                service=clinic.service,
                location=clinic.location,
            )
        ],
        "therapist": lambda: [clinic.tess],
        "locations": lambda: [[clinic.location]],
        "therapists": lambda: [[clinic.tess]],
        "numbers": lambda: [{}],
        "instruments": lambda: [()],
        "plan": lambda: [Plan(None, tuple(TECHNIQUES), 3, 60)],
        "step": lambda: list(load_questionnaire().steps),
    }


# A password is compared or hashed, never stored or shown: its length is the password rules'.
NOT_TEXT = (forms.PasswordInput,)


def backcare_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class Backcare defines, from every module (migrations apart)."""
    for module in pkgutil.walk_packages(backcare.__path__, "backcare."):
        if ".migrations." not in f"{module.name}.":
            importlib.import_module(module.name)

    def below(cls: type) -> Iterator[type]:
        subclasses: list[type] = cls.__subclasses__()
        for sub in subclasses:
            yield sub
            yield from below(sub)

    return sorted(
        {cls for cls in below(forms.BaseForm) if cls.__module__.startswith("backcare.")},
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def opened(
    cls: type[forms.BaseForm], needed: dict[str, Callable[[], list[Any]]]
) -> list[forms.BaseForm]:
    """The form as its pages open it, once for each value of what it needs (each questionnaire
    step; a hold lifted with and without an override ...); none when it needs something
    ``needed`` does not name."""
    needs = [
        parameter
        for parameter in list(inspect.signature(cls.__init__).parameters.values())[1:]
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if any(parameter.name not in needed for parameter in needs):
        return []
    made = []
    for values in itertools.product(*(needed[p.name]() for p in needs)):
        positional = [
            value
            for parameter, value in zip(needs, values, strict=True)
            if parameter.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        named = {
            parameter.name: value
            for parameter, value in zip(needs, values, strict=True)
            if parameter.kind == inspect.Parameter.KEYWORD_ONLY
        }
        made.append(cls(*positional, **named))
    return made


def takes_a_megabyte(field: forms.Field) -> bool:
    if not isinstance(field, forms.CharField) or isinstance(field.widget, NOT_TEXT):
        return False
    try:
        field.clean(MEGABYTE)
    except forms.ValidationError:
        return False
    return True


def test_no_form_in_backcare_takes_a_megabyte_of_text(clinic: Clinic) -> None:
    classes = backcare_form_classes()
    names = {cls.__name__ for cls in classes}
    assert {"VoidForm", "DayCloseForm", "ClearanceForm", "ClientForm", "NoteForm"} <= names
    assert len(classes) > 50
    unbounded: set[str] = set()
    never_opened: list[str] = []
    needed = opened_with(clinic)
    for cls in classes:
        forms_of_class = opened(cls, needed)
        if not forms_of_class:
            never_opened.append(cls.__name__)
        declared = getattr(cls, "base_fields", {})  # what it shows, when it cannot be opened
        for fields in [form.fields for form in forms_of_class] or [declared]:
            for name, field in fields.items():
                if takes_a_megabyte(field):
                    unbounded.add(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert sorted(unbounded) == [], "give each text field a max_length (and a message naming it)"
    assert never_opened == [], "tell opened_with() how to open these forms"

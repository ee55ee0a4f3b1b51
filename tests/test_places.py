"""The clinic's places and people: locations, rooms, therapists and services (SPEC §1, §4), set
up by the owner only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from backcare.accounts.models import Role, User
from backcare.audit.models import AuditEvent
from backcare.clinic.models import Location, Room, Service, Therapist
from backcare.scheduling.models import Break, Weekday, WorkingHours
from tests import factories
from tests.conftest import Clinic
from tests.pages import field_error, form_alert, text

if TYPE_CHECKING:
    pass


# --- Locations ------------------------------------------------------------------------------

NEW_LOCATION = {
    "name": "Decatur",
    "address_line1": "220 Church St",
    "city": "Decatur",
    "state": "GA",
    "postal_code": "30030",
    "phone": "(404) 555-0300",
    "time_zone": "America/New_York",
    "active": "on",
}


def test_owner_adds_a_location(clinic: Clinic, as_owner):
    response = as_owner.post(reverse("clinic:location_create"), NEW_LOCATION, follow=True)

    decatur = Location.objects.get(name="Decatur")
    assert response.redirect_chain[-1][0] == decatur.get_absolute_url()
    assert "Location added." in text(response)
    assert "220 Church St, Decatur, GA 30030" in text(response)
    assert decatur.time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("field", "typed", "label", "message"),
    [
        (
            "time_zone",
            "Mars/Olympus",
            "Time zone:",
            "Mars/Olympus is not a time zone. Use a name such as America/New_York.",
        ),
        ("postal_code", "3030", "ZIP code:", "Use a ZIP code such as 30309."),
        ("postal_code", "30309-12", "ZIP code:", "Use a ZIP code such as 30309."),
        ("state", "Georgia", "State:", "Ensure this value has at most 2 characters (it has 7)."),
    ],
)
def test_a_location_with_a_bad_value_is_refused_next_to_its_field(
    clinic: Clinic, as_owner, field: str, typed: str, label: str, message: str
):
    response = as_owner.post(reverse("clinic:location_create"), {**NEW_LOCATION, field: typed})

    assert response.status_code == 400
    assert field_error(response, field) == (label, message)
    assert not Location.objects.filter(name="Decatur").exists()


def test_owner_edits_a_location_and_only_the_change_is_audited(clinic: Clinic, as_owner):
    location = clinic.location
    data: dict[str, Any] = {
        "name": location.name,
        "address_line1": location.address_line1,
        "city": location.city,
        "state": location.state,
        "postal_code": location.postal_code,
        "phone": "(404) 555-0999",
        "time_zone": location.time_zone,
        "active": "on",
    }

    response = as_owner.post(reverse("clinic:location_edit", args=[location.pk]), data)

    assert response.status_code == 302
    location.refresh_from_db()
    assert location.phone == "(404) 555-0999"
    event = AuditEvent.objects.get(action="location.updated")
    assert event.actor == clinic.owner
    assert event.changes == {"phone": {"before": "", "after": "(404) 555-0999"}}


# --- Rooms ----------------------------------------------------------------------------------


def test_owner_adds_a_room_and_sees_it_at_the_location(clinic: Clinic, as_owner):
    url = reverse("clinic:room_create", args=[clinic.location.pk])

    data = {"location": clinic.location.pk, "name": "Dogwood", "active": "on"}

    response = as_owner.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == clinic.location.get_absolute_url()
    assert "Room added." in text(response)
    assert "Dogwood" in text(response)
    assert Room.objects.filter(location=clinic.location, name="Dogwood", active=True).exists()


def test_owner_renames_a_room(clinic: Clinic, as_owner):
    url = reverse("clinic:room_edit", args=[clinic.room.pk])
    data = {"location": clinic.location.pk, "name": "Live Oak", "active": "on"}

    response = as_owner.post(url, data, follow=True)

    assert "Room saved." in text(response)
    assert "Live Oak" in text(response)
    assert "Magnolia" not in text(response)
    clinic.room.refresh_from_db()
    assert clinic.room.name == "Live Oak"
    assert AuditEvent.objects.get(action="room.updated").changes == {
        "name": {"before": "Magnolia", "after": "Live Oak"}
    }


def test_a_second_room_with_the_same_name_at_a_location_is_refused(clinic: Clinic, as_owner):
    url = reverse("clinic:room_create", args=[clinic.location.pk])

    response = as_owner.post(url, {"location": clinic.location.pk, "name": "Magnolia"})

    assert response.status_code == 400
    assert form_alert(response) == "Room with this Location and Name already exists."
    assert Room.objects.filter(name="Magnolia").count() == 1


def test_renaming_a_room_onto_another_rooms_name_is_refused(clinic: Clinic, as_owner):
    dogwood = Room.objects.create(location=clinic.location, name="Dogwood")
    url = reverse("clinic:room_edit", args=[dogwood.pk])

    response = as_owner.post(url, {"location": clinic.location.pk, "name": "Magnolia"})

    assert response.status_code == 400
    assert form_alert(response) == "Room with this Location and Name already exists."
    dogwood.refresh_from_db()
    assert dogwood.name == "Dogwood"


def test_the_same_room_name_is_fine_at_another_location(clinic: Clinic, as_owner):
    decatur = factories.LocationFactory.create(name="Decatur")
    url = reverse("clinic:room_create", args=[decatur.pk])

    response = as_owner.post(url, {"location": decatur.pk, "name": "Magnolia"})

    assert response.status_code == 302
    assert Room.objects.filter(name="Magnolia").count() == 2


# --- Therapists -----------------------------------------------------------------------------

NEW_THERAPIST = {
    "full_name": "Rosa Reyes",
    "email": "Rosa@Example.com",
    "licence_number": "MT123456",
    "licence_state": "GA",
    "techniques": ["swedish", "myofascial_release"],
    "bio": "Fifteen years of deep work on backs.",
    "active": "on",
}


def test_owner_adds_a_therapist_with_techniques_and_locations(clinic: Clinic, as_owner):
    data = {**NEW_THERAPIST, "locations": [clinic.location.pk]}

    response = as_owner.post(reverse("clinic:therapist_create"), data, follow=True)

    rosa = Therapist.objects.get(user__email="rosa@example.com")
    assert response.redirect_chain[-1][0] == rosa.get_absolute_url()
    page = text(response)
    assert "Therapist added." in page
    assert "Rosa Reyes" in page
    assert "Swedish massage" in page
    assert "Myofascial release" in page
    assert rosa.user.role == Role.THERAPIST
    assert rosa.user.full_name == "Rosa Reyes"
    assert not rosa.user.has_usable_password()
    assert rosa.techniques == ["swedish", "myofascial_release"]
    assert list(rosa.locations.all()) == [clinic.location]
    assert "Rosa Reyes" in text(as_owner.get(clinic.location.get_absolute_url()))
    created = AuditEvent.objects.get(action="user.created")
    assert created.changes["role"] == {"before": None, "after": "therapist"}


def test_a_therapist_with_an_email_already_in_use_is_refused(clinic: Clinic, as_owner):
    users_before = User.objects.count()
    data = {**NEW_THERAPIST, "email": "TESS@example.com"}

    response = as_owner.post(reverse("clinic:therapist_create"), data)

    assert response.status_code == 400
    assert field_error(response, "email") == (
        "Email (their login):",
        "Someone already logs in with this email address.",
    )
    assert User.objects.count() == users_before
    assert not Therapist.objects.filter(licence_number="MT123456").exists()


def test_the_therapist_page_lists_working_hours_with_breaks(clinic: Clinic, as_theo):
    monday = WorkingHours.objects.create(
        therapist=clinic.tess,
        location=clinic.location,
        weekday=Weekday.MONDAY,
        starts=dt.time(9),
        ends=dt.time(17),
    )
    Break.objects.create(hours=monday, starts=dt.time(12), ends=dt.time(12, 30))
    Break.objects.create(hours=monday, starts=dt.time(15), ends=dt.time(15, 15))
    WorkingHours.objects.create(
        therapist=clinic.tess,
        location=clinic.location,
        weekday=Weekday.WEDNESDAY,
        starts=dt.time(13),
        ends=dt.time(19, 30),
    )

    response = as_theo.get(clinic.tess.get_absolute_url())

    assert response.status_code == 200
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr><td>(.*?)</tr>", text(response), re.S)
    ]
    assert rows == [
        "Monday Midtown 9:00 AM – 5:00 PM 12:00 PM–12:30 PM, 3:00 PM–3:15 PM",
        "Wednesday Midtown 1:00 PM – 7:30 PM —",
    ]


def test_a_therapist_without_hours_says_so(clinic: Clinic, as_owner):
    response = as_owner.get(clinic.theo.get_absolute_url())

    assert "No working hours yet." in text(response)


# --- Services -------------------------------------------------------------------------------

NEW_SERVICE = {
    "name": "Back massage — 90 minutes",
    "description": "Longer session for the whole back.",
    "duration_minutes": "90",
    "buffer_after_minutes": "15",
    "price": "135.00",
    "techniques": ["swedish", "deep_tissue"],
    "needs_room": "on",
    "active": "on",
}


def test_owner_adds_a_service(clinic: Clinic, as_owner):
    response = as_owner.post(reverse("clinic:service_create"), NEW_SERVICE, follow=True)

    assert "Service added." in text(response)
    assert "Back massage — 90 minutes" in text(response)
    service = Service.objects.get(name="Back massage — 90 minutes")
    assert service.price == Decimal("135.00")
    assert service.techniques == ["swedish", "deep_tissue"]


@pytest.mark.parametrize(
    ("field", "typed", "label", "message"),
    [
        ("price", "-1.00", "Price:", "Ensure this value is greater than or equal to 0."),
        (
            "duration_minutes",
            "10",
            "Duration (minutes):",
            "Ensure this value is greater than or equal to 15.",
        ),
    ],
)
def test_a_service_with_a_bad_value_is_refused_next_to_its_field(
    clinic: Clinic, as_owner, field: str, typed: str, label: str, message: str
):
    response = as_owner.post(reverse("clinic:service_create"), {**NEW_SERVICE, field: typed})

    assert response.status_code == 400
    assert field_error(response, field) == (label, message)
    assert not Service.objects.filter(name=NEW_SERVICE["name"]).exists()


def test_editing_a_service_to_a_negative_price_is_refused(clinic: Clinic, as_owner):
    url = reverse("clinic:service_edit", args=[clinic.service.pk])
    data = {**NEW_SERVICE, "name": clinic.service.name, "price": "-5"}

    response = as_owner.post(url, data)

    assert response.status_code == 400
    assert field_error(response, "price")[0] == "Price:"
    clinic.service.refresh_from_db()
    assert clinic.service.price == Decimal("95.00")


@pytest.mark.parametrize(
    "change",
    [{"price": Decimal("-1")}, {"duration_minutes": 10}],
    ids=["negative-price", "ten-minutes"],
)
def test_the_database_refuses_an_impossible_service_even_past_validation(
    clinic: Clinic, change: dict[str, Any]
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=clinic.service.pk).update(**change)

    clinic.service.refresh_from_db()
    assert clinic.service.price == Decimal("95.00")
    assert clinic.service.duration_minutes == 60


# --- Who may change places ------------------------------------------------------------------


def _place_urls(clinic: Clinic) -> list[str]:
    return [
        reverse("clinic:location_create"),
        reverse("clinic:location_edit", args=[clinic.location.pk]),
        reverse("clinic:room_create", args=[clinic.location.pk]),
        reverse("clinic:room_edit", args=[clinic.room.pk]),
        reverse("clinic:therapist_create"),
        reverse("clinic:therapist_edit", args=[clinic.tess.pk]),
        reverse("clinic:service_create"),
        reverse("clinic:service_edit", args=[clinic.service.pk]),
    ]


@pytest.mark.parametrize("persona", ["as_front_desk", "as_tess", "as_theo"])
def test_only_the_owner_changes_places(clinic: Clinic, request, persona: str):
    http = request.getfixturevalue(persona)
    posted = {**NEW_LOCATION, **NEW_SERVICE, **NEW_THERAPIST, "location": clinic.location.pk}
    places_before = (Location.objects.count(), Room.objects.count(), Service.objects.count())

    for url in _place_urls(clinic):
        assert http.get(url).status_code == 403, url
        assert http.post(url, posted).status_code == 403, url

    places_after = (Location.objects.count(), Room.objects.count(), Service.objects.count())
    assert places_after == places_before
    assert not Therapist.objects.filter(licence_number="MT123456").exists()
    # Nothing changed: the log holds only the refusals to reach the places.
    assert set(AuditEvent.objects.values_list("action", flat=True)) <= {"access.refused"}


@pytest.mark.parametrize("persona", ["as_front_desk", "as_tess", "as_theo"])
def test_staff_may_read_places_without_edit_links(clinic: Clinic, request, persona: str):
    http = request.getfixturevalue(persona)

    response = http.get(clinic.location.get_absolute_url())

    assert response.status_code == 200
    assert "Magnolia" in text(response)
    assert "Add a room" not in text(response)
    assert "Edit location" not in text(response)

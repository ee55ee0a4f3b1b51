"""Where a client stands with screening, and the hold on booking scheduling asks for (SPEC §3):
the latest screening decides, recorded clearances answer the reasons they cover, and minors are
never booked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from backcare.clinic.models import Client
from backcare.holds.queries import booking_hold, standing
from backcare.holds.rules import HOLDS, kind_of
from backcare.screening.actions import record_clearance
from backcare.screening.models import Screening
from tests import factories
from tests.conftest import Clinic

TODAY = dt.date(2026, 11, 24)


def clear(clinic: Clinic, screening: Screening) -> None:
    record_clearance(
        clinic.tess.user,
        clinic.alice,
        screening,
        {"physician_name": "Dr. Miriam Okafor", "cleared_on": TODAY},
        at=timezone.now(),
    )


def test_a_client_without_a_questionnaire_may_be_booked(clinic: Clinic) -> None:
    where = standing(clinic.alice, TODAY)

    assert where.screening is None
    assert where.hold is None
    assert where.bookable
    assert where.awaiting_clearance == []
    assert booking_hold(clinic.alice, TODAY) is None


@pytest.mark.parametrize(
    ("codes", "hold"),
    [
        ([], None),
        (["asthma", "anticoagulants"], None),
        (["saddle_numbness"], "urgent_referral"),
        (["saddle_numbness", "night_pain"], "urgent_referral"),
        (["night_pain"], "medical_clearance_required"),
        (["pregnancy", "high_risk_pregnancy"], "medical_clearance_required"),
    ],
)
def test_the_latest_screening_decides_the_hold(
    clinic: Clinic, codes: list[str], hold: str | None
) -> None:
    factories.screened(clinic.alice, codes)

    found = booking_hold(clinic.alice, timezone.localdate())

    assert kind_of(found) == hold


def test_a_derived_clearance_reason_holds_booking_too(clinic: Clinic) -> None:
    factories.screened(clinic.alice, [], nrs_now=9)

    where = standing(clinic.alice, timezone.localdate())

    assert kind_of(where.hold) == "medical_clearance_required"
    assert where.awaiting_clearance == ["severe_pain_now"]


def test_a_newer_screening_replaces_an_urgent_one(clinic: Clinic) -> None:
    factories.screened(clinic.alice, ["saddle_numbness"])
    assert kind_of(booking_hold(clinic.alice, timezone.localdate())) == "urgent_referral"

    factories.screened(clinic.alice, [])

    assert booking_hold(clinic.alice, timezone.localdate()) is None


def test_a_clearance_lifts_the_hold_for_the_reasons_it_covers(clinic: Clinic) -> None:
    screening = factories.screened(clinic.alice, ["night_pain", "fever"])
    assert standing(clinic.alice, TODAY).awaiting_clearance == ["fever", "night_pain"]

    clear(clinic, screening)

    where = standing(clinic.alice, TODAY)
    assert where.hold is None
    assert where.cleared_codes == {"fever", "night_pain"}
    assert where.awaiting_clearance == []


def test_a_later_screening_with_the_same_reason_stays_cleared(clinic: Clinic) -> None:
    clear(clinic, factories.screened(clinic.alice, ["night_pain"]))

    factories.screened(clinic.alice, ["night_pain", "asthma"])

    assert booking_hold(clinic.alice, TODAY) is None


def test_a_later_screening_with_a_new_clearance_reason_blocks_again(clinic: Clinic) -> None:
    clear(clinic, factories.screened(clinic.alice, ["night_pain"]))

    factories.screened(clinic.alice, ["night_pain", "history_of_cancer"])

    where = standing(clinic.alice, TODAY)
    assert kind_of(where.hold) == "medical_clearance_required"
    assert where.awaiting_clearance == ["history_of_cancer"]


def test_a_clearance_does_not_lift_an_urgent_referral(clinic: Clinic) -> None:
    clear(clinic, factories.screened(clinic.alice, ["night_pain"]))

    factories.screened(clinic.alice, ["night_pain", "dvt_suspected"])

    assert kind_of(booking_hold(clinic.alice, TODAY)) == "urgent_referral"


def test_one_clients_clearance_does_not_clear_another(clinic: Clinic) -> None:
    clear(clinic, factories.screened(clinic.alice, ["night_pain"]))

    factories.screened(clinic.bob, ["night_pain"])

    assert kind_of(booking_hold(clinic.bob, TODAY)) == "medical_clearance_required"


@pytest.fixture
def turns_18_today(db: None) -> Client:
    return factories.ClientFactory.create(date_of_birth=dt.date(2008, 11, 24))


def test_a_client_is_a_minor_until_their_18th_birthday(turns_18_today: Client) -> None:
    assert kind_of(booking_hold(turns_18_today, TODAY - dt.timedelta(days=1))) == "minor"
    assert booking_hold(turns_18_today, TODAY) is None


def test_a_minor_is_held_whatever_the_screening_says(turns_18_today: Client) -> None:
    factories.screened(turns_18_today, [], at=dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC))

    assert kind_of(booking_hold(turns_18_today, TODAY - dt.timedelta(days=1))) == "minor"


def test_the_holds_tell_the_front_desk_no_clinical_reason() -> None:
    for hold in HOLDS.values():
        assert hold.staff_message.startswith(("Cannot be booked", "On hold", "Questionnaire"))
        for word in ("cancer", "pregnan", "numb", "bladder", "pain", "infection", "fever"):
            assert word not in hold.staff_message.lower()


def test_standing_takes_five_queries(clinic: Clinic, django_assert_num_queries) -> None:
    clear(clinic, factories.screened(clinic.alice, ["night_pain"]))
    factories.screened(clinic.alice, ["fever"])

    # Screenings, clearances, alerts, pauses and hold decisions.
    with django_assert_num_queries(5):
        where = standing(clinic.alice, TODAY)
        assert where.awaiting_clearance == ["fever"]

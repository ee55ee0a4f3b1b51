"""Sending the intake records the baseline: NRS now, PEG and the client's PSFS activities."""

from __future__ import annotations

import datetime as dt

from backcare.intake.actions import save_step, start_intake, submit_intake
from backcare.intake.models import Intake
from backcare.intake.questionnaire import answers_for, load_questionnaire
from backcare.outcomes.models import Response
from tests import factories
from tests.conftest import Clinic

AT = dt.datetime(2026, 2, 23, 16, 0, tzinfo=dt.UTC)


def _send(clinic: Clinic, at: dt.datetime, **answers: object) -> None:
    intake = start_intake(clinic.alice.user, clinic.alice, Intake.Source.PORTAL)
    full = answers_for(**answers)  # type: ignore[arg-type]
    for step in load_questionnaire().steps:
        save_step(clinic.alice.user, intake, step.id, full)
    submit_intake(clinic.alice.user, intake, at=at)


def test_the_intake_records_nrs_peg_and_psfs_as_baseline(clinic: Clinic) -> None:
    factories.screened(
        clinic.alice,
        actor=clinic.alice.user,
        at=AT,
        nrs_now=7,
        peg_pain=6,
        peg_enjoyment=5,
        peg_activity=7,
    )
    by_instrument = {r.instrument: r for r in Response.objects.filter(client=clinic.alice)}
    assert set(by_instrument) == {"nrs", "peg", "psfs"}
    assert by_instrument["nrs"].answers == [7]
    assert by_instrument["nrs"].score == 7
    assert by_instrument["peg"].answers == [6, 5, 7]
    assert by_instrument["peg"].score == 6
    assert by_instrument["psfs"].answers == [4, 3, 5]
    assert by_instrument["psfs"].details["activities"][0] == "Sitting through a film"
    for response in by_instrument.values():
        assert response.occasion == "intake"
        assert response.collected_at == AT
        assert response.collected_by == clinic.alice.user
        assert response.program is None


def test_sending_the_same_measures_again_does_not_move_the_baseline(clinic: Clinic) -> None:
    _send(clinic, AT, nrs_now=7)
    _send(clinic, AT + dt.timedelta(days=3), nrs_now=7)
    assert Response.objects.filter(client=clinic.alice, instrument="nrs").count() == 1
    _send(clinic, AT + dt.timedelta(days=5), nrs_now=5, peg_pain=7, peg_enjoyment=6, peg_activity=7)
    nrs = list(Response.objects.filter(client=clinic.alice, instrument="nrs"))
    assert [r.score for r in nrs] == [7, 5]
    assert Response.objects.filter(client=clinic.alice, instrument="peg").count() == 1

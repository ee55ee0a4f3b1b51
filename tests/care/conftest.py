"""Programs for the care tests: a screened client and a program in any status."""

from __future__ import annotations

import datetime as dt

from backcare.care.models import ENDED_STATUSES, Program, ProgramStatus
from backcare.clinic.models import Client
from backcare.screening.models import Screening
from tests import factories
from tests.conftest import Clinic

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def program_in(
    clinic: Clinic,
    status: str = ProgramStatus.DRAFT,
    *,
    client: Client | None = None,
    screening: Screening | None = None,
) -> Program:
    """A program stored straight in ``status`` (the status tests start from every status)."""
    client = client or clinic.alice
    if screening is None:
        screening = factories.screened(client, at=NOW - dt.timedelta(days=1))
    started = status != ProgramStatus.DRAFT
    return factories.ProgramFactory.create(
        client=client,
        therapist=clinic.tess,
        service=clinic.service,
        screening=screening,
        status=status,
        started_on=(NOW - dt.timedelta(days=14)).date() if started else None,
        ended_on=(NOW - dt.timedelta(days=1)).date() if status in ENDED_STATUSES else None,
        created_by=clinic.tess.user,
        created_at=NOW - dt.timedelta(days=20),
        updated_at=NOW - dt.timedelta(days=20),
    )

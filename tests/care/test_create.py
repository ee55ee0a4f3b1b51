"""Creating a program (SPEC §2 step 3): only once the latest screening allows it, planning only
the techniques it allows, carrying over its pressure cap and positioning; one running program
per client, a promise the database keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from backcare.audit.models import AuditEvent
from backcare.care.actions import GoalInput, create_program, default_goals
from backcare.care.models import Program, ProgramStatus
from backcare.care.templates import load_templates
from backcare.clinic.models import CareTeamMembership
from backcare.lib.errors import FieldError
from backcare.screening.actions import record_clearance
from tests import factories
from tests.care.conftest import NOW, program_in
from tests.conftest import Clinic

GOALS = [
    GoalInput("Sitting through a film", target=8, baseline=4),
    GoalInput("Gardening", target=7, baseline=3),
    GoalInput("Lifting the laundry basket", target=8, baseline=5),
]


def start(clinic: Clinic, **overrides: object) -> Program:
    arguments: dict[str, object] = {
        "template": "chronic_low_back_pain",
        "service": clinic.service,
        "techniques": ["swedish", "myofascial_release"],
        "goals": GOALS,
        "now": NOW,
    }
    arguments.update(overrides)
    actor = arguments.pop("actor", clinic.tess.user)
    client = arguments.pop("client", clinic.alice)
    return create_program(actor, client, **arguments)  # type: ignore[arg-type]


def test_a_therapist_plans_a_program_from_a_template(clinic: Clinic) -> None:
    screening = factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    program = start(clinic)

    assert program.status == ProgramStatus.DRAFT
    assert program.title == "Chronic low back pain — 10 weekly 60-minute sessions"
    assert (program.sessions_planned, program.sessions_per_week) == (10, 1)
    assert program.reassessment_sessions == [4, 10]
    assert program.techniques == ["swedish", "myofascial_release"]
    assert program.screening == screening
    assert program.therapist == clinic.tess
    assert "NICE" not in program.self_care and "exercise" in program.self_care
    assert [(g.activity, g.baseline, g.target) for g in program.goals.all()] == [
        ("Sitting through a film", 4, 8),
        ("Gardening", 3, 7),
        ("Lifting the laundry basket", 5, 8),
    ]
    assert program.status_changes.get().to_status == ProgramStatus.DRAFT
    event = AuditEvent.objects.get(action="program.created")
    assert event.client == clinic.alice
    assert event.changes["techniques"]["after"] == ["swedish", "myofascial_release"]


def test_the_program_s_therapist_joins_the_care_team(clinic: Clinic) -> None:
    factories.screened(clinic.bob, at=NOW - dt.timedelta(days=1))

    start(clinic, client=clinic.bob, actor=clinic.owner, therapist=clinic.theo)

    membership = CareTeamMembership.objects.get(client=clinic.bob, therapist=clinic.theo)
    assert membership.reason == CareTeamMembership.Reason.PROGRAM
    assert membership.ended_at is None


def test_an_owner_who_is_not_a_therapist_must_name_one(clinic: Clinic) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError) as refused:
        start(clinic, actor=clinic.owner)

    assert refused.value.field == "therapist"


def test_the_front_desk_cannot_plan_a_program(clinic: Clinic) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError):
        start(clinic, actor=clinic.front_desk, therapist=clinic.tess)

    assert not Program.objects.exists()


def test_no_screening_no_program(clinic: Clinic) -> None:
    with pytest.raises(FieldError) as refused:
        start(clinic)

    assert refused.value.field == "screening"
    assert "hasn't been screened" in refused.value.message
    assert not Program.objects.exists()


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        (["saddle_numbness"], "see a doctor today"),
        (["dvt_suspected"], "see a doctor today"),
        (["night_pain"], "clearance first"),
        (["history_of_cancer", "active_cancer"], "clearance first"),
        (["high_risk_pregnancy"], "clearance first"),
    ],
)
def test_a_program_cannot_start_while_screening_blocks(
    clinic: Clinic, codes: list[str], words: str
) -> None:
    factories.screened(clinic.alice, codes, at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError) as refused:
        start(clinic)

    assert refused.value.field == "screening"
    assert words in refused.value.message
    assert not Program.objects.exists()


def test_a_minor_gets_no_program(clinic: Clinic) -> None:
    teen = factories.ClientFactory.create(date_of_birth=dt.date(2010, 3, 1))
    factories.screened(teen, at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError) as refused:
        start(clinic, client=teen)

    assert "adults" in refused.value.message


def test_a_recorded_clearance_covering_the_codes_allows_it(clinic: Clinic) -> None:
    held = factories.screened(clinic.alice, ["night_pain"], at=NOW - dt.timedelta(days=3))
    record_clearance(
        clinic.tess.user,
        clinic.alice,
        held,
        {"physician_name": "Dr. Miriam Okafor", "cleared_on": NOW.date()},
        at=NOW - dt.timedelta(days=1),
    )

    program = start(clinic)

    assert program.screening == held


def test_a_clearance_for_other_codes_does_not_allow_a_newer_reason(clinic: Clinic) -> None:
    first = factories.screened(clinic.alice, ["night_pain"], at=NOW - dt.timedelta(days=9))
    record_clearance(
        clinic.tess.user,
        clinic.alice,
        first,
        {"physician_name": "Dr. Miriam Okafor", "cleared_on": NOW.date()},
        at=NOW - dt.timedelta(days=8),
    )
    factories.screened(clinic.alice, ["night_pain", "fever"], at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError) as refused:
        start(clinic)

    assert refused.value.field == "screening"


@pytest.mark.parametrize(
    ("codes", "avoided"),
    [
        (["osteoporosis"], "deep_tissue"),
        (["anticoagulants"], "deep_tissue"),
        (["asthma"], "aromatherapy"),
        (["heart_failure"], "lymphatic_drainage"),
        (["recent_muscle_injury"], "sports"),
    ],
)
def test_a_technique_the_screening_avoids_is_refused_naming_techniques(
    clinic: Clinic, codes: list[str], avoided: str
) -> None:
    factories.screened(clinic.alice, codes, at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError) as refused:
        start(clinic, techniques=["swedish", avoided])

    assert refused.value.field == "techniques"
    assert "avoid" in refused.value.message
    assert not Program.objects.exists()


def test_a_modified_technique_may_be_planned(clinic: Clinic) -> None:
    factories.screened(clinic.alice, ["anticoagulants"], at=NOW - dt.timedelta(days=1))

    program = start(clinic, techniques=["trigger_point"])

    assert program.techniques == ["trigger_point"]


@pytest.mark.parametrize("techniques", [[], ["shiatsu"]])
def test_techniques_must_be_known_and_some(clinic: Clinic, techniques: list[str]) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError) as refused:
        start(clinic, techniques=techniques)

    assert refused.value.field == "techniques"


@pytest.mark.parametrize(
    ("codes", "cap", "positioning"),
    [
        ([], None, []),
        (["osteoporosis"], 2, []),
        (["anticoagulants", "asthma"], 2, []),
        (["pregnancy"], None, ["side_lying"]),
        (["pregnancy", "bleeding_disorder"], 2, ["side_lying"]),
    ],
)
def test_the_pressure_cap_and_positioning_come_from_the_screening(
    clinic: Clinic, codes: list[str], cap: int | None, positioning: list[str]
) -> None:
    factories.screened(clinic.alice, codes, at=NOW - dt.timedelta(days=1))

    program = start(clinic, techniques=["swedish"])

    assert program.pressure_cap == cap
    assert program.positioning == positioning


@pytest.mark.parametrize(
    "goals",
    [
        GOALS[:2],
        [*GOALS, *GOALS],
        [GOALS[0], GOALS[1], GoalInput("Walking", target=11)],
        [GOALS[0], GOALS[1], GoalInput("Walking", target=7, baseline=-1)],
        [GOALS[0], GOALS[1], GoalInput("   ", target=7)],
    ],
)
def test_three_to_five_goals_scored_0_to_10(clinic: Clinic, goals: list[GoalInput]) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError) as refused:
        start(clinic, goals=goals)

    assert refused.value.field == "goals"


def test_the_service_must_last_as_long_as_the_template_s_sessions(clinic: Clinic) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))
    short = factories.ServiceFactory.create(duration_minutes=30)

    with pytest.raises(FieldError) as refused:
        start(clinic, service=short)

    assert refused.value.field == "service"


def test_an_unknown_template_is_refused(clinic: Clinic) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    with pytest.raises(FieldError) as refused:
        start(clinic, template="spa_day")

    assert refused.value.field == "template"


def test_the_intensive_template_books_twice_a_week(clinic: Clinic) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))

    program = start(clinic, template="intensive")

    assert (program.sessions_planned, program.sessions_per_week) == (8, 2)
    assert program.reassessment_sessions == [4, 8]


def test_default_goals_are_the_client_s_intake_activities(clinic: Clinic) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))
    template = load_templates().get("chronic_low_back_pain")

    goals = default_goals(clinic.alice, template)

    assert goals == [
        GoalInput("Sitting through a film", target=7, baseline=4),
        GoalInput("Gardening", target=6, baseline=3),
        GoalInput("Lifting the laundry basket", target=8, baseline=5),
    ]


def test_without_intake_activities_the_template_suggests_some(clinic: Clinic) -> None:
    template = load_templates().get("intensive")

    goals = default_goals(clinic.bob, template)

    assert [goal.activity for goal in goals] == list(template.goal_suggestions[:3])


# --- One running program per client ----------------------------------------------------------


def test_a_second_running_program_is_refused(clinic: Clinic) -> None:
    factories.screened(clinic.alice, at=NOW - dt.timedelta(days=1))
    start(clinic)

    with pytest.raises(FieldError) as refused:
        start(clinic, template="intensive")

    assert refused.value.field == "client"
    assert Program.objects.count() == 1


def test_a_new_program_may_follow_an_ended_one(clinic: Clinic) -> None:
    program_in(clinic, ProgramStatus.COMPLETED)
    program_in(clinic, ProgramStatus.DISCHARGED)

    start(clinic)

    assert Program.objects.filter(client=clinic.alice).count() == 3


@pytest.mark.parametrize(
    "second", [ProgramStatus.DRAFT, ProgramStatus.ACTIVE, ProgramStatus.PAUSED]
)
def test_the_database_refuses_a_second_running_program(clinic: Clinic, second: str) -> None:
    first = program_in(clinic, ProgramStatus.ACTIVE)

    with pytest.raises(IntegrityError), transaction.atomic():
        program_in(clinic, second, screening=first.screening)

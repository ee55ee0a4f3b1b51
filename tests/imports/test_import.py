"""Moving in from Jane or ClinicSense: clients and future appointments from CSV exports, a dry
run reporting each row's errors, all or nothing, and a second run that changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from backcare.audit.models import AuditEvent
from backcare.booking.models import Appointment
from backcare.clinic.models import Client, Consent
from backcare.holds.queries import standing
from backcare.imports import actions, rows
from backcare.imports.models import ImportRun
from backcare.scheduling.models import BookingPolicy
from tests import factories
from tests.conftest import Clinic, login_as

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)  # Monday, 08:00 in Atlanta

JANE_HEADER = (
    "First Name,Last Name,Birth Date,Email,Mobile Phone,Address,City,Province/State,"
    "Postal/Zip Code,Family Physician,Consent to Treat,Privacy Policy Accepted\n"
)


def jane_clients(count: int) -> str:
    lines = [JANE_HEADER]
    for n in range(count):
        email = f"client{n}@example.org" if n % 3 else ""  # some have no email
        lines.append(
            f"Client{n},Person{n},{1950 + n % 50}-0{1 + n % 9}-1{n % 9},{email},"
            f"404-555-{n % 10000:04d},{n} Peachtree St,Atlanta,GA,30303,Dr. Lee,yes,2024-01-05\n"
        )
    return "".join(lines)


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False):
        yield


class Terminal(StringIO):
    """Standard output as a person at a terminal has it."""

    def isatty(self) -> bool:
        return True


def test_five_thousand_clients_import_with_progress_and_a_second_run_changes_nothing(
    clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "patients.csv"
    export.write_text(jane_clients(5000))
    before = Client.objects.count()
    heard: list[tuple[int, int, int]] = []  # rows done, rows in all, clients written by then

    def progress(done: int, total: int) -> None:
        heard.append((done, total, Client.objects.count() - before))

    report = actions.import_clients(
        None, export.read_text(), rows.load_mapping("jane"), dry_run=False, progress=progress
    )

    assert report.created == 5000
    assert Client.objects.count() == before + 5000
    done = [entry[0] for entry in heard]
    assert done == sorted(set(done))  # counts only go up
    assert len([n for n in done if 0 < n < 5000]) >= 10  # heard often part-way through
    assert done[-1] == 5000 and {entry[1] for entry in heard} == {5000}
    assert all(written == rows_done for rows_done, _, written in heard)  # the count is true
    imported = Client.objects.get(first_name="Client7")
    assert imported.physician_name == "Dr. Lee"
    assert imported.address == "7 Peachtree St, Atlanta, GA, 30303"
    assert set(imported.consents.values_list("kind", flat=True)) == {"treatment", "privacy"}
    rows_logged = AuditEvent.objects.count()

    terminal, out = Terminal(), StringIO()
    monkeypatch.setattr("sys.stdout", terminal)
    call_command("import", "clients", str(export), "--system", "jane", stdout=out)

    assert "0 new, 0 updated, 5000 unchanged" in out.getvalue()
    assert "Importing clients" in terminal.getvalue()  # the bar, on the terminal
    assert "5000/5000" in terminal.getvalue()
    assert Client.objects.count() == before + 5000
    assert Consent.objects.count() == 10000
    assert AuditEvent.objects.count() == rows_logged


def test_without_a_terminal_the_command_prints_only_its_summary(
    clinic: Clinic, tmp_path: Path
) -> None:
    export = tmp_path / "patients.csv"
    export.write_text(jane_clients(3))
    out = StringIO()

    call_command("import", "clients", str(export), "--dry-run", stdout=out)

    assert out.getvalue() == (
        "3 rows: 3 new, 0 updated, 0 unchanged, 0 skipped, 0 errors. "
        "Dry run: nothing was written.\n"
    )


def test_a_dry_run_names_each_bad_row_and_field_and_writes_nothing(
    clinic: Clinic, tmp_path: Path
) -> None:
    export = tmp_path / "patients.csv"
    export.write_text(
        JANE_HEADER
        + "Ana,Lopez,1980-02-30,ana@example.org,,,,,,,,\n"
        + ",Nguyen,1975-05-05,not-an-email,,,,,,,,\n"
        + "Ben,Ortiz,1990-01-01,ben@example.org,,,,,,,,\n"
    )
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import", "clients", str(export), "--dry-run")
    report = actions.import_clients(
        None, export.read_text(), rows.load_mapping("jane"), dry_run=True
    )
    assert [(e.row, e.field) for e in report.errors] == [
        (2, "date_of_birth"),
        (3, "email"),
        (3, "first_name"),
    ]
    assert "not an email address" in report.errors[1].message
    assert not Client.objects.filter(last_name__in=["Lopez", "Nguyen", "Ortiz"]).exists()


def test_a_clinicsense_export_matches_clients_already_here(clinic: Clinic) -> None:
    text = (
        "Client First Name,Client Last Name,Date of Birth,Email Address,Cell Phone,"
        "Physician Name,Intake Consent Signed\n"
        f"{clinic.alice.first_name},{clinic.alice.last_name},"
        f"{clinic.alice.date_of_birth:%m/%d/%Y},,555-0100,Dr. Grace Lee,Yes\n"
        "Carla,Diaz,07/04/1969,carla@example.org,,,\n"
    )
    report = actions.import_clients(None, text, rows.load_mapping("clinicsense"), dry_run=False)
    assert (report.created, report.updated) == (1, 1)
    clinic.alice.refresh_from_db()
    assert clinic.alice.physician_name == "Dr. Grace Lee"  # a blank filled in
    assert Client.objects.filter(last_name="Diaz").count() == 1


def test_a_client_listed_twice_is_created_once_and_the_second_row_fills_their_blanks(
    clinic: Clinic,
) -> None:
    """Clients are written a hundred rows at a time: a row naming a client from a few rows up,
    not written yet, finds them all the same."""
    text = (
        JANE_HEADER
        + "Dee,Park,1970-03-03,dee@example.org,,,,,,,yes,\n"
        + "Eli,Ross,1981-04-04,,,,,,,,,\n"
        + "Dee,Park,1970-03-03,dee@example.org,404-555-0199,,,,,Dr. Lee,yes,2024-01-05\n"
    )
    audited = AuditEvent.objects.count()

    report = actions.import_clients(None, text, rows.load_mapping("jane"), dry_run=False)

    assert (report.created, report.updated, report.unchanged, report.errors) == (2, 1, 0, [])
    dee = Client.objects.get(last_name="Park")
    assert (dee.phone, dee.physician_name) == ("404-555-0199", "Dr. Lee")
    # Consent to treatment from the first row, the privacy notice from the second, once each.
    assert sorted(dee.consents.values_list("kind", flat=True)) == ["privacy", "treatment"]
    written = AuditEvent.objects.order_by("pk")[audited:]
    assert [(event.action, event.client_id) for event in written] == [
        ("client.registered", dee.pk),
        ("client.registered", Client.objects.get(last_name="Ross").pk),
        ("consent.given", dee.pk),
        ("client.updated", dee.pk),
        ("consent.given", dee.pk),
    ]


def test_imported_clients_are_not_screened_and_cannot_be_checked_in(clinic: Clinic) -> None:
    actions.import_clients(
        None,
        JANE_HEADER + "Dee,Park,1970-03-03,dee@example.org,,,,,,,,\n",
        rows.load_mapping("jane"),
        dry_run=False,
    )
    dee = Client.objects.get(last_name="Park")
    hold = standing(dee, NOW.date())
    assert [cause.kind for cause in hold.clinical.causes] == ["not_screened"]
    assert hold.at("check_in") is not None and hold.at("treat") is not None
    assert hold.at("program") is not None
    assert hold.at("book") is None  # as for any new client: booked first, screened before the visit


APPOINTMENTS_HEADER = (
    "Patient Email,Patient First Name,Patient Last Name,Patient Birth Date,Start Date,"
    "Start Time,Treatment,Staff Member,Location,State\n"
)


def test_future_appointments_are_booked_through_the_booking_rules(clinic: Clinic) -> None:
    for therapist in (clinic.tess, clinic.theo):
        factories.weekly_hours(therapist, clinic.location)
    BookingPolicy.current()
    actions.import_clients(
        None,
        JANE_HEADER + "Dee,Park,1970-03-03,dee@example.org,,,,,,,,\n",
        rows.load_mapping("jane"),
        dry_run=False,
    )
    service, tess, place = clinic.service.name, clinic.tess.name, clinic.location.name
    good = f"dee@example.org,,,,2026-06-03,10:00,{service},{tess},{place},booked\n"
    past = f"dee@example.org,,,,2026-05-20,10:00,{service},{tess},{place},booked\n"
    cancelled = f"dee@example.org,,,,2026-06-05,10:00,{service},{tess},{place},cancelled\n"
    night = f"dee@example.org,,,,2026-06-04,22:00,{service},{tess},{place},booked\n"
    mapping = rows.load_mapping("jane")

    refused = actions.import_appointments(
        clinic.owner, APPOINTMENTS_HEADER + good + past + cancelled + night, mapping, dry_run=False
    )
    assert [(e.row, e.field) for e in refused.errors] == [(5, "starts")]
    assert "working hours" in refused.errors[0].message
    assert not Appointment.objects.filter(client__last_name="Park").exists()  # all or nothing

    done = actions.import_appointments(
        clinic.owner, APPOINTMENTS_HEADER + good + past + cancelled, mapping, dry_run=False
    )
    assert (done.created, [s["row"] for s in done.skipped]) == (1, [3, 4])
    booked = Appointment.objects.get(client__last_name="Park")
    assert booked.starts == dt.datetime(2026, 6, 3, 14, 0, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="appointment.booked", object_id=booked.pk).exists()
    again = actions.import_appointments(
        clinic.owner, APPOINTMENTS_HEADER + good, mapping, dry_run=False
    )
    assert (again.created, again.unchanged) == (0, 1)


def test_the_owner_uploads_checks_and_imports_from_the_staff_page(
    clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    http = login_as(clinic.owner)
    upload = SimpleUploadedFile(
        "patients.csv", (JANE_HEADER + "Eve,Stone,1985-08-08,eve@example.org,,,,,,,,\n").encode()
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = http.post(
            reverse("staff:import_start"),
            {"kind": "clients", "system": "jane", "file": upload, "dry_run": "on"},
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    waiting = http.get(reverse("staff:import_run", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in waiting  # the bar polls while the run waits in the queue
    for callback in queued:
        callback()  # the background queue runs it
    page = http.get(reverse("staff:import_progress", args=[run.pk])).content.decode()
    assert "The dry run found no errors" in page
    assert 'value="100"' in page
    assert not Client.objects.filter(last_name="Stone").exists()

    with django_capture_on_commit_callbacks(execute=True):
        http.post(reverse("staff:import_confirm", args=[run.pk]))
    assert Client.objects.filter(last_name="Stone").count() == 1
    real = ImportRun.objects.exclude(pk=run.pk).get()
    assert real.status == ImportRun.Status.DONE and not real.dry_run
    assert AuditEvent.objects.filter(action="import.finished", object_id=real.pk).exists()


def test_the_staff_page_shows_each_bad_row(
    clinic: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    http = login_as(clinic.owner)
    upload = SimpleUploadedFile(
        "patients.csv", (JANE_HEADER + "Eve,,1985-08-08,,,,,,,,,\n").encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        http.post(
            reverse("staff:import_start"),
            {"kind": "clients", "system": "jane", "file": upload, "dry_run": "on"},
        )
    page = http.get(reverse("staff:import_run", args=[ImportRun.objects.get().pk])).content.decode()
    assert "Nothing was imported" in page
    assert '<td class="num">2</td><td>last_name</td><td>This is required.</td>' in page


def test_a_running_import_shows_progress_only_where_it_can_be_followed(clinic: Clinic) -> None:
    run = ImportRun.objects.create(
        kind="clients",
        system="jane",
        filename="patients.csv",
        content=jane_clients(5000),
        dry_run=False,
        status=ImportRun.Status.RUNNING,
        total=5000,
        processed=2500,
        created_by=clinic.owner,
        created_at=NOW,
    )

    page = login_as(clinic.owner).get(reverse("staff:import_progress", args=[run.pk]))

    shown = page.content.decode()
    assert 'hx-trigger="every 1s"' in shown  # it keeps asking until the run ends
    if connection.vendor == "postgresql":  # written beside the run as it goes
        assert "Running: 2500 of about 5000 rows" in shown
        assert 'value="50"' in shown
    else:  # one writer at a time: nothing to follow until the run ends
        assert "Importing about 5000 rows…" in shown
        assert '<progress id="import-bar">' in shown  # moving, without a made-up share
        assert "0%" not in shown

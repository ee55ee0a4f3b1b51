"""Documents speak plainly (issue 11, item 7).

Nothing a client or a physician reads cites our internal documents ("SPEC §2 step 5") or shows
one of our codes in its raw form (``history_of_cancer``, ``no_relaxation``, ``front_desk``):
not a portal page, not an email, not a referral letter, not a discharge summary. Sources of
clinical claims stay, naming the public source ("Dworkin 2008", "NICE NG59") or the clinic's
own rule in words. Every check runs on the demo clinic, built once for this module.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from backcare.accounts.models import Role, User
from backcare.billing.paperwork import DocumentKind, email_document
from backcare.booking import actions as booking
from backcare.booking.availability import free_slots
from backcare.booking.models import Appointment, AppointmentStatus
from backcare.care.models import Program, ProgramStatus
from backcare.care.techniques import load_catalogue
from backcare.clinic.actions import create_client_login
from backcare.clinic.models import Client
from backcare.intake.questionnaire import load_questionnaire
from backcare.lib.body_chart import REGIONS
from backcare.lib.techniques import TECHNIQUES
from backcare.notes import monitor
from backcare.notes.models import Alert
from backcare.notices.models import Notice
from backcare.outcomes.actions import email_discharge_summary
from backcare.screening.actions import email_referral_letter
from backcare.screening.models import Decision, Screening
from backcare.screening.ruleset import load_rules
from backcare.site.invitations import invite_client_to_portal
from tests.demo.conftest import NOON, TODAY
from tests.notices.conftest import DATABASE_QUEUE, run_worker
from tests.two_factor import signed_in

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

# Words only. The PostgreSQL pass still builds the demo, backs it up and exports its records
# (test_backup.py, test_demo_fhir.py, test_demo.py).
pytestmark = [pytest.mark.django_db, pytest.mark.same_on_every_database]

PURPOSES = ("clearance", "possible_injury", "not_responding")
BILLING_DOCUMENTS: tuple[DocumentKind, ...] = ("receipt", "superbill", "necessity_letter")


@pytest.fixture(autouse=True)
def at_noon() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


# --- what must not be there ------------------------------------------------------------------


def _codes() -> frozenset[str]:
    """Our codes that a reader would recognise as codes: those with an underscore. (One-word
    codes such as ``swedish`` or ``owner`` are also plain words.)"""
    rules = load_rules()
    codes = {
        *(rule.code for rule in rules.rules),
        *rules.informational_codes,
        *rules.techniques,
        *TECHNIQUES,
        *(code for code, _ in monitor.TISSUE_RESPONSES),
        *(code for code, _ in monitor.KINDS),
        *Decision.values,
        *Role.values,
        *AppointmentStatus.values,
        *ProgramStatus.values,
        *(region.code for region in REGIONS),
        *PURPOSES,
        "side_lying",
    }
    return frozenset(code for code in codes if "_" in code)


CODES = _codes()
_INTERNAL = re.compile(r"\bSPEC\b|§")
_CODE = re.compile(
    r"(?<![\w/.=-])("
    + "|".join(sorted(map(re.escape, CODES), key=len, reverse=True))
    + r")(?![\w/-])"
)


def leaks(text: str) -> list[str]:
    """What ``text`` shows that it must not: internal references and raw codes."""
    return sorted({match.group(0) for match in _INTERNAL.finditer(text)}) + sorted(
        {match.group(1) for match in _CODE.finditer(text)}
    )


class _VisibleText(HTMLParser):
    """The words a reader sees on a page: text outside scripts and styles, and the attributes
    read aloud or shown (alt, title, aria-label, placeholder)."""

    SHOWN = ("alt", "title", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in self.SHOWN and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def readable(response: Response) -> str:
    """What a person reads in a response: a page's visible text, a PDF's text, a file's text."""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return pdf_text(response.content)
    if kind.startswith("text/html"):
        return visible_text(response.content.decode())
    return response.content.decode()


def assert_plain(what: str, text: str) -> None:
    assert text.strip(), f"{what}: nothing to read"
    found = leaks(text)
    assert not found, f"{what} shows {found}"


def test_the_check_finds_what_it_looks_for() -> None:
    assert leaks("Source: SPEC §2 step 5") == ["SPEC", "§"]
    assert leaks("Reason: history_of_cancer (no_relaxation).") == [
        "history_of_cancer",
        "no_relaxation",
    ]
    assert leaks("Deep tissue massage is not advised; front desk; ask your doctor.") == []
    assert leaks("https://backcare.example/techniques/deep_tissue/") == []
    assert {"history_of_cancer", "deep_tissue", "no_relaxation", "front_desk"} <= CODES


# --- letters and summaries, as staff download them --------------------------------------------


def owner() -> HttpClient:
    return signed_in(User.objects.get(email="owner@backcare.demo"))


def _latest_screenings() -> list[Screening]:
    """The latest screening of each screened client."""
    latest: dict[int, Screening] = {}
    for screening in Screening.objects.select_related("client").order_by("created_at", "pk"):
        latest[screening.client_id] = screening
    return list(latest.values())


def _one_of_each(screenings: list[Screening]) -> list[Screening]:
    """One screening of each kind: letters differ in words only by the decision, the reasons
    and what is restricted (names and dates are the client's own). Rendering every client's
    letter would say the same thing many times over, slowly."""
    kinds: dict[object, Screening] = {}
    for screening in screenings:
        result = screening.result
        kind = (
            screening.decision,
            tuple(sorted(reason["code"] for reason in result.get("reasons", ()))),
            tuple(sorted(result.get("techniques", {}).items())),
            bool(screening.client.physician_name),
        )
        kinds.setdefault(kind, screening)
    return list(kinds.values())


def test_every_referral_letter_speaks_plainly() -> None:
    http = owner()
    alerts = Alert.objects.exclude(letter_purpose="")
    assert alerts.exists()
    for alert in alerts:
        response = http.get(reverse("notes:alert_letter", args=[alert.pk]))
        assert response.status_code == 200
        assert_plain(f"the letter of alert {alert.pk} ({alert.kind})", readable(response))
    screenings = _one_of_each(_latest_screenings())
    assert {screening.decision for screening in screenings} == set(Decision.values)
    for screening in screenings:
        client = screening.client
        # Why the letter is written changes only its opening: every purpose for the first.
        for purpose in PURPOSES if screening is screenings[0] else ("clearance",):
            response = http.get(
                reverse("screening:letter_pdf", args=[client.pk]), {"purpose": purpose}
            )
            assert response.status_code == 200
            assert_plain(f"the {purpose} letter for {client}", readable(response))


def test_every_discharge_summary_speaks_plainly_of_the_client() -> None:
    http = owner()
    programs = Program.objects.select_related("client").order_by("pk")
    assert programs.filter(status=ProgramStatus.DISCHARGED).exists()
    for program in programs:
        for name in ("outcomes:summary", "outcomes:summary_pdf"):
            response = http.get(reverse(name, args=[program.pk]))
            assert response.status_code == 200
            text = readable(response)
            assert_plain(f"{name} of {program.client}'s program {program.pk}", text)
            # Written for the physician: about the client, not to them.
            assert "Your pain" not in text and "when you started" not in text, name


# --- every email -------------------------------------------------------------------------------


def _free_start(appointment: Appointment, day: dt.date) -> dt.datetime:
    slots = free_slots(
        appointment.service,
        start_day=day,
        end_day=day + dt.timedelta(days=7),
        now=NOON,
        location=appointment.location,
        therapist=appointment.therapist,
        client=appointment.client,
        staff=True,
    )
    assert slots
    return slots[0].start


def _appointment_emails(front_desk: User, alex: Client) -> Appointment:
    """Alex's appointment emails: a move, a booking and a cancellation (which offers the freed
    time to the waitlist). Returns the new booking, whose reminders are queued."""
    upcoming = list(
        alex.appointments.filter(status=AppointmentStatus.BOOKED, starts__gt=NOON).order_by(
            "starts"
        )
    )
    assert len(upcoming) >= 2
    moved, cancelled = upcoming[0], upcoming[1]
    booking.reschedule_appointment(
        front_desk, moved, _free_start(moved, TODAY + dt.timedelta(days=3)), now=NOON
    )
    booked = booking.book_appointment(
        front_desk,
        alex,
        moved.service,
        moved.therapist,
        moved.location,
        _free_start(moved, TODAY + dt.timedelta(days=8)),
        now=NOON,
    )
    booking.cancel_appointment(front_desk, cancelled, "Travelling.", NOON)
    return booked


def _attachments_text(message: Any) -> list[tuple[str, str]]:
    found = []
    for name, content, mime in message.attachments:
        if mime == "application/pdf":
            found.append((name, pdf_text(content)))
        else:
            found.append((name, content.decode() if isinstance(content, bytes) else content))
    return found


@override_settings(TASKS=DATABASE_QUEUE)
def test_every_email_speaks_plainly(django_capture_on_commit_callbacks: Any) -> None:
    """Letters and summaries to physicians, appointment emails, a waitlist offer, reminders, a
    portal invitation and the billing documents, sent through the real queue."""
    staff = User.objects.get(email="maya.thompson@backcare.demo")
    front_desk = User.objects.get(email="frontdesk@backcare.demo")
    alex = Client.objects.get(email="alex.rivera@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        for screening in _one_of_each(_latest_screenings()):
            if screening.client.physician_email:
                email_referral_letter(staff, screening.client, screening, today=TODAY)
        latest = alex.screenings.order_by("-created_at", "-pk").first()
        assert latest is not None
        for purpose in ("possible_injury", "not_responding"):
            email_referral_letter(staff, alex, latest, today=TODAY, purpose=purpose)
        # Every summary is read in full above; here, one email of each program status.
        programs: dict[str, Program] = {}
        for program in Program.objects.filter(client__physician_email__gt="").order_by("pk"):
            programs.setdefault(program.status, program)
        assert ProgramStatus.DISCHARGED in programs
        for program in programs.values():
            email_discharge_summary(staff, program, today=TODAY)
        booked = _appointment_emails(front_desk, alex)
        newcomer = Client.objects.filter(user__isnull=True).exclude(email="").first()
        assert newcomer is not None
        invite_client_to_portal(front_desk, newcomer)
        # The billing documents: a receipt, the superbill and the letter for an HSA or FSA.
        receipt_of = alex.invoices.order_by("pk").first()
        for document in BILLING_DOCUMENTS:
            invoice = receipt_of if document == "receipt" else None
            email_document(front_desk, document, alex, TODAY, invoice)
    run_worker()
    for hours in (48, 2):
        with time_machine.travel(booked.starts - dt.timedelta(hours=hours), tick=False):
            run_worker()

    subjects = [message.subject for message in mail.outbox]
    for kind in (
        "Referral from",
        "Discharge summary from",
        "Your appointment",
        "Cancelled:",
        "Your receipt",
        "Your superbill",
        "Your letter for your health account",
    ):
        assert any(subject.startswith(kind) for subject in subjects), (kind, subjects)
    assert any(subject.startswith("Reminder:") for subject in subjects), subjects
    assert len(mail.outbox) > 20
    for message in mail.outbox:
        what = f"the email {message.subject!r} to {message.to}"
        assert_plain(what, f"{message.subject}\n{message.body}")
        for content, mime in getattr(message, "alternatives", []):
            if mime == "text/html":
                assert_plain(f"{what} (HTML)", visible_text(content))
        for name, text in _attachments_text(message):
            assert_plain(f"{name} attached to {what}", text)
    # Subjects show on lock screens and in mail logs: every email the demo made (its outbox) and
    # every one sent above names no client and says nothing clinical.
    subjects.extend(Notice.objects.values_list("subject", flat=True))
    assert {notice.kind for notice in Notice.objects.all()} >= {
        "appointment_booked",
        "appointment_reminder",
        "invitation",
    }
    for subject in subjects:
        assert_private_subject(str(subject))


# Words that would tell a stranger reading a subject line something about someone's health.
CLINICAL_WORDS = re.compile(
    r"\b(pain|injur\w*|red.flag|screening|alert|safety|cancer|fracture|numb\w*|symptom\w*|"
    r"diagnos\w*|medical|medication|pregnan\w*|surgery|infection|fever|weight|clearance|"
    r"back|spine|spinal|sciatica)\b",
    re.IGNORECASE,
)


def assert_private_subject(subject: str) -> None:
    names = {
        name.lower()
        for first, last in Client.objects.values_list("first_name", "last_name")
        for name in (first, last)
        if len(name) > 2
    }
    words = set(re.findall(r"[\w'-]+", subject.lower()))
    assert not words & names, f"the subject {subject!r} names a client"
    assert not CLINICAL_WORDS.search(subject), f"the subject {subject!r} says something clinical"


# --- the portal, as demo clients see it ---------------------------------------------------------


def _portal_names() -> set[str]:
    """Every named URL under /portal/, and the technique pages clients read."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", route

    return {
        name
        for name, route in walk(get_resolver().url_patterns, "", "")
        if route.startswith("portal/") or name.startswith("care:technique")
    }


def _portal_urls(client: Client) -> dict[str, list[str]]:
    """Each portal URL name with every address of it this client can open."""
    appointments = list(client.appointments.order_by("starts").values_list("pk", flat=True))
    programs = list(client.programs.values_list("pk", flat=True))
    entries = list(client.waitlist_entries.values_list("pk", flat=True))
    invoices = list(client.invoices.values_list("pk", flat=True))
    steps = [step.id for step in load_questionnaire().steps]
    techniques = [technique.code for technique in load_catalogue()]

    def each(name: str, values: list[Any]) -> list[str]:
        return [reverse(name, args=[value]) for value in values]

    return {
        "portal:home": [reverse("portal:home")],
        "booking:start": [reverse("booking:start")],
        "booking:confirm": [reverse("booking:confirm")],
        "booking:appointments": [reverse("booking:appointments")],
        "booking:appointment": each("booking:appointment", appointments),
        "booking:reschedule": each("booking:reschedule", appointments),
        "booking:reschedule_confirm": each("booking:reschedule_confirm", appointments),
        "booking:cancel": each("booking:cancel", appointments),
        "booking:calendar": each("booking:calendar", appointments),
        "notes:portal_check_in": each("notes:portal_check_in", appointments),
        "intake:portal_start": [reverse("intake:portal_start")],
        "intake:portal_review": [reverse("intake:portal_review")],
        "intake:portal_step": each("intake:portal_step", steps),
        "intake:portal_result": [reverse("intake:portal_result")],
        "screening:portal_letter": [reverse("screening:portal_letter")],
        "outcomes:portal_progress": [reverse("outcomes:portal_progress")],
        "outcomes:portal_collect": [reverse("outcomes:portal_collect")],
        "outcomes:portal_summary_pdf": each("outcomes:portal_summary_pdf", programs),
        "care:portal_program": each("care:portal_program", programs),
        "care:techniques": [reverse("care:techniques")],
        "care:technique": each("care:technique", techniques),
        "waitlist:portal_list": [reverse("waitlist:portal_list")],
        "waitlist:portal_join": [reverse("waitlist:portal_join")],
        "waitlist:portal_leave": each("waitlist:portal_leave", entries),
        "self_service:details": [reverse("self_service:details")],
        "self_service:reminders": [reverse("self_service:reminders")],
        "self_service:documents": [reverse("self_service:documents")],
        "self_service:doctor_note": [reverse("self_service:doctor_note")],
        "portal_billing:home": [reverse("portal_billing:home")],
        "portal_billing:receipt": each("portal_billing:receipt", invoices),
        "portal_billing:pay_online": each("portal_billing:pay_online", invoices),
        "portal_billing:superbill": [reverse("portal_billing:superbill")],
        "portal_billing:necessity_letter": [reverse("portal_billing:necessity_letter")],
    }


def _portal_client(kind: str) -> Client:
    """Alex (the demo's portal login, on a paused program with alerts), or a client whose
    screening holds care, given a login here."""
    if kind == "alex":
        return Client.objects.get(email="alex.rivera@example.com")
    decision = {
        "urgent": Decision.URGENT_REFERRAL,
        "clearance": Decision.MEDICAL_CLEARANCE_REQUIRED,
    }
    client = (
        Client.objects.filter(screenings__decision=decision[kind], clearances__isnull=True)
        .order_by("pk")
        .first()
    )
    assert client is not None
    if client.user is None:
        client.user = create_client_login(None, client, password=None)
    return client


@pytest.mark.parametrize("kind", ["alex", "clearance", "urgent"])
def test_every_portal_page_speaks_plainly(kind: str) -> None:
    client = _portal_client(kind)
    assert client.user is not None
    http = HttpClient()
    http.force_login(client.user)
    urls = _portal_urls(client)
    assert set(urls) >= _portal_names(), "a portal page this test does not open"
    read = 0
    for name, addresses in urls.items():
        for address in addresses:
            response = http.get(address)
            if response.status_code != 200:
                continue  # a redirect, or nothing of this client's there: nothing to read
            assert_plain(f"{name} ({address}) for {client}", readable(response))
            read += 1
    assert read > 10

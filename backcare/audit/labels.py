"""Every audit action, registered once with the sentence it reads as and the fields it shows.

An audit row stores a short action string (``note.signed``); this registry says what it means
in words, as pretix's ``control/logdisplay.py`` does for its log: the owner's audit page, its
CSV export and an appointment's history read the rows as sentences through it
(:mod:`backcare.staff.audit.display`). A sentence names ``{actor}`` (who did it, or the ``system``
name when nobody was signed in), ``{client}`` (whose data it is) and ``{object}`` (the record's
own name). ``fields`` are the recorded changes worth showing under the sentence; every
recorded value stays in the row and the CSV export.

Plain data, no Django. ``tests/test_audit.py`` walks the source for every action string that
reaches ``record()`` and fails on one not registered here; with ``AUDIT_STRICT`` (tests, and
``DEBUG``) ``record()`` refuses one at once.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Final, Literal

ALL: Final = "*"
"""``fields=ALL``: show every recorded change (edits, whose changed fields vary)."""

PLACEHOLDERS = frozenset({"actor", "client", "object"})
SYSTEM = "Backcare"
_ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
_MAX_LENGTH = 60  # AuditEvent.action


class UnregisteredAuditAction(LookupError):
    """An audit action string that has no label: register it below."""


@dataclass(frozen=True)
class Label:
    action: str
    sentence: str
    fields: tuple[str, ...] | Literal["*"]
    system: str


LABELS: dict[str, Label] = {}


def register(
    action: str,
    sentence: str,
    *,
    fields: tuple[str, ...] | Literal["*"] = (),
    system: str = SYSTEM,
) -> Label:
    """Register ``action`` once, with its sentence and the fields it shows."""
    if action in LABELS:
        raise ValueError(f"audit action registered twice: {action}")
    if not _ACTION.match(action) or len(action) > _MAX_LENGTH:
        raise ValueError(f"audit action must read like 'note.signed' (≤ 60): {action!r}")
    named = {name for _, name, _, _ in string.Formatter().parse(sentence) if name is not None}
    if not named <= PLACEHOLDERS:
        unknown = ", ".join(sorted(named - PLACEHOLDERS))
        raise ValueError(f"{action}: the sentence may name actor, client, object; not {unknown}")
    label = Label(action, sentence, fields if fields == ALL else tuple(fields), system)
    LABELS[action] = label
    return label


def label_for(action: str) -> Label | None:
    return LABELS.get(action)


def check(action: str) -> Label:
    """The label of ``action``; raises :class:`UnregisteredAuditAction` when there is none."""
    label = LABELS.get(action)
    if label is None:
        raise UnregisteredAuditAction(
            f"audit action {action!r} is not registered in backcare/audit/labels.py"
        )
    return label


# --- How recorded fields are named and shown ---------------------------------------------------

FIELD_LABELS: dict[str, str] = {
    "action_taken": "what was done",
    "answered_on": "date of the doctor's answer",
    "cancel_reason": "reason",
    "cleared_on": "cleared on",
    "covers": "covers",
    "date_of_birth": "date of birth",
    "ends": "until",
    "earliest": "from",
    "ends_on": "last day",
    "expires_at": "offer lapses",
    "first_name": "first name",
    "from_version": "from version",
    "full_name": "full name",
    "health_changed": "health changed",
    "last_name": "last name",
    "latest": "until",
    "late_cancellation": "late cancellation",
    "nrs": "pain now (0–10)",
    "paused_program": "paused the program",
    "physician_name": "doctor",
    "pressure_cap": "pressure cap",
    "red_flag_codes": "red flags",
    "revoked_at": "revoked at",
    "ruleset_version": "rule set",
    "session_stopped": "session stopped",
    "starts": "time",
    "starts_on": "first day",
    "tissue_response": "tissue response",
    "withdrawn_at": "withdrawn at",
}

Kind = Literal["text", "when", "date", "yesno", "therapist", "location", "room", "service"]

FIELD_KINDS: dict[str, Kind] = {
    "answered_on": "date",
    "cancelled_at": "when",
    "cleared_on": "date",
    "date_of_birth": "date",
    "earliest": "date",
    "ended_at": "when",
    "ends": "when",
    "ends_on": "date",
    "expires_at": "when",
    "health_changed": "yesno",
    "late_cancellation": "yesno",
    "latest": "date",
    "location": "location",
    "locations": "location",
    "paused_program": "yesno",
    "revoked_at": "when",
    "room": "room",
    "service": "service",
    "session_stopped": "yesno",
    "signed_at": "when",
    "starts": "when",
    "starts_on": "date",
    "therapist": "therapist",
    "withdrawn_at": "when",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def field_kind(name: str) -> Kind:
    return FIELD_KINDS.get(name, "text")


# --- The register ---------------------------------------------------------------------------

# Signing in and passwords (accounts). A row of someone not signed in names the address tried.
register("signin.succeeded", "{actor} signed in")
register("signin.failed", "{actor} could not sign in", fields=("refused",), system="Someone")
register("signin.signed_out", "{actor} signed out", fields=("because",))
register(
    "signin.locked_out",
    "{actor} was locked out of signing in after repeated failures",
    fields=("failures",),
    system="Someone",
)
register(
    "password.reset_requested",
    "{actor} asked for a link to set a new password",
    fields=("refused",),
    system="Someone",
)
register("password.reset", "{actor} set a new password from an emailed link")
register(
    "password.chosen",
    "{actor} chose their first password from an emailed link and was signed in",
)
register("password.changed", "{actor} changed their password")
register("password.set_by_admin", "{actor} set the password of {object} in the admin")
register("two_factor.enrolled", "{actor} set up a second step for signing in", fields=("device",))
register("two_factor.verified", "{actor} confirmed their sign-in", fields=("device",))
register("two_factor.failed", "{actor} gave a wrong second-step code", fields=("device",))
register("two_factor.removed", "{actor} removed a way to sign in", fields=("device", "name"))
register("two_factor.reset", "{actor} reset the two-step sign-in of {object}", fields=("devices",))
register(
    "two_factor.recovery_code_used", "{actor} signed in with a recovery code", fields=("left",)
)
register("two_factor.recovery_codes_made", "{actor} made new recovery codes")
register("user.created", "{actor} created the login {object}", fields=("email", "role"))
register("user.updated", "{actor} changed the login {object}", fields=ALL)

# Clients, places and people (clinic)
register(
    "client.registered",
    "{actor} registered {client} as a client",
    fields=("first_name", "last_name", "date_of_birth", "email", "phone"),
)
register("client.updated", "{actor} changed the record of {client}", fields=ALL)
register("client.viewed", "{actor} opened the record of {client}")
register(
    "doctor_note.uploaded",
    "{actor} sent the clinic a doctor's note for {client}",
    fields=("document",),
)
register("doctor_note.viewed", "{actor} opened a doctor's note sent by {client}")
register("consent.given", "{actor} recorded the consent of {client}", fields=("kind", "version"))
register(
    "consent.withdrawn",
    "{actor} recorded that {client} withdrew a consent ({object})",
    fields=("withdrawn_at",),
)
register(
    "care_team.added",
    "{actor} added a therapist to the care team of {client}",
    fields=("therapist", "reason"),
)
register("care_team.removed", "{actor} ended a care-team membership: {object}")
register("location.created", "{actor} added the location {object}", fields=("name", "city"))
register("location.updated", "{actor} changed the location {object}", fields=ALL)
register("room.created", "{actor} added the room {object}", fields=("name",))
register("room.updated", "{actor} changed the room {object}", fields=ALL)
register(
    "service.created",
    "{actor} added the service {object}",
    fields=("name", "duration_minutes", "price"),
)
register("service.updated", "{actor} changed the service {object}", fields=ALL)
register("therapist.created", "{actor} added the therapist {object}")
register("therapist.updated", "{actor} changed the therapist {object}", fields=ALL)

# The schedule (scheduling, feeds)
register(
    "working_hours.added",
    "{actor} set working hours: {object}",
    fields=("therapist", "location", "hours", "breaks"),
)
register("working_hours.removed", "{actor} removed working hours: {object}")
register("time_off.added", "{actor} added time off: {object}", fields=("reason",))
register("time_off.removed", "{actor} removed time off: {object}")
register(
    "closure.added", "{actor} closed a location: {object}", fields=("starts_on", "ends_on", "name")
)
register("closure.removed", "{actor} removed the closure {object}")
register("booking_policy.updated", "{actor} changed the booking policy", fields=ALL)
register("privacy_notice.updated", "{actor} changed the privacy notice", fields=ALL)
register(
    "appointment.booked",
    "{actor} booked an appointment for {client}",
    fields=("starts", "therapist", "service", "location"),
)
register(
    "appointment.rescheduled",
    "{actor} moved the appointment of {client}",
    fields=("starts", "therapist", "room", "location"),
)
register(
    "appointment.cancelled",
    "{actor} cancelled the appointment of {client}",
    fields=("late_cancellation", "cancel_reason"),
)
register("appointment.checked_in", "{actor} checked {client} in")
register("appointment.no_show", "{actor} marked {client} as a no-show")
register("appointment.completed", "{actor} marked the session of {client} as completed")
register(
    "appointment.completed_without_check_in",
    "{actor} completed the session of {client} without a check-in",
    fields=("reason",),
)
register(
    "appointment.series_booked",
    "{actor} booked a series of appointments for {client}",
    fields=("booked", "refused"),
)
register(
    "calendar_feed.created",
    "{actor} made a new private calendar address for a therapist",
    fields=("therapist",),
)
register("calendar_feed.revoked", "{actor} revoked a private calendar address ({object})")
register(
    "calendar_feed.read",
    "The calendar app of {actor} read their private calendar feed",
    fields=("appointments",),
)

# The waitlist
register(
    "waitlist.joined",
    "{actor} put {client} on the waitlist",
    fields=("service", "location", "therapist", "earliest", "latest"),
)
register("waitlist.left", "{actor} took {client} off the waitlist")
register(
    "waitlist.offered",
    "{actor} offered {client} a freed time from the waitlist",
    system="The waitlist",
)
register("waitlist.offer_accepted", "{actor} accepted the waitlist offer to {client}")
register("waitlist.offer_declined", "{actor} declined the waitlist offer to {client}")
register(
    "waitlist.offer_taken", "{actor} answered the waitlist offer to {client}, but it was taken"
)
register("waitlist.offer_withdrawn", "{actor} withdrew the waitlist offer to {client}")
register("waitlist.offer_expired", "The waitlist offer to {client} lapsed")
register("waitlist.booked", "{actor} booked {client} from the waitlist")
register("waitlist.expired", "The waitlist place of {client} expired")

# Intake and screening
register(
    "intake.started",
    "{actor} started a health questionnaire for {client}",
    fields=("source", "from_version"),
)
register("intake.answered", "{actor} saved answers to the health questionnaire of {client}")
register(
    "intake.submitted", "{actor} sent the health questionnaire of {client}", fields=("version",)
)
register("intake.viewed", "{actor} read the health questionnaire of {client}")
register(
    "screening.recorded",
    "{actor} screened {client}",
    fields=("decision", "codes", "ruleset_version"),
    system="The safety rules",
)
register("screening.viewed", "{actor} read the screening of {client}")
register(
    "clearance.recorded",
    "{actor} recorded a medical clearance for {client}",
    fields=("physician_name", "cleared_on", "covers"),
)
register("clearance.document_viewed", "{actor} opened the clearance document of {client}")
register(
    "referral_letter.emailed",
    "{actor} emailed a referral letter about {client} to their doctor",
    fields=("to", "purpose"),
)
register("referral_letter.downloaded", "{actor} downloaded a referral letter about {client}")

# Clinical holds
register(
    "hold.refused",
    "{actor} was stopped by the clinical hold on {client}",
    fields=("door", "causes"),
)
register(
    "hold.lifted",
    "{actor} lifted the clinical hold on {client}",
    fields=("basis", "causes", "physician_name", "answered_on", "reason"),
)
register("hold.viewed", "{actor} opened the clinical hold of {client}")

# Care programs
register(
    "program.created",
    "{actor} planned a care program for {client}",
    fields=("template", "therapist", "pressure_cap"),
)
register(
    "program.status_changed",
    "{actor} changed the status of the care program of {client}",
    fields=("status", "reason"),
)
register("program.appointments_attached", "{actor} added sessions to the care program of {client}")
register("program.viewed", "{actor} read the care program of {client}")

# Check-ins, session notes and alerts
register(
    "check_in.recorded",
    "{actor} recorded the check-in of {client}",
    fields=("nrs", "red_flag_codes", "session_stopped"),
)
register("note.started", "{actor} started the session note of {client}")
register("note.saved", "{actor} saved the draft session note of {client}")
register("note.signed", "{actor} signed the session note of {client}", fields=("tissue_response",))
register(
    "note.addendum_added",
    "{actor} added an addendum to the session note of {client}",
    fields=("text",),
)
register("note.viewed", "{actor} read the session note of {client}")
register(
    "alert.opened",
    "{actor} opened an alert about {client}",
    fields=("kind", "paused_program"),
    system="The response monitor",
)
register(
    "alert.acknowledged",
    "{actor} acknowledged an alert about {client}",
    fields=("action_taken",),
)
register("alert.viewed", "{actor} read an alert about {client}")

# Outcomes
register(
    "outcome.recorded",
    "{actor} recorded an outcome measure for {client}",
    fields=("instrument", "score", "occasion"),
)
register("progress.viewed", "{actor} read the progress of {client}")
register("discharge_summary.viewed", "{actor} read the discharge summary of {client}")
register("discharge_summary.downloaded", "{actor} downloaded the discharge summary of {client}")
register(
    "discharge_summary.emailed",
    "{actor} emailed the discharge summary of {client} to their doctor",
    fields=("to",),
)

# The owner's pages
register("analytics.viewed", "{actor} opened the clinic analytics", fields=("filters",))
register("analytics.exported", "{actor} downloaded clinic analytics", fields=("table", "filters"))
register(
    "email.retried",
    "{actor} asked Backcare to try an undeliverable email again: {object}",
    fields=("last_error",),
)
register("audit.exported", "{actor} downloaded the audit log", fields=("filters",))

# Billing
register(
    "invoice.issued",
    "{actor} issued an invoice to {client}",
    fields=("number", "kind", "total"),
)
register(
    "invoice.voided",
    "{actor} voided an invoice of {client} by a credit note",
    fields=("credit_note", "reason"),
)
register(
    "fee.charged", "{actor} charged {client} a fee", fields=("fee",), system="The booking policy"
)
register(
    "fee.waived",
    "{actor} waived a fee of {client}",
    fields=("credit_note", "reason"),
)
register(
    "payment.recorded",
    "{actor} recorded a payment by {client}",
    fields=("invoice", "method", "amount"),
)
register(
    "payment.refunded",
    "{actor} refunded {client}",
    fields=("invoice", "amount", "reason"),
)
register(
    "payment.online_unrecorded",
    "{actor} took a card payment from {client} online that Backcare could not record: "
    "it is to be refunded in Stripe",
    fields=("invoice", "amount", "reason", "reference"),
    system="Stripe",
)
register(
    "package.sold",
    "{actor} sold a package of sessions to {client}",
    fields=("sessions", "paid_sessions", "expires_on"),
)
register(
    "package.credit_used", "{actor} used a package credit of {client}", fields=("credits_left",)
)
register("gift_card.issued", "{actor} sold a gift card to {client}", fields=("amount",))
register("price.set", "{actor} set the price of {object}", fields=ALL)
register("fees.set", "{actor} set the late-cancellation and no-show fees", fields=ALL)
register("provider_numbers.set", "{actor} set the provider numbers a superbill prints", fields=ALL)
register("diagnosis_codes.set", "{actor} set the client's diagnosis codes", fields=ALL)
register(
    "day.closed",
    "{actor} closed the day at a location",
    fields=("expected", "counted", "difference"),
)
register("billing.viewed", "{actor} read the billing of {client}")
register(
    "billing_document.downloaded",
    "{actor} downloaded a billing document of {client}",
    fields=("document",),
)
register(
    "billing_document.emailed",
    "{actor} emailed a billing document to {client}",
    fields=("document",),
)
register("billing.exported", "{actor} downloaded a billing report", fields=("table",))
# Connected systems (SMART Backend Services)
register(
    "system_client.registered",
    "{actor} connected the system {object}",
    fields=("client_id", "scopes"),
)
register("system_client.revoked", "{actor} disconnected the system {object}")
register(
    "system_token.issued",
    "{actor} was given an access token",
    fields=("scopes", "expires_at"),
    system="A connected system",
)
register(
    "system_token.refused",
    "{actor} was refused an access token",
    fields=("error", "reason"),
    system="A connected system",
)
register(
    "system_token.used",
    "{actor} used its access token",
    fields=("method", "path"),
    system="A connected system",
)

# FHIR (physicians' systems, bulk export)
register("fhir.read", "{actor} read a FHIR record of {client}", fields=("resource",))
register("fhir.searched", "{actor} searched FHIR records of {client}", fields=("resource",))
register("fhir.everything", "{actor} read the whole FHIR record of {client}")
register("fhir.document_read", "{actor} downloaded a document of {client} through FHIR")
register(
    "fhir.export_started",
    "{actor} started a FHIR bulk export",
    fields=("types", "since"),
)
register("fhir.export_downloaded", "{actor} downloaded a FHIR export file", fields=("type",))
register("fhir.export_cancelled", "{actor} cancelled a FHIR bulk export")
register(
    "fhir.exported_cli",
    "The FHIR export command wrote the records",
    fields=("types", "since", "counts"),
)

# The REST API (a connected system's reads; its token use is system_token.used)
register("api.client_read", "{actor} read the record of {client} through the API")
register("api.program_read", "{actor} read the program of {client} through the API")
register("api.outcome_read", "{actor} read an outcome measure of {client} through the API")

# Moving in from another practice system
register(
    "import.started",
    "{actor} uploaded {object}",
    fields=("kind", "system", "filename", "dry_run"),
)
register(
    "import.finished",
    "{object} finished",
    fields=("rows", "created", "updated", "errors", "written"),
)
# The admin (/admin/): every save and delete there, with the values before and after
register("admin.added", "{actor} added a record in the admin: {object}", fields=ALL)
register("admin.changed", "{actor} changed a record in the admin: {object}", fields=ALL)
register("admin.deleted", "{actor} deleted a record in the admin: {object}", fields=ALL)

# Refusals by the access policy
register("access.refused", "{actor} was refused access to {object}", fields=("permission",))

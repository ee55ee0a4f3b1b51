"""The clinic's records as FHIR R4 resources: one plain function a resource type, model in,
JSON-ready dict out. No queries of their own beyond the related rows they are given (the
loaders in :mod:`backcare.interop.kinds` fetch those), no access checks (the views ask the
policy first). References are relative (``Patient/12``): they resolve at this server, inside a
Bundle and inside an export, which carry every resource referred to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from backcare.interop import codes

if TYPE_CHECKING:
    from backcare.booking.models import Appointment
    from backcare.care.models import Goal, Program
    from backcare.clinic.models import Client, Consent, Location, Service, Therapist
    from backcare.holds.rules import ClinicalHold
    from backcare.notes.models import Alert
    from backcare.outcomes.instruments import Instrument
    from backcare.outcomes.models import Response
    from backcare.screening.models import Screening

Resource = dict[str, Any]
ORGANIZATION_ID = "clinic"


def identifier_system(kind: str) -> str:
    """The clinic's own identifier system for its records of one kind (its site address)."""
    return f"{settings.SITE_URL.rstrip('/')}/fhir/sid/{kind}"


def local_code_system() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/fhir/CodeSystem/backcare"


def instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def ref(resource_type: str, resource_id: object, display: str | None = None) -> dict[str, str]:
    reference = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        reference["display"] = display
    return reference


def meta(updated: dt.datetime | None) -> dict[str, str]:
    return {"lastUpdated": instant(updated)} if updated is not None else {}


def _with_meta(resource: Resource, updated: dt.datetime | None) -> Resource:
    if updated is not None:
        resource["meta"] = meta(updated)
    return resource


def _human_name(full_name: str) -> dict[str, Any]:
    parts = full_name.split()
    name: dict[str, Any] = {"text": full_name}
    if len(parts) > 1:
        name["family"] = parts[-1]
        name["given"] = parts[:-1]
    elif parts:
        name["given"] = parts
    return name


def _telecom(phone: str = "", email: str = "") -> list[dict[str, str]]:
    telecom = []
    if phone:
        telecom.append({"system": "phone", "value": phone})
    if email:
        telecom.append({"system": "email", "value": email})
    return telecom


# --- The clinic: organization, places, people, services ----------------------------------------


def organization() -> Resource:
    resource: Resource = {
        "resourceType": "Organization",
        "id": ORGANIZATION_ID,
        "active": True,
        "name": settings.CLINIC_NAME,
        "type": [
            codes.concept(
                codes.coding(
                    "http://terminology.hl7.org/CodeSystem/organization-type",
                    "prov",
                    "Healthcare Provider",
                )
            )
        ],
    }
    if settings.CLINIC_EMAIL:
        resource["telecom"] = _telecom(email=settings.CLINIC_EMAIL)
    return resource


def location(place: Location) -> Resource:
    lines = [line for line in (place.address_line1, place.address_line2) if line]
    resource: Resource = {
        "resourceType": "Location",
        "id": str(place.pk),
        "status": "active" if place.active else "inactive",
        "name": place.name,
        "mode": "instance",
        "address": {
            "use": "work",
            "line": lines,
            "city": place.city,
            "state": place.state,
            "postalCode": place.postal_code,
            "country": "US",
        },
        "managingOrganization": ref("Organization", ORGANIZATION_ID),
    }
    npi = _npi(place)
    if npi:
        resource["identifier"] = [{"system": codes.NPI, "value": npi}]
    if place.phone:
        resource["telecom"] = _telecom(phone=place.phone)
    return resource


def _npi(owner: Therapist | Location) -> str:
    """The NPI the clinic entered for a therapist or a location (its billing numbers), or ""."""
    try:
        numbers = owner.billing_numbers
    except ObjectDoesNotExist:
        return ""
    return str(numbers.npi or "")


def practitioner(therapist: Therapist) -> Resource:
    identifiers = [
        {
            "system": identifier_system(f"licence-{therapist.licence_state.lower()}"),
            "value": therapist.licence_number,
        }
    ]
    npi = _npi(therapist)
    return {
        "resourceType": "Practitioner",
        "id": str(therapist.pk),
        "identifier": [*identifiers, *([{"system": codes.NPI, "value": npi}] if npi else [])],
        "active": therapist.active,
        "name": [_human_name(therapist.user.full_name)],
        "telecom": _telecom(email=therapist.user.email),
        "qualification": [
            {
                "identifier": identifiers,
                "code": {"text": f"Licensed massage therapist ({therapist.licence_state})"},
            }
        ],
    }


def practitioner_role(therapist: Therapist, services: Iterable[Service]) -> Resource:
    return {
        "resourceType": "PractitionerRole",
        "id": str(therapist.pk),
        "active": therapist.active,
        "practitioner": ref("Practitioner", therapist.pk, therapist.user.full_name),
        "organization": ref("Organization", ORGANIZATION_ID),
        "code": [{"text": "Massage therapist"}],
        "location": [ref("Location", place.pk, place.name) for place in therapist.locations.all()],
        "healthcareService": [ref("HealthcareService", service.pk) for service in services],
    }


def healthcare_service(service: Service, places: Iterable[Location]) -> Resource:
    resource: Resource = {
        "resourceType": "HealthcareService",
        "id": str(service.pk),
        "active": service.active,
        "providedBy": ref("Organization", ORGANIZATION_ID),
        "name": service.name,
        "type": [{"text": "Massage therapy"}],
        "location": [ref("Location", place.pk, place.name) for place in places],
    }
    if service.description:
        resource["comment"] = service.description
    return resource


# --- The client -----------------------------------------------------------------------------


def patient(client: Client) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(client.pk),
        "identifier": [{"system": identifier_system("client"), "value": str(client.pk)}],
        "active": True,
        "name": [{"use": "official", "family": client.last_name, "given": [client.first_name]}],
        "birthDate": client.date_of_birth.isoformat(),
        "managingOrganization": ref("Organization", ORGANIZATION_ID),
    }
    telecom = _telecom(client.phone, client.email)
    if telecom:
        resource["telecom"] = telecom
    if client.address:
        resource["address"] = [{"use": "home", "text": client.address}]
    if client.emergency_contact_name:
        contact: dict[str, Any] = {
            "relationship": [
                codes.concept(
                    codes.coding(codes.CONTACT_RELATIONSHIP, "C", "Emergency Contact"),
                    text=client.emergency_contact_relationship or None,
                )
            ],
            "name": _human_name(client.emergency_contact_name),
        }
        if client.emergency_contact_phone:
            contact["telecom"] = _telecom(phone=client.emergency_contact_phone)
        resource["contact"] = [contact]
    if client.physician_name:
        # The physician is outside the clinic: named, with no resource of their own.
        resource["generalPractitioner"] = [{"display": _physician(client)}]
    return _with_meta(resource, client.updated_at)


def _physician(client: Client) -> str:
    return ", ".join(part for part in (client.physician_name, client.physician_practice) if part)


def consent(record: Consent) -> Resource:
    scope = "treatment" if record.kind == "treatment" else "patient-privacy"
    resource: Resource = {
        "resourceType": "Consent",
        "id": str(record.pk),
        "status": "inactive" if record.withdrawn_at else "active",
        "scope": codes.concept(
            codes.coding(codes.CONSENT_SCOPE, scope, scope.replace("-", " ").title())
        ),
        "category": [codes.concept(codes.CONSENT_DOCUMENT, text=record.get_kind_display())],
        "patient": ref("Patient", record.client_id),
        "dateTime": instant(record.given_at),
        "organization": [ref("Organization", ORGANIZATION_ID)],
        "policyRule": {"text": f"{record.get_kind_display()}, version {record.version}"},
        "provision": {
            "type": "permit",
            "period": {
                "start": instant(record.given_at),
                **({"end": instant(record.withdrawn_at)} if record.withdrawn_at else {}),
            },
        },
    }
    return _with_meta(resource, record.withdrawn_at or record.given_at)


def condition(client: Client, recorded: dt.datetime | None) -> Resource:
    resource: Resource = {
        "resourceType": "Condition",
        "id": str(client.pk),
        "clinicalStatus": codes.concept(codes.coding(codes.CONDITION_CLINICAL, "active", "Active")),
        "verificationStatus": codes.concept(
            codes.coding(codes.CONDITION_VERIFICATION, "provisional", "Provisional")
        ),
        "category": [codes.PROBLEM_LIST],
        "code": codes.LOW_BACK_PAIN,
        "subject": ref("Patient", client.pk),
    }
    if recorded is not None:
        resource["recordedDate"] = instant(recorded)
    return _with_meta(resource, recorded)


# --- Sessions -------------------------------------------------------------------------------

_APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked_in": "arrived",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}
ATTENDED = ("checked_in", "completed")


def appointment(visit: Appointment) -> Resource:
    resource: Resource = {
        "resourceType": "Appointment",
        "id": str(visit.pk),
        "status": _APPOINTMENT_STATUS[visit.status],
        "serviceType": [{"text": visit.service.name}],
        "start": instant(visit.starts),
        "end": instant(visit.ends),
        "minutesDuration": int((visit.ends - visit.starts).total_seconds() // 60),
        "created": instant(visit.booked_at),
        "participant": [
            {"actor": ref("Patient", visit.client_id), "status": "accepted"},
            {
                "actor": ref("Practitioner", visit.therapist_id, visit.therapist.user.full_name),
                "status": "accepted",
            },
            {
                "actor": ref("Location", visit.location_id, visit.location.name),
                "status": "accepted",
            },
            {"actor": ref("HealthcareService", visit.service_id), "status": "accepted"},
        ],
    }
    if visit.cancel_reason:
        resource["cancelationReason"] = {"text": visit.cancel_reason}
    return _with_meta(resource, visit.updated_at)


def encounter(visit: Appointment, note_signed: dt.datetime | None) -> Resource:
    """An attended session: checked in (in progress) or completed (finished). It last changed
    when the appointment did (checked in, completed) or its note was signed, if later."""
    resource: Resource = {
        "resourceType": "Encounter",
        "id": str(visit.pk),
        "status": "finished" if visit.status == "completed" else "in-progress",
        "class": codes.AMBULATORY,
        "type": [{"text": visit.service.name}],
        "subject": ref("Patient", visit.client_id),
        "participant": [
            {"individual": ref("Practitioner", visit.therapist_id, visit.therapist.user.full_name)}
        ],
        "appointment": [ref("Appointment", visit.pk)],
        "period": {"start": instant(visit.starts), "end": instant(visit.ends)},
        "reasonReference": [ref("Condition", visit.client_id)],
        "location": [{"location": ref("Location", visit.location_id, visit.location.name)}],
        "serviceProvider": ref("Organization", ORGANIZATION_ID),
    }
    return _with_meta(resource, max(visit.updated_at, note_signed or visit.updated_at))


# --- The program ----------------------------------------------------------------------------

_CAREPLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "paused": "on-hold",
    "completed": "completed",
    "discharged": "completed",
    "referred_out": "revoked",
}


def care_plan(
    program: Program, goals: Iterable[Goal], technique_names: Mapping[str, str]
) -> Resource:
    activities = [
        {
            "detail": {
                "kind": "ServiceRequest",
                "code": {"text": technique_names.get(code, code)},
                "status": "in-progress" if program.status == "active" else "not-started",
                "performer": [ref("Practitioner", program.therapist_id)],
            }
        }
        for code in _technique_codes(program.techniques)
    ]
    if program.self_care:
        activities.append(
            {
                "detail": {
                    "status": "in-progress",
                    "description": program.self_care,
                    "code": {"text": "Self-care and home exercise"},
                }
            }
        )
    resource: Resource = {
        "resourceType": "CarePlan",
        "id": str(program.pk),
        "status": _CAREPLAN_STATUS[program.status],
        "intent": "plan",
        "title": program.title,
        "description": (
            f"{program.sessions_planned} sessions, {program.sessions_per_week} a week, "
            f"pressure at most {program.pressure_cap} of 5."
        ),
        "subject": ref("Patient", program.client_id),
        "created": instant(program.created_at),
        "author": ref("Practitioner", program.therapist_id),
        "addresses": [ref("Condition", program.client_id)],
        "goal": [ref("Goal", goal.pk) for goal in goals],
        "activity": activities,
    }
    if program.started_on:
        resource["period"] = {"start": program.started_on.isoformat()}
        if program.ended_on:
            resource["period"]["end"] = program.ended_on.isoformat()
    return _with_meta(resource, program.updated_at)


def _technique_codes(techniques: object) -> list[str]:
    found = []
    for entry in techniques if isinstance(techniques, list) else []:
        code = entry.get("code") if isinstance(entry, dict) else entry
        if isinstance(code, str):
            found.append(code)
    return found


def goal(item: Goal) -> Resource:
    program = item.program
    ended = program.status in ("completed", "discharged", "referred_out")
    resource: Resource = {
        "resourceType": "Goal",
        "id": str(item.pk),
        "lifecycleStatus": "completed" if ended else "active",
        "description": {"text": f"{item.activity} (PSFS, 0 = unable, 10 = as before)"},
        "subject": ref("Patient", program.client_id),
        "addresses": [ref("Condition", program.client_id)],
        "target": [
            {
                "measure": codes.concept(
                    codes.coding(local_code_system(), "psfs-activity", "PSFS activity score")
                ),
                "detailInteger": item.target,
            }
        ],
        "note": [{"text": f"Baseline {item.baseline} of 10."}] if item.baseline is not None else [],
    }
    if program.started_on:
        resource["startDate"] = program.started_on.isoformat()
    if not resource["note"]:
        del resource["note"]
    return _with_meta(resource, program.updated_at)


# --- Outcome measures -----------------------------------------------------------------------


def _score_quantity(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "{score}", "system": codes.UCUM, "code": "{score}"}


def _measure_code(instrument: Instrument) -> dict[str, Any]:
    if instrument.id == "peg":
        return codes.concept(codes.PEG_SCORE, text=instrument.title)
    if instrument.score_code is not None:
        found = instrument.score_code
        return codes.concept(
            codes.coding(
                found["system"], found["code"], str(found.get("display", instrument.title))
            ),
            text=instrument.title,
        )
    return codes.concept(
        codes.coding(local_code_system(), instrument.id, instrument.title), text=instrument.title
    )


def observation(response: Response, instrument: Instrument, encounter_id: int | None) -> Resource:
    """One answered instrument's score: NRS (LOINC 72514-3), PEG (score 91147-9 with its three
    items as components), PSFS (the mean of the activities), PGIC (the answer chosen)."""
    resource: Resource = {
        "resourceType": "Observation",
        "id": str(response.pk),
        "status": "final",
        "category": [codes.SURVEY],
        "code": _measure_code(instrument),
        "subject": ref("Patient", response.client_id),
        "effectiveDateTime": instant(response.collected_at),
        "issued": instant(response.collected_at),
        "derivedFrom": [ref("QuestionnaireResponse", response.pk)],
    }
    if encounter_id is not None:
        resource["encounter"] = ref("Encounter", encounter_id)
    answers = response.answers if isinstance(response.answers, list) else []
    if instrument.id == "pgic":
        chosen = next(
            (
                option
                for item in instrument.items[:1]
                for option in item.options
                if answers and str(option.code) == str(answers[0])
            ),
            None,
        )
        resource["valueCodeableConcept"] = (
            codes.concept(
                codes.coding(local_code_system(), f"pgic-{chosen.code}", chosen.display),
                text=chosen.display,
            )
            if chosen is not None
            else {"text": str(answers[0]) if answers else "not answered"}
        )
    else:
        resource["valueQuantity"] = _score_quantity(response.score)
    if instrument.id == "peg":
        resource["component"] = [
            {"code": codes.concept(codes.PEG_ITEMS[item.link_id]), "valueInteger": int(answer)}
            for item, answer in zip(instrument.items, answers, strict=False)
            if item.link_id in codes.PEG_ITEMS and isinstance(answer, int | float)
        ]
    return _with_meta(resource, response.collected_at)


def questionnaire(instrument: Instrument) -> Resource:
    resource = dict(instrument.questionnaire)
    resource["id"] = instrument.id
    return resource


def questionnaire_response(response: Response, instrument: Instrument) -> Resource:
    items = []
    answers = response.answers if isinstance(response.answers, list) else []
    for item, answer in zip(instrument.items, answers, strict=False):
        if answer is None:
            continue
        items.append({"linkId": item.link_id, "text": item.text, "answer": [_answer(item, answer)]})
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.pk),
        "questionnaire": str(instrument.questionnaire.get("url", f"Questionnaire/{instrument.id}")),
        "status": "completed",
        "subject": ref("Patient", response.client_id),
        "authored": instant(response.collected_at),
        "source": ref("Patient", response.client_id),
        "item": items,
    }
    return _with_meta(resource, response.collected_at)


def _answer(item: Any, answer: object) -> dict[str, Any]:
    for option in getattr(item, "options", ()):
        if str(option.code) == str(answer):
            return {"valueCoding": {"code": str(option.code), "display": option.display}}
    if isinstance(answer, bool):
        return {"valueBoolean": answer}
    if isinstance(answer, int):
        return {"valueInteger": answer}
    if isinstance(answer, float):
        return {"valueDecimal": answer}
    return {"valueString": str(answer)}


# --- Alerts, holds, referrals, documents ----------------------------------------------------


def alert_flag(alert: Alert) -> Resource:
    resource: Resource = {
        "resourceType": "Flag",
        "id": f"alert-{alert.pk}",
        "status": "active" if alert.status == "open" else "inactive",
        "category": [codes.CLINICAL_FLAG],
        "code": {"text": f"{alert.get_kind_display()}: {alert.message}"},
        "subject": ref("Patient", alert.client_id),
        "period": {"start": instant(alert.opened_at)},
    }
    if alert.acknowledged_at:
        resource["period"]["end"] = instant(alert.acknowledged_at)
    return _with_meta(resource, alert.acknowledged_at or alert.opened_at)


def hold_flag(client: Client, hold: ClinicalHold, now: dt.datetime) -> Resource:
    words = "; ".join(dict.fromkeys(cause.staff_message for cause in hold.causes))
    resource: Resource = {
        "resourceType": "Flag",
        "id": f"hold-{client.pk}",
        "status": "active",
        "category": [codes.CLINICAL_FLAG],
        "code": {"text": f"Clinical hold: {words}"},
        "subject": ref("Patient", client.pk),
    }
    since = hold.since
    if since is not None:
        resource["period"] = {"start": instant(since)}
    return _with_meta(resource, since or now)


def screening_referral(screening: Screening) -> Resource:
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": f"s{screening.pk}",
        "status": "active",
        "intent": "order",
        "category": [codes.concept(codes.PATIENT_REFERRAL)],
        "code": {"text": "Medical clearance before massage treatment"},
        "subject": ref("Patient", screening.client_id),
        "authoredOn": instant(screening.created_at),
        "requester": ref("Organization", ORGANIZATION_ID),
        "reasonCode": [{"text": screening.get_decision_display()}],
        "supportingInfo": [ref("DocumentReference", f"referral-s{screening.pk}")],
    }
    if screening.client.physician_name:
        resource["performer"] = [{"display": _physician(screening.client)}]
    return _with_meta(resource, screening.created_at)


def alert_referral(alert: Alert) -> Resource:
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": f"a{alert.pk}",
        "status": "active" if alert.status == "open" else "completed",
        "intent": "order",
        "category": [codes.concept(codes.PATIENT_REFERRAL)],
        "code": {"text": "Please see the client: " + alert.get_kind_display().lower()},
        "subject": ref("Patient", alert.client_id),
        "authoredOn": instant(alert.opened_at),
        "requester": ref("Organization", ORGANIZATION_ID),
        "reasonCode": [{"text": alert.message}],
        "reasonReference": [ref("Flag", f"alert-{alert.pk}")],
        "supportingInfo": [ref("DocumentReference", f"referral-a{alert.pk}")],
    }
    if alert.client.physician_name:
        resource["performer"] = [{"display": _physician(alert.client)}]
    return _with_meta(resource, alert.acknowledged_at or alert.opened_at)


def document_reference(
    *,
    document_id: str,
    client_id: int,
    kind: dict[str, Any],
    title: str,
    created: dt.datetime,
    base: str,
    related: dict[str, str] | None = None,
) -> Resource:
    """A PDF the clinic makes (a referral letter, a discharge summary); the attachment's URL is
    this server's ``Binary/{id}``, read under the same access as the DocumentReference."""
    resource: Resource = {
        "resourceType": "DocumentReference",
        "id": document_id,
        "status": "current",
        "type": codes.concept(kind, text=title),
        "subject": ref("Patient", client_id),
        "date": instant(created),
        "author": [ref("Organization", ORGANIZATION_ID)],
        "description": title,
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "url": f"{base}/Binary/{document_id}",
                    "title": title,
                }
            }
        ],
    }
    if related:
        resource["context"] = {"related": [related]}
    return _with_meta(resource, created)

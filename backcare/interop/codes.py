"""The code systems and codes Backcare's FHIR resources use, each with its source (no Django).

Official systems (HL7 terminology, hl7.org/fhir/R4/terminologies-systems.html): LOINC
``http://loinc.org``, SNOMED CT ``http://snomed.info/sct``, ICD-10-CM
``http://hl7.org/fhir/sid/icd-10-cm``, UCUM ``http://unitsofmeasure.org``, NPI
``http://hl7.org/fhir/sid/us-npi``. What has no official code (PSFS, PGIC) carries a code of the
clinic's own system, named under its site address, and the instrument's name as text.
"""

from __future__ import annotations

from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
NPI = "http://hl7.org/fhir/sid/us-npi"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
CONTACT_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/v2-0131"


def coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"system": system, "code": code, "display": display}


def concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"coding": list(codings)}
    if text:
        result["text"] = text
    return result


# Chronic low back pain: ICD-10-CM M54.50 "Low back pain, unspecified" (in use since October
# 2021, cms.gov ICD-10-CM 2022 addenda); SNOMED CT 279039007 "Low back pain".
LOW_BACK_PAIN = concept(
    coding(ICD10CM, "M54.50", "Low back pain, unspecified"),
    coding(SNOMED, "279039007", "Low back pain"),
    text="Chronic low back pain",
)

# Outcome measures (loinc.org): pain NRS 72514-3; PEG panel 91148-7 with its items 75893-8
# (pain on average in the past week), 91145-3 (interference with enjoyment of life), 91146-1
# (interference with general activity) and its score 91147-9 (mean of the three).
NRS = coding(LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
PEG_PANEL = coding(LOINC, "91148-7", "Pain, Enjoyment of Life and General Activity (PEG) panel")
PEG_SCORE = coding(LOINC, "91147-9", "PEG 3 item pain scale score")
PEG_ITEMS = {
    "peg-pain": coding(LOINC, "75893-8", "Pain severity - 0-10 numeric rating - average past week"),
    "peg-enjoyment": coding(LOINC, "91145-3", "Pain interference with enjoyment of life"),
    "peg-activity": coding(LOINC, "91146-1", "Pain interference with general activity"),
}

# Documents (LOINC document ontology): a referral note and a discharge summary.
REFERRAL_NOTE = coding(LOINC, "57133-1", "Referral note")
DISCHARGE_SUMMARY = coding(LOINC, "18842-5", "Discharge summary")
CONSENT_DOCUMENT = coding(LOINC, "59284-0", "Consent Document")
# SNOMED CT 3457005 "Patient referral": the clinic asks a physician to see the client.
PATIENT_REFERRAL = coding(SNOMED, "3457005", "Patient referral")

AMBULATORY = coding(ACT_CODE, "AMB", "ambulatory")
SURVEY = concept(coding(OBSERVATION_CATEGORY, "survey", "Survey"))
PROBLEM_LIST = concept(coding(CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))
CLINICAL_FLAG = concept(coding(FLAG_CATEGORY, "clinical", "Clinical"))

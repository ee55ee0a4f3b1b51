"""SMART Backend Services: a connected system signs a JWT with its private key, gets a short-lived
token for the scopes the owner allowed, and the FHIR server and API know it by that token."""

from __future__ import annotations

import datetime as dt
import json

import jwt
import pytest
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from backcare import policy
from backcare.audit.models import AuditEvent
from backcare.systems import actions, scopes
from backcare.systems.models import AccessToken
from backcare.systems.tokens import BearerRefused, authenticate_bearer
from tests.conftest import Clinic
from tests.systems.smart import OtherSystem, ask_for_token, connect, token_for


def bearer(token: str) -> HttpRequest:
    return RequestFactory().get("/fhir/R4/Patient", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_a_system_signing_with_its_private_key_gets_a_short_lived_token(
    clinic: Clinic, alg: str
) -> None:
    other = OtherSystem(alg=alg)
    system = connect(clinic.owner, other)

    response = ask_for_token(other.assertion(system.client_id), "system/Patient.read")

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "system/Patient.read"
    assert response["Cache-Control"] == "no-store"
    # Kept only as its hash.
    assert not AccessToken.objects.filter(token_hash=body["access_token"]).exists()
    assert AccessToken.objects.filter(token_hash=actions.hash_token(body["access_token"])).exists()
    issued = AuditEvent.objects.get(action="system_token.issued")
    assert issued.actor_email == f"Peachtree EHR (system {system.client_id})"


def test_the_token_names_the_system_and_its_scopes_and_each_use_is_audited(
    clinic: Clinic,
) -> None:
    other = OtherSystem()
    system = connect(clinic.owner, other, "system/Patient.read system/Observation.read")
    token = token_for(system, other, "system/Patient.read system/Observation.read")

    access = authenticate_bearer(bearer(token))

    assert access is not None
    assert access.client_id == system.client_id
    assert access.scopes == {"system/Patient.read", "system/Observation.read"}
    assert policy.system_can(access, "Observation")
    assert not policy.system_can(access, "Condition")
    assert not policy.system_can(access, "Patient", write=True)
    used = AuditEvent.objects.get(action="system_token.used")
    assert used.changes["path"] == {"after": "/fhir/R4/Patient"}


def test_a_request_without_a_bearer_token_is_no_system(clinic: Clinic) -> None:
    assert authenticate_bearer(RequestFactory().get("/fhir/R4/Patient")) is None


def test_a_made_up_or_expired_token_is_refused(clinic: Clinic) -> None:
    other = OtherSystem()
    system = connect(clinic.owner, other)
    token = token_for(system, other)
    with pytest.raises(BearerRefused):
        authenticate_bearer(bearer("made-up"))
    AccessToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(BearerRefused):
        authenticate_bearer(bearer(token))


def test_an_assertion_signed_with_another_key_is_refused(clinic: Clinic) -> None:
    system = connect(clinic.owner, OtherSystem())
    impostor = OtherSystem()

    response = ask_for_token(impostor.assertion(system.client_id))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "signature" in response.json()["error_description"]
    assert not AccessToken.objects.exists()
    assert AuditEvent.objects.filter(action="system_token.refused").exists()


def test_a_disconnected_system_gets_no_token_and_its_tokens_stop_working(clinic: Clinic) -> None:
    other = OtherSystem()
    system = connect(clinic.owner, other)
    token = token_for(system, other)

    actions.revoke_system(clinic.owner, system, now=timezone.now())

    response = ask_for_token(other.assertion(system.client_id))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    with pytest.raises(BearerRefused):
        authenticate_bearer(bearer(token))
    assert AuditEvent.objects.filter(action="system_client.revoked").exists()


def test_an_assertion_is_good_for_one_token_only(clinic: Clinic) -> None:
    other = OtherSystem()
    system = connect(clinic.owner, other)
    assertion = other.assertion(system.client_id)

    assert ask_for_token(assertion).status_code == 200
    replay = ask_for_token(assertion)

    assert replay.status_code == 401
    assert "used already" in replay.json()["error_description"]
    assert AccessToken.objects.count() == 1


@pytest.mark.parametrize(
    ("claims", "says"),
    [
        ({"aud": "https://elsewhere.example/token"}, "aud"),
        ({"exp": 1_000_000_000}, "expired"),
        ({"exp": 4_000_000_000}, "five minutes"),
        ({"jti": None}, "jti"),
        ({"sub": "someone-else"}, "iss and sub"),
    ],
)
def test_an_assertion_with_wrong_claims_is_refused_saying_which(
    clinic: Clinic, claims: dict[str, object], says: str
) -> None:
    other = OtherSystem()
    system = connect(clinic.owner, other)

    response = ask_for_token(other.assertion(system.client_id, **claims))

    assert response.status_code == 401
    assert says in response.json()["error_description"]


def test_an_assertion_signed_with_rs256_is_refused(clinic: Clinic) -> None:
    other = OtherSystem()
    system = connect(clinic.owner, other)
    weak = jwt.encode(
        {"iss": system.client_id, "sub": system.client_id, "aud": "x", "exp": 0, "jti": "1"},
        other.private_key,
        algorithm="RS256",
    )
    response = ask_for_token(weak)
    assert response.status_code == 401
    assert "RS384 or ES384" in response.json()["error_description"]


def test_only_the_scopes_the_owner_allowed_are_granted(clinic: Clinic) -> None:
    other = OtherSystem()
    system = connect(clinic.owner, other, "system/Patient.read")

    partly = ask_for_token(
        other.assertion(system.client_id), "system/Patient.read system/Observation.read"
    )
    none = ask_for_token(other.assertion(system.client_id), "system/Observation.read")
    writing = ask_for_token(other.assertion(system.client_id), "system/Patient.write")

    assert partly.json()["scope"] == "system/Patient.read"
    assert none.status_code == 400
    assert none.json()["error"] == "invalid_scope"
    assert writing.json()["error"] == "invalid_scope"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "invalid_request"),
        (
            {
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": "not-a-jwt",
            },
            "invalid_client",
        ),
    ],
)
def test_a_malformed_token_request_is_an_oauth_error(
    clinic: Clinic, form: dict[str, str], error: str
) -> None:
    from django.test import Client as HttpClient

    response = HttpClient().post("/auth/token", form)
    assert response.status_code in (400, 401)
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error


def test_the_owner_connects_a_system_by_pasting_its_public_keys(clinic: Clinic, as_owner) -> None:
    other = OtherSystem()
    response = as_owner.post(
        "/staff/systems/",
        {"name": "Peachtree EHR", "jwks": json.dumps(other.jwks()), "scopes": "system/*.read"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Peachtree EHR is connected" in response.content.decode()
    assert AuditEvent.objects.filter(action="system_client.registered").exists()


def test_a_private_key_or_a_write_scope_is_refused_naming_the_field(
    clinic: Clinic, as_owner
) -> None:
    other = OtherSystem()
    algorithm = jwt.get_algorithm_by_name("RS384")
    private = json.loads(algorithm.to_jwk(other.private_key))
    response = as_owner.post(
        "/staff/systems/",
        {
            "name": "Peachtree EHR",
            "jwks": json.dumps({"keys": [private]}),
            "scopes": "system/Patient.write",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This is a private key" in page
    assert "is not a read-only system scope" in page


def test_the_owner_disconnects_a_system(clinic: Clinic, as_owner) -> None:
    system = connect(clinic.owner, OtherSystem())
    response = as_owner.post("/staff/systems/revoke/", {"system": system.pk}, follow=True)
    assert "disconnected" in response.content.decode()
    system.refresh_from_db()
    assert system.revoked_at is not None


@pytest.mark.parametrize(
    ("allowed", "asked", "granted"),
    [
        (["system/*.read"], ["system/Patient.read"], ["system/Patient.read"]),
        (["system/*.read"], ["system/*.read"], ["system/*.read"]),
        (["system/Patient.read"], ["system/*.read"], []),
        (["system/Patient.read"], ["system/Patient.rs"], ["system/Patient.rs"]),
        (["system/*.read"], ["system/Patient.write", "system/Patient.*"], []),
    ],
)
def test_granted_scopes(allowed: list[str], asked: list[str], granted: list[str]) -> None:
    assert scopes.grant(asked, allowed) == granted

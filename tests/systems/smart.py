"""A connected system as the tests play it: its own key pair, its signed assertions, its token."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.test import Client as HttpClient

from backcare.accounts.models import User
from backcare.systems import actions
from backcare.systems.models import SystemClient
from backcare.systems.tokens import token_url

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class OtherSystem:
    """The physician's system: it keeps its private key and gives the clinic the public one."""

    alg: str = "RS384"
    kid: str = "key-1"
    private_key: Any = field(init=False)

    def __post_init__(self) -> None:
        if self.alg == "RS384":
            self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.private_key = ec.generate_private_key(ec.SECP384R1())

    def jwks(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.alg)
        public = json.loads(algorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": self.alg, "use": "sig"}]}

    def assertion(self, client_id: str, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": token_url(),
            "exp": now + 240,
            "jti": str(uuid.uuid4()),
            **overrides,
        }
        claims = {key: value for key, value in claims.items() if value is not None}
        return jwt.encode(claims, self.private_key, algorithm=self.alg, headers={"kid": self.kid})


def connect(
    owner: User, other: OtherSystem, scopes: str = "system/*.read", name: str = "Peachtree EHR"
) -> SystemClient:
    return actions.register_system(
        owner, name=name, jwks=other.jwks(), allowed_scopes=scopes.split()
    )


def ask_for_token(
    assertion: str, scope: str = "system/*.read", http: HttpClient | None = None
) -> Any:
    http = http or HttpClient()
    return http.post(
        "/auth/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": scope,
        },
    )


def token_for(system: SystemClient, other: OtherSystem, scope: str = "system/*.read") -> str:
    response = ask_for_token(other.assertion(system.client_id), scope)
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])

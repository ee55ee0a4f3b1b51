"""Connected systems (SMART Backend Services clients) and the tokens they were given."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from backcare.accounts.validators import SingleLine


class SystemClient(models.Model):
    """Another system the owner lets read the clinic's records, read-only and within the scopes
    allowed here. It proves who it is with a JWT signed by its private key; the clinic keeps the
    public key (``jwks``, a JWK Set)."""

    name = models.CharField(max_length=120, validators=[SingleLine("name")])
    client_id = models.CharField("client id", max_length=100, unique=True)
    jwks = models.JSONField("public key set (JWKS)")
    scopes = models.CharField(
        "allowed scopes", max_length=1000, help_text="Space-separated, e.g. system/*.read"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class AccessToken(models.Model):
    """A short-lived bearer token. Only its SHA-256 is stored: a copy of the database gives no
    one a working token."""

    system = models.ForeignKey(SystemClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(max_length=1000)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("-issued_at",)

    def __str__(self) -> str:
        return f"Token of {self.system} until {self.expires_at:%Y-%m-%d %H:%M}"


class UsedAssertion(models.Model):
    """The ``jti`` of every client assertion accepted, kept until it expires: the database
    refuses a second use of the same one (a replayed assertion)."""

    system = models.ForeignKey(SystemClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("system", "jti"), name="client_assertion_used_once")
        ]

    def __str__(self) -> str:
        return self.jti

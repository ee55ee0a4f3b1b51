"""Named write actions for logins."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backcare.accounts.models import Role, User
from backcare.audit.log import diff, record


@transaction.atomic
def create_login(
    actor: User | None,
    *,
    email: str,
    full_name: str,
    role: Role,
    password: str | None,
    about: Any = None,
) -> User:
    """Create someone's login. Without a password they cannot sign in until they choose one
    through an emailed link. ``about`` is the client the login belongs to, if any."""
    extra: dict[str, Any] = {"is_staff": True, "is_superuser": True} if role == Role.OWNER else {}
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, role=role, **extra
    )
    record(
        actor,
        "user.created",
        user,
        client=about,
        changes=diff({}, {"email": user.email, "role": role.value}),
    )
    return user

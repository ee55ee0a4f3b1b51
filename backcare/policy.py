"""The one access policy (SPEC §1, §7): may this user do this action on this object?

Every view is wrapped by :func:`requires` (or marked :func:`public`), the Django admin asks
:func:`can` through ``BackcareAdminSite``, and later the API will too. A test walks every URL of
the project for every role against ``tests/access_matrix.toml``.

Rules, in words:
- owner: everything.
- front desk: clients' demographics and the schedule; never clinical records.
- therapist: reads the clinic's places and people; the clinical records of clients whose care
  team they are on.
- client: their own records only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase

from backcare.accounts.models import Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from backcare.clinic.models import Client

    AnyUser = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    """The request a view wrapped by :func:`requires` receives: someone is signed in."""

    user: User


class Action(StrEnum):
    STAFF_HOME = "staff_home.view"
    CLIENT_HOME = "client_home.view"
    CLIENT_LIST = "client.list"
    CLIENT_CREATE = "client.create"
    CLIENT_VIEW = "client.view"
    CLIENT_EDIT = "client.edit"
    CLINICAL_VIEW = "clinical.view"
    CARE_TEAM_EDIT = "care_team.edit"
    PLACES_VIEW = "places.view"  # locations, rooms, therapists, services
    PLACES_EDIT = "places.edit"
    AUDIT_VIEW = "audit.view"
    SCREENING_CHECK = "screening.check"  # screen an intake: reasons are clinical
    ADMIN = "admin.use"
    OWN_ACCOUNT = "own_account.edit"  # change one's own password


def _role(user: AnyUser) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return str(user.role)


def treats(user: AnyUser, client: Client) -> bool:
    """Is the user a therapist on this client's open care team?"""
    if _role(user) != Role.THERAPIST:
        return False
    return client.care_team.filter(therapist__user_id=user.pk or 0, ended_at__isnull=True).exists()


def _is_self(user: AnyUser, client: Client) -> bool:
    return _role(user) == Role.CLIENT and client.user_id is not None and client.user_id == user.pk


def _roles(*allowed: Role) -> Callable[[AnyUser, Any], bool]:
    return lambda user, obj: _role(user) in allowed


def _client_view(user: AnyUser, client: Client) -> bool:
    """The staff chart of a client. Clients see their own record through the portal."""
    return _role(user) in (Role.OWNER, Role.FRONT_DESK) or treats(user, client)


def _clinical_view(user: AnyUser, client: Client) -> bool:
    return _role(user) == Role.OWNER or treats(user, client) or _is_self(user, client)


RULES: dict[Action, Callable[[AnyUser, Any], bool]] = {
    Action.STAFF_HOME: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST),
    Action.CLIENT_HOME: _roles(Role.CLIENT),
    Action.CLIENT_LIST: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST),
    Action.CLIENT_CREATE: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.CLIENT_VIEW: _client_view,
    Action.CLIENT_EDIT: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.CLINICAL_VIEW: _clinical_view,
    Action.CARE_TEAM_EDIT: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.PLACES_VIEW: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST),
    Action.PLACES_EDIT: _roles(Role.OWNER),
    Action.AUDIT_VIEW: _roles(Role.OWNER),
    Action.SCREENING_CHECK: _roles(Role.OWNER, Role.THERAPIST),
    Action.OWN_ACCOUNT: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST, Role.CLIENT),
    Action.ADMIN: lambda user, obj: _role(user) == Role.OWNER and bool(user.is_staff),
}

# Actions whose object is a client: a client asking about someone else's record is told it does
# not exist (404) rather than that it is forbidden, so nothing leaks about who else is a client.
_CLIENT_OBJECT_ACTIONS = frozenset(
    {Action.CLIENT_VIEW, Action.CLIENT_EDIT, Action.CLINICAL_VIEW, Action.CARE_TEAM_EDIT}
)


def can(user: AnyUser, action: Action, obj: Any = None) -> bool:
    if _role(user) is None:
        return False
    return RULES[action](user, obj)


def require(user: AnyUser, action: Action, obj: Any = None) -> None:
    """Raise 404 or 403 unless the user may do the action."""
    if can(user, action, obj):
        return
    if action in _CLIENT_OBJECT_ACTIONS and _role(user) == Role.CLIENT:
        raise Http404("No such record.")
    raise PermissionDenied


def visible_clients(user: AnyUser, queryset: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """The clients whose record (demographics) this user may see."""
    from backcare.clinic.models import Client

    queryset = Client.objects.all() if queryset is None else queryset
    role = _role(user)
    if role in (Role.OWNER, Role.FRONT_DESK):
        return queryset
    if role == Role.THERAPIST:
        return queryset.filter(
            care_team__therapist__user_id=user.pk or 0, care_team__ended_at__isnull=True
        ).distinct()
    if role == Role.CLIENT:
        return queryset.filter(user_id=user.pk or 0)
    return queryset.none()


# --- Wrapping views -------------------------------------------------------------------------

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponseBase]


def requires(action: Action, *, load: Callable[..., Any] | None = None) -> Callable[[View], View]:
    """Wrap a view: anonymous users go to the login page; others must pass ``action``.

    With ``load``, the object is fetched from the URL's keyword arguments first (404 when it
    does not exist), checked against the action, and passed to the view in their place.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if load is None:
                require(request.user, action)
                return view(request, *args, **kwargs)
            obj = load(**kwargs)
            require(request.user, action, obj)
            return view(request, obj)

        wrapped.access_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorate


def public(view: View) -> View:
    """Mark a view that anyone may open (login, password reset)."""
    view.access_action = "public"  # type: ignore[attr-defined]
    return view


def loader(model: type[M], kwarg: str) -> Callable[..., M]:
    """A ``load`` function for :func:`requires` that fetches ``model`` by primary key."""

    def load(**kwargs: Any) -> M:
        try:
            return model._default_manager.get(pk=kwargs[kwarg])
        except model.DoesNotExist:  # type: ignore[attr-defined]
            raise Http404("No such record.") from None

    return load


__all__ = ["Action", "can", "loader", "public", "require", "requires", "treats", "visible_clients"]

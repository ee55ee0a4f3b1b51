"""The one access policy (SPEC §1, §7): may this user do this action on this object?

Every view is wrapped by :func:`requires` (or marked :func:`public`), the Django admin asks
:func:`can` through ``BackcareAdminSite``, and later the API will too. A test walks every URL of
the project for every role against ``tests/access_matrix.toml``. Every rule about roles lives
here: views, templates and actions ask :func:`can` (or the querysets below), never a role.

Rules, in words:
- owner: everything.
- front desk: clients' demographics and the schedule; never clinical records. They may fill in
  a blank health questionnaire with the client present, never open one with answers the client
  or a clinician gave, nor a past version.
- therapist: reads the clinic's places and people; the clinical records of clients whose care
  team they are on (access follows treatment: a check-in, the program they plan, or the
  owner's assignment; never a booking); their own appointments and the calendar of the
  locations they work at.
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
from backcare.audit import labels as audit_labels

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from backcare.booking.models import Appointment
    from backcare.clinic.models import Client, Location, Therapist
    from backcare.feeds.models import CalendarFeed
    from backcare.intake.models import Intake
    from backcare.systems.tokens import SystemAccess
    from backcare.waitlist.models import WaitlistEntry

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
    CLINICAL_CHART = "clinical.chart"  # the staff pages of a client's clinical record
    CARE_TEAM_EDIT = "care_team.edit"  # assign a therapist to a client: the owner (SPEC §2a)
    PLACES_VIEW = "places.view"  # locations, rooms, therapists, services
    PLACES_EDIT = "places.edit"
    PRIVACY_EDIT = "privacy.edit"  # the privacy notice clients agree to: the owner
    AUDIT_VIEW = "audit.view"
    EMAIL_MANAGE = "email.manage"  # the emails Backcare gave up sending; try them again
    SCREENING_CHECK = "screening.check"  # screen an intake: reasons are clinical
    INTAKE_FILL = "intake.fill"  # start or go on with a client's questionnaire for them
    INTAKE_READ = "intake.read"  # a client's submitted questionnaires: clinical
    INTAKE_DESK = "intake.desk"  # answers as the desk: a blank questionnaire, never screening
    SCREENING_MANAGE = "screening.manage"  # record a clearance, send a referral letter
    CALENDAR_FEED_MANAGE = "calendar_feed.manage"  # a therapist's private calendar address
    WAITLIST_OWN = "waitlist.own"  # a client's own waitlist entries (join, leave, list)
    WAITLIST_MANAGE = "waitlist.manage"  # the clinic's waitlist: list it, take entries off
    WAITLIST_ADD = "waitlist.add"  # put a client on the waitlist for them
    SCHEDULE_VIEW = "schedule.view"  # the staff calendar: of a location, of a therapist
    SCHEDULE_BOOK = "schedule.book"  # book, move and cancel appointments for clients
    APPOINTMENT_VIEW = "appointment.view"
    APPOINTMENT_ATTEND = "appointment.attend"  # check in, no-show, complete
    SCHEDULING_SETTINGS = "scheduling.settings"  # working hours, time off, closures, policy
    ADMIN = "admin.use"
    OWN_ACCOUNT = "own_account.edit"  # change one's own password and two-step sign-in
    STAFF_SIGN_IN_MANAGE = "staff_sign_in.manage"  # see staff two-step sign-in, reset it
    PROGRESS_VIEW = "progress.view"  # a client's outcome measures, progress, discharge summary
    OUTCOMES_RECORD = "outcomes.record"  # collect answers for a client, email the summary
    PROGRESS_OWN = "progress.own"  # a client's own progress, reassessment and summary
    NOTE_VIEW = "note.view"  # session notes and alerts of a client: clinical
    NOTE_WRITE = "note.write"  # write and sign the note of one's own appointment
    CHECK_IN_DESK = "check_in.desk"  # check a client in on the clinic's tablet
    CHECK_IN_OWN = "check_in.own"  # a client checks in for their own appointment
    ALERT_LIST = "alert.list"  # the open alerts of the clients one treats (owner: all)
    PROGRAM_VIEW = "program.view"  # a care program's page: goals, techniques, advice (clinical)
    PROGRAM_MANAGE = "program.manage"  # start a program, change its status, book its sessions
    PROGRAM_OWN = "program.own"  # a client reads their own program in the portal
    TECHNIQUE_READ = "technique.read"  # the technique education pages
    ANALYTICS_VIEW = "analytics.view"  # the clinic analytics: programs, responders, attendance
    IMPORT_RUN = "import.run"  # bring clients and appointments over from another system: owner
    HOLD_LIFT = "hold.lift"  # lift a client's clinical hold on a doctor's answer or by override
    HOLD_OVERRIDE = "hold.override"  # lift a hold without a doctor's answer: the owner
    CLINICAL_DECIDE = "clinical.decide"  # plan a program, resume one on a documented decision
    OWN_CLIENTS = "clients.own"  # a therapist: their home and their alerts are their clients'
    OWN_CALENDAR = "schedule.own"  # a therapist: the calendar opens on their own
    BILLING_VIEW = "billing.view"  # a client's invoices, packages and payments: not clinical
    BILLING_RECORD = "billing.record"  # take payments, refund, sell packages and gift cards
    BILLING_VOID = "billing.void"  # void an invoice by a credit note, waive a fee: the owner
    BILLING_CLOSE = "billing.close"  # the day-end cash count of a location
    BILLING_REPORTS = "billing.reports"  # revenue, balances, liability, payments: the owner
    BILLING_SETTINGS = "billing.settings"  # prices, tax, fees, provider numbers: the owner
    BILLING_OWN = "billing.own"  # a client's own invoices, receipts and documents
    SYSTEMS_MANAGE = "systems.manage"  # connect and disconnect other systems (SMART): the owner
    FHIR_READ = "fhir.read"  # the FHIR server as staff: each record still by the rules above
    FHIR_EXPORT = "fhir.export"  # a bulk export of every client's record: the owner


def _role(user: AnyUser) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return str(user.role)


def _on_care_team(user: AnyUser, path: str = "") -> dict[str, Any]:
    """The care-team rule as a filter: an open membership of this user, through ``path`` to
    the memberships (``"care_team__"`` from a client)."""
    return {f"{path}therapist__user_id": user.pk or 0, f"{path}ended_at__isnull": True}


def treats(user: AnyUser, client: Client) -> bool:
    """Is the user a therapist on this client's open care team?"""
    if _role(user) != Role.THERAPIST:
        return False
    return client.care_team.filter(**_on_care_team(user)).exists()


def _is_self(user: AnyUser, client: Client) -> bool:
    return _role(user) == Role.CLIENT and client.user_id is not None and client.user_id == user.pk


def _roles(*allowed: Role) -> Callable[[AnyUser, Any], bool]:
    return lambda user, obj: _role(user) in allowed


def _client_view(user: AnyUser, client: Client) -> bool:
    """The staff chart of a client. Clients see their own record through the portal."""
    return _role(user) in (Role.OWNER, Role.FRONT_DESK) or treats(user, client)


def _works_at(user: AnyUser, path: str = "") -> dict[str, Any]:
    """A location this user works at (as a therapist), through ``path`` to the location."""
    return {f"{path}therapists__user_id": user.pk or 0}


def _calendar_feed(user: AnyUser, feed: CalendarFeed | None) -> bool:
    """Therapists manage their own calendar feed; the owner may revoke anyone's."""
    role = _role(user)
    if role == Role.OWNER:
        return True
    if role != Role.THERAPIST:
        return False
    return feed is None or feed.therapist.user_id == user.pk


def _schedule_view(user: AnyUser, obj: Location | Therapist | None) -> bool:
    """Owner and front desk see the whole schedule. A therapist sees their own calendar and that
    of the locations they work at (colleagues' appointments show there as busy, no names)."""
    from backcare.clinic.models import Location, Therapist

    role = _role(user)
    if role in (Role.OWNER, Role.FRONT_DESK):
        return True
    if role != Role.THERAPIST:
        return False
    if isinstance(obj, Therapist):
        return obj.user_id == user.pk
    if isinstance(obj, Location):
        return Location.objects.filter(pk=obj.pk, **_works_at(user)).exists()
    return obj is None


def _own_appointment(user: AnyUser, appointment: Appointment) -> bool:
    """Owner and front desk: any appointment; a therapist: their own."""
    role = _role(user)
    if role in (Role.OWNER, Role.FRONT_DESK):
        return True
    return role == Role.THERAPIST and appointment.therapist.user_id == user.pk


def _own_waitlist(user: AnyUser, entry: WaitlistEntry | None) -> bool:
    """Clients manage their own waitlist entries; staff use the clinic's waitlist pages."""
    if _role(user) != Role.CLIENT:
        return False
    return entry is None or _is_self(user, entry.client)


def _note_view(user: AnyUser, obj: Any) -> bool:
    """Notes and alerts are clinical: the owner and the client's care team. ``obj`` is the
    client or something of theirs (an appointment, an alert)."""
    from backcare.clinic.models import Client

    client = obj if isinstance(obj, Client) else obj.client
    return _role(user) == Role.OWNER or treats(user, client)


def _note_write(user: AnyUser, appointment: Appointment) -> bool:
    """Only the appointment's therapist writes its note, while on the client's care team."""
    return appointment.therapist.user_id == user.pk and treats(user, appointment.client)


def _own_check_in(user: AnyUser, appointment: Appointment) -> bool:
    return _is_self(user, appointment.client)


def _clinical_view(user: AnyUser, client: Client) -> bool:
    return _role(user) == Role.OWNER or treats(user, client) or _is_self(user, client)


def _intake_fill(user: AnyUser, client: Client) -> bool:
    """The questionnaire is clinical (SPEC §7): the owner and the client's care team fill in and
    read any of it. The front desk may fill one in with the client present only on a blank
    draft it started itself: when the client has no draft, or their draft is such a one."""
    role = _role(user)
    if role == Role.OWNER or treats(user, client):
        return True
    if role != Role.FRONT_DESK:
        return False
    draft = _intake_draft(client)
    return draft is None or draft.desk_blank


def _intake_draft(client: Client) -> Intake | None:
    from backcare.intake.models import Intake

    return Intake.objects.filter(client=client, status=Intake.Status.DRAFT).first()


def _program_client(obj: Any) -> Client:
    """The client of a program action's object: a client (to start one) or a program."""
    from backcare.clinic.models import Client

    return obj if isinstance(obj, Client) else obj.client


def _program_staff(user: AnyUser, obj: Any) -> bool:
    """Owner and the therapists treating the client; never the front desk (clinical)."""
    return _role(user) == Role.OWNER or treats(user, _program_client(obj))


def _outcomes_client(obj: Any) -> Client:
    """Outcome pages name a client or a program of theirs."""
    from backcare.clinic.models import Client

    return obj if isinstance(obj, Client) else obj.client


def _outcomes_staff(user: AnyUser, obj: Any) -> bool:
    """Outcomes are clinical: the owner and the client's care team, never the front desk."""
    return _role(user) == Role.OWNER or treats(user, _outcomes_client(obj))


def _own_progress(user: AnyUser, obj: Any) -> bool:
    """A client's own outcomes; ``obj`` is theirs (a program) or None (their own pages)."""
    if _role(user) != Role.CLIENT:
        return False
    return obj is None or _is_self(user, _outcomes_client(obj))


RULES: dict[Action, Callable[[AnyUser, Any], bool]] = {
    Action.STAFF_HOME: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST),
    Action.CLIENT_HOME: _roles(Role.CLIENT),
    Action.CLIENT_LIST: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST),
    Action.CLIENT_CREATE: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.CLIENT_VIEW: _client_view,
    Action.CLIENT_EDIT: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.CLINICAL_VIEW: _clinical_view,
    Action.CLINICAL_CHART: lambda user, client: _role(user) == Role.OWNER or treats(user, client),
    Action.CARE_TEAM_EDIT: _roles(Role.OWNER),
    Action.PLACES_VIEW: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST),
    Action.PLACES_EDIT: _roles(Role.OWNER),
    Action.PRIVACY_EDIT: _roles(Role.OWNER),
    Action.AUDIT_VIEW: _roles(Role.OWNER),
    Action.EMAIL_MANAGE: _roles(Role.OWNER),
    Action.ANALYTICS_VIEW: _roles(Role.OWNER),
    Action.IMPORT_RUN: _roles(Role.OWNER),
    Action.SCREENING_CHECK: _roles(Role.OWNER, Role.THERAPIST),
    Action.INTAKE_FILL: _intake_fill,
    Action.INTAKE_READ: lambda user, client: _role(user) == Role.OWNER or treats(user, client),
    # The front desk sends the answers a client gives in front of them; its answers keep a
    # blank questionnaire blank, and the rules, not the desk, screen them.
    Action.INTAKE_DESK: _roles(Role.FRONT_DESK),
    Action.SCREENING_MANAGE: lambda user, client: _role(user) == Role.OWNER or treats(user, client),
    Action.OWN_ACCOUNT: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST, Role.CLIENT),
    # The owner resets a colleague's two-step sign-in (never their own: they use their recovery
    # codes, or `backcare reset_two_step` on the server).
    Action.STAFF_SIGN_IN_MANAGE: lambda user, colleague: (
        _role(user) == Role.OWNER
        and (colleague is None or (colleague.is_clinic_staff and colleague.pk != user.pk))
    ),
    Action.CALENDAR_FEED_MANAGE: _calendar_feed,
    Action.WAITLIST_OWN: _own_waitlist,
    Action.WAITLIST_MANAGE: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.WAITLIST_ADD: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.SCHEDULE_VIEW: _schedule_view,
    Action.SCHEDULE_BOOK: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.APPOINTMENT_VIEW: _own_appointment,
    Action.APPOINTMENT_ATTEND: _own_appointment,
    Action.SCHEDULING_SETTINGS: _roles(Role.OWNER),
    Action.NOTE_VIEW: _note_view,
    Action.NOTE_WRITE: _note_write,
    Action.CHECK_IN_DESK: _own_appointment,
    Action.CHECK_IN_OWN: _own_check_in,
    Action.ALERT_LIST: _roles(Role.OWNER, Role.THERAPIST),
    Action.PROGRAM_VIEW: _program_staff,
    Action.PROGRAM_MANAGE: _program_staff,
    Action.PROGRAM_OWN: lambda user, program: _is_self(user, program.client),
    Action.TECHNIQUE_READ: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST, Role.CLIENT),
    Action.PROGRESS_VIEW: _outcomes_staff,
    Action.OUTCOMES_RECORD: _outcomes_staff,
    Action.PROGRESS_OWN: _own_progress,
    # A doctor's answer is recorded by the owner or a treating therapist; only the owner may
    # override without one (HOLD_OVERRIDE, which the action asks).
    Action.HOLD_LIFT: lambda user, client: _role(user) == Role.OWNER or treats(user, client),
    Action.HOLD_OVERRIDE: _roles(Role.OWNER),
    # A clinical decision (a program planned, a paused one resumed without a clearance, a
    # doctor's answer recorded) is a therapist's or the owner's to document.
    Action.CLINICAL_DECIDE: _roles(Role.OWNER, Role.THERAPIST),
    Action.OWN_CLIENTS: _roles(Role.THERAPIST),
    Action.OWN_CALENDAR: _roles(Role.THERAPIST),
    Action.SYSTEMS_MANAGE: _roles(Role.OWNER),
    # Staff read FHIR as they read the pages: a client's record by CLIENT_VIEW (demographics,
    # appointments, consents) or CLINICAL_CHART (the rest). Clients use the portal.
    Action.FHIR_READ: _roles(Role.OWNER, Role.FRONT_DESK, Role.THERAPIST),
    Action.FHIR_EXPORT: _roles(Role.OWNER),
    Action.ADMIN: lambda user, obj: _role(user) == Role.OWNER and bool(user.is_staff),
    Action.BILLING_VIEW: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.BILLING_RECORD: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.BILLING_VOID: _roles(Role.OWNER),
    Action.BILLING_CLOSE: _roles(Role.OWNER, Role.FRONT_DESK),
    Action.BILLING_REPORTS: _roles(Role.OWNER),
    Action.BILLING_SETTINGS: _roles(Role.OWNER),
    Action.BILLING_OWN: lambda user, obj: (
        _role(user) == Role.CLIENT and (obj is None or _is_self(user, obj.client))
    ),
}

# Actions whose object is a client (or a client's appointment): a client asking about someone
# else's record is told it does not exist (404) rather than that it is forbidden, so nothing
# leaks about who else is a client.
_CLIENT_OBJECT_ACTIONS = frozenset(
    {
        Action.CLIENT_VIEW,
        Action.CLIENT_EDIT,
        Action.CLINICAL_VIEW,
        Action.CLINICAL_CHART,
        Action.CARE_TEAM_EDIT,
        Action.INTAKE_FILL,
        Action.INTAKE_READ,
        Action.SCREENING_MANAGE,
        Action.WAITLIST_OWN,
        Action.WAITLIST_ADD,
        Action.SCHEDULE_BOOK,
        Action.APPOINTMENT_VIEW,
        Action.APPOINTMENT_ATTEND,
        Action.PROGRESS_VIEW,
        Action.OUTCOMES_RECORD,
        Action.PROGRESS_OWN,
        Action.NOTE_VIEW,
        Action.NOTE_WRITE,
        Action.CHECK_IN_DESK,
        Action.CHECK_IN_OWN,
        Action.PROGRAM_VIEW,
        Action.PROGRAM_MANAGE,
        Action.PROGRAM_OWN,
        Action.HOLD_LIFT,
        Action.HOLD_OVERRIDE,
        Action.BILLING_VIEW,
        Action.BILLING_RECORD,
        Action.BILLING_VOID,
        Action.BILLING_OWN,
    }
)


# What the refusal page says, where a plain reason helps the person refused.
QUESTIONNAIRE_IS_CLINICAL = (
    "The health questionnaire is clinical: a therapist or the owner can open it."
)
REFUSALS: dict[Action, str] = {
    Action.INTAKE_FILL: QUESTIONNAIRE_IS_CLINICAL,
    Action.INTAKE_READ: QUESTIONNAIRE_IS_CLINICAL,
}


def can(user: AnyUser, action: Action, obj: Any = None) -> bool:
    if _role(user) is None:
        return False
    return RULES[action](user, obj)


def require(user: AnyUser, action: Action, obj: Any = None) -> None:
    """Raise 404 or 403 unless the user may do the action. A refusal to reach a record is
    written to the audit log."""
    if can(user, action, obj):
        return
    if isinstance(obj, Model):
        from backcare.audit.log import record

        record(user, "access.refused", obj, changes={"permission": action.value})  # type: ignore[arg-type]
    if action in _CLIENT_OBJECT_ACTIONS and _role(user) == Role.CLIENT:
        raise Http404("No such record.")
    raise PermissionDenied(REFUSALS.get(action, ""))


def visible_clients(user: AnyUser, queryset: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """The clients whose record (demographics) this user may see."""
    from backcare.clinic.models import Client

    queryset = Client.objects.all() if queryset is None else queryset
    role = _role(user)
    if role in (Role.OWNER, Role.FRONT_DESK):
        return queryset
    if role == Role.THERAPIST:
        return queryset.filter(**_on_care_team(user, "care_team__")).distinct()
    if role == Role.CLIENT:
        return queryset.filter(user_id=user.pk or 0)
    return queryset.none()


def clinical_clients(user: AnyUser, queryset: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """The clients whose clinical record (notes, alerts, programs) this user reads as staff:
    the owner every client's, a therapist those of their care teams."""
    from backcare.clinic.models import Client

    queryset = Client.objects.all() if queryset is None else queryset
    role = _role(user)
    if role == Role.OWNER:
        return queryset
    if role == Role.THERAPIST:
        return queryset.filter(**_on_care_team(user, "care_team__")).distinct()
    return queryset.none()


def schedule_locations(
    user: AnyUser, queryset: QuerySet[Location] | None = None
) -> QuerySet[Location]:
    """The locations whose calendar this user may open (the rule of ``SCHEDULE_VIEW``)."""
    from backcare.clinic.models import Location

    queryset = Location.objects.all() if queryset is None else queryset
    role = _role(user)
    if role in (Role.OWNER, Role.FRONT_DESK):
        return queryset
    if role == Role.THERAPIST:
        return queryset.filter(**_works_at(user)).distinct()
    return queryset.none()


def staff_or_system(actor: User | None) -> bool:
    """Do the clinic's rules (rather than a client's) apply to this actor? Clinic staff, and
    the system itself (no actor: the demo, commands, background tasks)."""
    return actor is None or bool(actor.is_clinic_staff)


def system_can(access: SystemAccess, resource_type: str, *, write: bool = False) -> bool:
    """A connected system (SMART Backend Services, ``backcare.systems``) has no role: it reads
    only, every client's records of the resource types its granted scopes name, and writes
    nothing but appointments, and those only with ``system/Appointment.write`` (the REST API's
    booking, through the named actions). Its token is checked by
    ``systems.tokens.authenticate_bearer``."""
    return access.may_write(resource_type) if write else access.may_read(resource_type)


# --- Wrapping views -------------------------------------------------------------------------

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponseBase]


def requires(
    action: Action, *, load: Callable[..., Any] | None = None, audit: str | None = None
) -> Callable[[View], View]:
    """Wrap a view: anonymous users go to the login page; others must pass ``action``.

    With ``load``, the object is fetched from the URL's keyword arguments first (404 when it
    does not exist), checked against the action, and passed to the view in place of the
    argument it was loaded from; the view gets the other URL arguments as they are.

    With ``audit`` (a registered audit action such as ``"client.viewed"``), the read is
    recorded: one row naming the loaded object and its client, written once the view has
    shown it (a 2xx answer; not a redirect, a refusal or a form sent back with errors).
    """
    if audit is not None:
        if load is None:
            raise TypeError("requires(audit=...) records a read of the loaded object: give load")
        audit_labels.check(audit)

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
            loaded = getattr(load, "kwarg", None)
            response = view(request, obj, **{k: v for k, v in kwargs.items() if k != loaded})
            if audit is not None and 200 <= response.status_code < 300:
                from backcare.audit.log import record

                record(request.user, audit, obj)
            return response

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

    load.kwarg = kwarg  # type: ignore[attr-defined]
    return load


__all__ = [
    "Action",
    "can",
    "clinical_clients",
    "loader",
    "public",
    "require",
    "requires",
    "schedule_locations",
    "staff_or_system",
    "system_can",
    "treats",
    "visible_clients",
]

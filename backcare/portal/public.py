"""The clinic's public booking page, for new clients coming from its website (SPEC §10).

A visitor, signed in or not, sees a location's services and free times; choosing one holds it
for 15 minutes (:mod:`backcare.signup`) while they sign up, confirm their email address, answer
the health questions and confirm. The booking itself is the booking action, so a screening that
holds booking ends in its own message, never a booking, and the held time is let go.

Bots are turned away without any outside service: a honeypot field in each form, and hourly
limits per address in the cache. The embedded page (``embed``) is the same list of times for a
frame on the clinic's own site; its links open the booking page in a new tab, whose cookies are
first-party.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote, urlencode

from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_safe

from backcare import policy
from backcare.audit.context import client_ip
from backcare.booking.actions import BookingHeld, SchedulingError
from backcare.clinic.actions import PortalInviteError
from backcare.clinic.models import Client, Location
from backcare.holds.queries import standing
from backcare.policy import Action, AuthenticatedRequest
from backcare.portal.booking import clock, week_of_times, zone_name
from backcare.portal.booking_forms import Catalogue, TimesForm, starts_param
from backcare.portal.public_forms import HoldForm, SignUpForm
from backcare.ratelimits import within_limits
from backcare.scheduling.clock import spoken
from backcare.scheduling.models import BookingPolicy
from backcare.signup import actions
from backcare.signup.models import HOLD_FOR, HeldTime
from backcare.site.intake.flow import AFTER_QUESTIONNAIRE


def _location(location_id: int) -> Location:
    return get_object_or_404(Location, pk=location_id, active=True)


def _signed_in_client(request: HttpRequest) -> Client | None:
    if not policy.can(request.user, Action.CLIENT_HOME):
        return None
    return policy.visible_clients(request.user).first()


def _allowed(request: HttpRequest, what: str, per_hour: int) -> bool:
    """Within this address's hourly limit for `what` (holding, signing up)?"""
    ip = client_ip(request) or "unknown"
    return within_limits([(f"website-{what}:{ip}", per_hour)])


def _too_many(request: HttpRequest, location: Location) -> HttpResponse:
    return render(request, "public/too_many.html", {"location": location}, status=429)


def _caught(request: HttpRequest, location: Location) -> HttpResponse:
    """A honeypot filled in: refused in words a person who somehow did it would understand."""
    return render(
        request, "public/too_many.html", {"location": location, "caught": True}, status=400
    )


# --- The page of free times -------------------------------------------------------------------


def _times(request: HttpRequest, location_id: int, *, embed: bool) -> HttpResponse:
    location = _location(location_id)
    catalogue = Catalogue.load()
    template = "public/embed.html" if embed else "public/page.html"
    context: dict[str, Any] = {"location": location, "embed": embed}
    if not catalogue.services:
        return render(request, template, {**context, "closed": True})
    booking_policy = BookingPolicy.current()
    now = timezone.now()
    form = TimesForm(
        {
            "service": next(iter(catalogue.services)),
            "therapist": "",
            "week": "",
            **request.GET.dict(),
            "location": location.pk,
        },
        catalogue=catalogue,
        policy=booking_policy,
        now=now,
    )
    form.fields["location"].widget = forms.HiddenInput()  # the page's own location
    context["form"] = form
    if not form.is_valid():
        return render(request, template, context, status=400)
    service = catalogue.services[form.cleaned_data["service"]]
    monday: dt.date = form.cleaned_data["week"]
    form.data = {**form.data, "week": monday.isoformat()}
    therapist_id: int | None = form.cleaned_data["therapist"]
    hold_url = f"{reverse('public:hold', args=[location.pk])}?service={service.pk}&"

    def week_url(week: dt.date) -> str:
        query = {"service": service.pk, "therapist": therapist_id or "", "week": week.isoformat()}
        name = "public:embed" if embed else "public:page"
        return f"{reverse(name, args=[location.pk])}?{urlencode(query)}"

    context.update(
        week_of_times(
            catalogue,
            service,
            location,
            monday,
            therapist_id,
            booking_policy=booking_policy,
            now=now,
            preferred=[],
            link=lambda slot: (
                f"{hold_url}therapist={slot.therapist_id}&starts={quote(starts_param(slot.start))}"
            ),
            week_url=week_url,
            new_tab=embed,
        ),
        hold_minutes=int(HOLD_FOR.total_seconds() // 60),
    )
    return render(request, template, context)


@require_safe
@policy.public
def page(request: HttpRequest, location_id: int) -> HttpResponse:
    """A location's services and free times, for anyone."""
    return _times(request, location_id, embed=False)


@require_safe
@policy.public
@xframe_options_exempt
def embed(request: HttpRequest, location_id: int) -> HttpResponseBase:
    """The same times, for a frame on the clinic's own sites (BOOKING_EMBED_ORIGINS), and only
    those: without any, no site may frame it."""
    framed = csp_replace({"frame-ancestors": settings.BOOKING_EMBED_ORIGINS or ["'none'"]})
    return framed(lambda asked: _times(asked, location_id, embed=True))(request)


# --- Holding a time ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@policy.public
def hold(request: HttpRequest, location_id: int) -> HttpResponseBase:
    """The chosen time, to hold (GET); holding it for 15 minutes (POST)."""
    location = _location(location_id)
    posted = request.method == "POST"
    data = (request.POST if posted else request.GET).copy()
    data["location"] = str(location.pk)
    now = timezone.now()
    form = HoldForm(data, catalogue=Catalogue.load(), now=now)
    context: dict[str, Any] = {"location": location, "form": form, "back": _page_url(location)}
    if posted and form.caught():
        return _caught(request, location)
    if not form.is_valid():
        context["errors"] = [error for errors in form.errors.values() for error in errors]
        return render(request, "public/hold.html", context, status=400)
    service, _ = form.chosen()
    starts: dt.datetime = form.cleaned_data["starts"]
    context.update(
        service=service,
        therapist=form.chosen_therapist,
        when=spoken(starts, location.time_zone),
        values=form.hidden_values(),
        hold_minutes=int(HOLD_FOR.total_seconds() // 60),
        back=_page_url(location, service_id=service.pk),
    )
    if not posted:
        return render(request, "public/hold.html", context)
    if not _allowed(request, "hold", settings.WEBSITE_HOLDS_PER_IP_HOUR):
        return _too_many(request, location)
    try:
        held = actions.hold_time(
            service=service,
            location=location,
            therapist=form.chosen_therapist,
            starts=starts,
            now=now,
        )
    except (actions.TimeNotFree, SchedulingError) as taken:
        context["errors"] = [taken.message]
        return render(request, "public/hold.html", context, status=409)
    client = _signed_in_client(request)
    if client is not None:
        actions.claim_held_time(held, client)
        return redirect("public:finish", held.token)
    return redirect("public:signup", held.token)


def _page_url(location: Location, service_id: int | None = None) -> str:
    url = reverse("public:page", args=[location.pk])
    return f"{url}?service={service_id}" if service_id else url


# --- Signing up -------------------------------------------------------------------------------


def _held_time(token: uuid.UUID) -> HeldTime:
    return get_object_or_404(
        HeldTime.objects.select_related("service", "location", "therapist__user"), token=token
    )


def _held_facts(held: HeldTime) -> dict[str, Any]:
    zone = held.location.time_zone
    return {
        "held": held,
        "location": held.location,
        "when": spoken(held.starts, zone),
        "until": clock(held.expires_at.astimezone(held.location.zone)),
        "zone_name": zone_name(zone),
        "hold_minutes": int(HOLD_FOR.total_seconds() // 60),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@policy.public
def signup(request: HttpRequest, held: uuid.UUID) -> HttpResponseBase:
    """Who is booking: a new account, confirmed by an emailed link."""
    time = _held_time(held)
    if _signed_in_client(request) is not None:
        return redirect("public:finish", time.token)
    if time.client_id is not None:
        # Signed up already: the link in the email goes on from here.
        return redirect("public:sent", time.token)
    finish_path = reverse("public:finish", args=[time.token])
    context = _held_facts(time)
    context.update(
        lapsed=time.expired(timezone.now()),
        back=_page_url(time.location, service_id=time.service_id),
        sign_in=f"{reverse('login')}?{urlencode({'next': finish_path})}",
    )
    posted = request.method == "POST"
    form = SignUpForm(request.POST if posted else None)
    context["form"] = form
    if not posted:
        return render(request, "public/signup.html", context)
    if form.caught():
        return _caught(request, time.location)
    if not form.is_valid():
        return render(request, "public/signup.html", context, status=400)
    if not _allowed(request, "signup", settings.WEBSITE_SIGNUPS_PER_IP_HOUR):
        return _too_many(request, time.location)
    # An address signed up a moment ago by another request gets the same page as one that
    # already has an account (nothing is saved).
    with contextlib.suppress(IntegrityError, PortalInviteError):
        actions.sign_up(time, actions.Person(**form.person_values()), finish_path=finish_path)
    request.session["signup_email"] = form.cleaned_data["email"]
    return redirect("public:sent", time.token)


@require_safe
@policy.public
def sent(request: HttpRequest, held: uuid.UUID) -> HttpResponse:
    """Check your email: the same page whether or not the address already had an account."""
    return render(
        request,
        "public/sent.html",
        {**_held_facts(_held_time(held)), "email": request.session.get("signup_email", "")},
    )


# --- Finishing: the questionnaire, then the booking -------------------------------------------


def _own_client(request: AuthenticatedRequest) -> Client:
    client = _signed_in_client(request)
    if client is None:
        raise Http404("No client record is linked to this login.")
    return client


@require_http_methods(["GET", "HEAD", "POST"])
@policy.requires(Action.CLIENT_HOME)
def finish(request: AuthenticatedRequest, held: uuid.UUID) -> HttpResponseBase:
    """The steps left once signed in: the health questions, then confirming the held time. A
    screening that holds booking ends here, with what to do and whom to call, never a booking.
    A time held by someone else is not found (404)."""
    client = _own_client(request)
    time = (
        HeldTime.objects.select_related("service", "location", "therapist__user")
        .filter(Q(client=client) | Q(client__isnull=True), token=held)
        .first()
    )
    now = timezone.now()
    if time is not None and time.client_id is None:
        actions.claim_held_time(time, client)
    posted = request.method == "POST"
    if posted and time is not None:
        try:
            appointment = actions.book_held_time(request.user, client, time, now=now)
        except BookingHeld as refused:
            return _held_page(request, client, refused=refused.message, status=403)
        except SchedulingError as refusal:
            context = _held_facts(time)
            context.update(refusal=refusal.message, again=_again(time))
            return render(request, "public/finish.html", context, status=409)
        request.session.pop(AFTER_QUESTIONNAIRE, None)
        return redirect(f"{reverse('booking:appointment', args=[appointment.pk])}?done=booked")
    where = standing(client, timezone.localdate())
    if where.at("book") is not None:
        actions.release_held_times(client)
        return _held_page(request, client, status=403 if posted else 200)
    if time is None:
        return render(request, "public/gone.html", {"client": client}, status=404)
    context = _held_facts(time)
    context.update(lapsed=time.expired(now), again=_again(time))
    if where.screening is None:
        request.session[AFTER_QUESTIONNAIRE] = request.path
        context["questionnaire"] = True
    return render(request, "public/finish.html", context)


def _again(held: HeldTime) -> str:
    return f"{reverse('booking:start')}?" + urlencode(
        {"service": held.service_id, "location": held.location_id}
    )


def _held_page(
    request: AuthenticatedRequest, client: Client, *, refused: str = "", status: int = 200
) -> HttpResponse:
    """No booking: what to do and whom to call, by what the screening found."""
    where = standing(client, timezone.localdate())
    hold = where.at("book")
    location = client.home_location
    return render(
        request,
        "public/finish_held.html",
        {
            "hold": hold,
            "refused": refused,
            "screening": where.screening,
            "location": location,
        },
        status=status,
    )

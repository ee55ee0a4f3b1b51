"""The top navigation, built here and rendered by a small loop in ``base.html``.

Each item names the page it opens (a URL name), the access-policy action a person needs to see
it, and the URL names (or whole namespaces, as ``"scheduling:*"``) of the pages it stands for,
so the item of the page being shown is marked ``aria-current="page"``. A page matched by name
beats one matched by its namespace, and at most one item is current."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from backcare import policy
from backcare.policy import Action


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    url_name: str
    action: Action
    pages: tuple[str, ...] = ()
    unless: Action | None = None
    """Not shown to someone who may do this (a fuller item stands in its place)."""


@dataclass(frozen=True)
class Section:
    label: str
    items: tuple[Item, ...]
    action: Action | None = None
    """Who sees the section at all (each item is asked as well)."""


SETTINGS_PAGES = tuple(
    f"scheduling:{name}"
    for name in (
        "hours",
        "therapist_hours",
        "time_off",
        "time_off_sessions",
        "closures",
        "closure_sessions",
        "booking_policy",
    )
)

SECTIONS = (
    Section(
        "Clinic",
        (
            Item("staff", "Home", "staff:home", Action.STAFF_HOME, ("staff:home",)),
            Item(
                "clients",
                "Clients",
                "staff:client_list",
                Action.CLIENT_LIST,
                (
                    "staff:client_list",
                    "staff:client_detail",
                    "staff:doctor_notes",
                    "staff:doctor_note",
                    "clinic:client_create",
                    "clinic:client_edit",
                    "screening:*",
                    "intake:*",
                    "outcomes:*",
                    "care:*",
                    "notes:note",
                ),
            ),
            Item(
                "calendar", "Calendar", "scheduling:calendar", Action.STAFF_HOME, ("scheduling:*",)
            ),
            Item(
                "therapists",
                "Therapists",
                "clinic:therapist_list",
                Action.PLACES_VIEW,
                tuple(f"clinic:therapist_{name}" for name in ("list", "create", "detail", "edit")),
            ),
            Item(
                "locations",
                "Locations",
                "clinic:location_list",
                Action.PLACES_VIEW,
                (
                    *(f"clinic:location_{name}" for name in ("list", "create", "detail", "edit")),
                    "clinic:room_create",
                    "clinic:room_edit",
                ),
            ),
            Item(
                "services",
                "Services",
                "clinic:service_list",
                Action.PLACES_VIEW,
                ("clinic:service_list", "clinic:service_create", "clinic:service_edit"),
            ),
            Item(
                "alerts",
                "Alerts",
                "notes:alerts",
                Action.ALERT_LIST,
                ("notes:alerts", "notes:alert"),
            ),
            Item(
                "waitlist",
                "Waitlist",
                "waitlist:staff_list",
                Action.WAITLIST_MANAGE,
                ("waitlist:staff_list",),
            ),
            Item(
                "calendar_feed",
                "Calendar feed",
                "feeds:manage",
                Action.CALENDAR_FEED_MANAGE,
                ("feeds:*",),
            ),
            Item(
                "analytics",
                "Analytics",
                "analytics:dashboard",
                Action.ANALYTICS_VIEW,
                ("analytics:*",),
            ),
            Item("billing", "Billing", "billing:reports", Action.BILLING_REPORTS, ("billing:*",)),
            Item(
                "day_close",
                "Day-end close",
                "billing:day_close",
                Action.BILLING_CLOSE,
                ("billing:*",),
                unless=Action.BILLING_REPORTS,
            ),
            Item("audit", "Audit log", "audit:log", Action.AUDIT_VIEW, ("audit:*",)),
        ),
    ),
    Section(
        "My care",
        (
            Item("client", "My care", "portal:home", Action.CLIENT_HOME, ("portal:*",)),
            Item(
                "billing_own",
                "Billing",
                "portal_billing:home",
                Action.BILLING_OWN,
                ("portal_billing:*",),
            ),
            Item(
                "book",
                "Book a session",
                "booking:start",
                Action.CLIENT_HOME,
                ("booking:start", "booking:confirm"),
            ),
            Item(
                "appointments",
                "My appointments",
                "booking:appointments",
                Action.CLIENT_HOME,
                ("booking:*",),
            ),
        ),
        action=Action.CLIENT_HOME,
    ),
    Section(
        "Settings",
        (
            Item(
                "settings",
                "Settings",
                "scheduling:hours",
                Action.SCHEDULING_SETTINGS,
                SETTINGS_PAGES,
            ),
            Item(
                "staff_sign_in",
                "Staff sign-in",
                "staff:sign_in",
                Action.STAFF_SIGN_IN_MANAGE,
                ("staff:sign_in", "staff:reset_two_step"),
            ),
            Item("admin", "Admin", "admin:index", Action.ADMIN),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool
    key: str = ""
    """The item's key: base.html gives a held client "What to do next" for ``book``."""


@dataclass
class Navigation:
    sections: list[list[Link]] = field(default_factory=list)
    shown: dict[str, bool] = field(default_factory=dict)
    """The keys of the items this person sees (``nav.shown.clients`` in a template)."""


def _match(item: Item, view_name: str) -> int:
    """2 when the item stands for this page by name, 1 by its namespace, else 0."""
    if view_name in item.pages:
        return 2
    namespace = view_name.rpartition(":")[0]
    return 1 if namespace and f"{namespace}:*" in item.pages else 0


def build(user: Any, view_name: str) -> Navigation:
    """What the top navigation offers this person, on the page named ``view_name``."""
    nav = Navigation()
    visible = [
        [
            item
            for item in section.items
            if policy.can(user, item.action)
            and not (item.unless is not None and policy.can(user, item.unless))
        ]
        for section in SECTIONS
        if section.action is None or policy.can(user, section.action)
    ]
    ranked = [(_match(item, view_name), item) for items in visible for item in items]
    best = max(ranked, key=lambda pair: pair[0], default=(0, None))
    current = best[1] if best[0] else None
    for items in visible:
        links = [
            Link(item.label, reverse(item.url_name), item is current, item.key) for item in items
        ]
        if links:
            nav.sections.append(links)
        nav.shown.update((item.key, True) for item in items)
    return nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The context processor: the navigation of the page being shown."""
    match = request.resolver_match
    return {"nav": build(request.user, match.view_name if match else "")}

"""Draw docs/architecture.svg: the layers of the import contract and the event path.

The picture is the code. Its top half is the `layers` contract of pyproject.toml: one band per
layer, top to bottom, each app a box; apps that may not import each other (`|`) stand apart in
their band. Its bottom half is the event path: every domain event of `backcare/events.py`, the
app whose code publishes it (each `events.publish(events.<Event>(...))` in `backcare/`), and the
apps whose `receivers.py` subscribe to it, read from the registry of `events.subscribe` once
Django has started: a filled box runs within the publisher's transaction
(`within_transaction=True`), a bold one is also `required`, a dashed one runs after the commit.

A test (tests/test_architecture.py) checks that the committed picture is what this draws, so a
change of the contract, a new event, publisher or subscriber changes the picture with it::

    .venv/bin/python scripts/architecture_svg.py          # rewrites docs/architecture.svg
"""

from __future__ import annotations

import ast
import os
import sys
import tomllib
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURE = ROOT / "docs" / "architecture.svg"
PACKAGE = ROOT / "backcare"

# What each band is, for the reader, by its first app.
BANDS = {
    "staff": "Fronts: pages, API, demo",
    "site": "Shared by the fronts",
    "analytics": "Reading across the clinic",
    "systems": "Connected systems",
    "waitlist": "Services around the care pathway",
    "emails": "Emails heard from the events",
    "signup": "The clinical core, one app a layer",
    "notices": "The foundation",
}
WIDTH = 900
BAND_HEIGHT = 34
GAP = 8
LEFT = 250

# The event path: publisher box, event box, then one column per subscribing app.
ROW = 28
PUBLISHER_X, PUBLISHER_W = 20, 110
EVENT_X, EVENT_W = 170, 200
COLUMNS_X, COLUMN_W, CHIP_W, CHIP_H = 390, 72, 66, 20
WITHIN = ("#fdf3e4", "#b8862f")
AFTER_COMMIT = ("#ffffff", "#5b7fb8")


@dataclass(frozen=True)
class Subscriber:
    app: str
    within_transaction: bool
    required: bool


@dataclass(frozen=True)
class Route:
    """One domain event: who publishes it and who hears it."""

    event: str
    publishers: tuple[str, ...]
    subscribers: tuple[Subscriber, ...]


def layers(pyproject: Path = ROOT / "pyproject.toml") -> list[list[str]]:
    """The `layers` contract's layers, each as its app names (`backcare.` left off)."""
    config = tomllib.loads(pyproject.read_text())
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract["id"] == "layers":
            return [
                [
                    name.strip().removeprefix("backcare.")
                    for name in layer.replace(":", "|").split("|")
                ]
                for layer in contract["layers"]
            ]
    raise SystemExit("pyproject.toml has no `layers` contract")


def publishers(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each event's publishing apps, read from the `events.publish(events.<Event>(...))` calls
    of the package's code. A publish call of anything else fails, so none goes unseen."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "events.py" or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "publish"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "events"
            ):
                continue
            event = node.args[0] if len(node.args) == 1 else None
            if not (
                isinstance(event, ast.Call)
                and isinstance(event.func, ast.Attribute)
                and isinstance(event.func.value, ast.Name)
                and event.func.value.id == "events"
            ):
                raise SystemExit(
                    f"{path}:{node.lineno}: publish one `events.<Event>(...)` built in the call, "
                    "so the architecture picture can tell which event it is"
                )
            app = relative.parts[0] if len(relative.parts) > 1 else "backcare"
            found.setdefault(event.func.attr, set()).add(app)
    return found


def event_path(package: Path = PACKAGE) -> list[Route]:
    """Every event of backcare/events.py in the order defined, with its publishers and the
    subscribers Django registered at start-up (Django must be set up)."""
    from backcare import events

    published = publishers(package)
    routes = []
    for kind in events.Event.__subclasses__():
        if kind.__module__ != events.__name__:
            continue
        heard = {
            Subscriber(
                app=subscriber.__module__.split(".")[1],
                within_transaction=subscriber in events._within_transaction,
                required=subscriber in events._required,
            )
            for subscriber in events.subscribers(kind)
            if subscriber.__module__.startswith("backcare.")
        }
        routes.append(
            Route(
                event=kind.__name__,
                publishers=tuple(sorted(published.get(kind.__name__, ()))),
                subscribers=tuple(sorted(heard, key=lambda s: (s.app, not s.within_transaction))),
            )
        )
    return routes


def _by_layer(apps: set[str], bands: list[list[str]]) -> list[str]:
    order = [app for band in bands for app in band]
    return sorted(apps, key=lambda app: (order.index(app) if app in order else len(order), app))


def _describe(route: Route) -> str:
    def how(subscriber: Subscriber) -> str:
        if subscriber.required:
            return "within the transaction, required"
        if subscriber.within_transaction:
            return "within the transaction"
        return "after the commit"

    heard = ", ".join(f"{s.app} ({how(s)})" for s in route.subscribers) or "nobody"
    return (
        f"{route.event}, published by {', '.join(route.publishers) or 'nobody'}, heard by {heard}"
    )


def _chip(x: float, y: float, subscriber: Subscriber) -> list[str]:
    fill, stroke = WITHIN if subscriber.within_transaction else AFTER_COMMIT
    dashes = "" if subscriber.within_transaction else ' stroke-dasharray="4 3"'
    width = ' stroke-width="2.5"' if subscriber.required else ""
    weight = ' font-weight="bold"' if subscriber.required else ""
    return [
        f'  <rect x="{x:.0f}" y="{y}" width="{CHIP_W}" height="{CHIP_H}" rx="4" fill="{fill}" '
        f'stroke="{stroke}"{dashes}{width}/>',
        f'  <text x="{x + CHIP_W / 2:.0f}" y="{y + 14}" font-size="11" text-anchor="middle" '
        f'fill="#222"{weight}>{escape(subscriber.app)}</text>',
    ]


def _draw_event_path(
    routes: list[Route], bands: list[list[str]], top: int
) -> tuple[list[str], int]:
    """The event path's part of the picture from ``top`` down, and where it ends."""
    heard_by = _by_layer({s.app for route in routes for s in route.subscribers}, bands)
    column = {app: COLUMNS_X + index * COLUMN_W for index, app in enumerate(heard_by)}
    out = [
        f'  <line x1="20" y1="{top}" x2="{WIDTH - 20}" y2="{top}" stroke="#bbb"/>',
        f'  <text x="20" y="{top + 30}" font-size="15" font-weight="bold" fill="#222">'
        "The event path: one event per change, heard by the apps that care</text>",
        f'  <text x="20" y="{top + 50}" font-size="12" fill="#333">'
        "An action publishes the event (events.publish); each app that reacts subscribes in "
        "its receivers.py.</text>",
    ]
    y = top + 70
    legend = [
        (Subscriber("app", True, False), "runs within the publisher's transaction, in a savepoint"),
        (
            Subscriber("app", True, True),
            "the same, and required: if it fails, the change is undone",
        ),
        (Subscriber("app", False, False), "runs once the change commits, in its own transaction"),
    ]
    for sample, words in legend:
        out += _chip(PUBLISHER_X, y, sample)
        out.append(
            f'  <text x="{PUBLISHER_X + CHIP_W + 8}" y="{y + 14}" font-size="12" fill="#333">'
            f"{escape(words)}</text>"
        )
        y += CHIP_H + 6
    y += 24
    out.append(
        f'  <text x="{PUBLISHER_X}" y="{y}" font-size="12" font-weight="bold" fill="#333">'
        "published by</text>"
    )
    out.append(
        f'  <text x="{EVENT_X}" y="{y}" font-size="12" font-weight="bold" fill="#333">event</text>'
    )
    out.append(
        f'  <text x="{COLUMNS_X}" y="{y}" font-size="12" font-weight="bold" fill="#333">'
        "heard by</text>"
    )
    y += 12
    groups: dict[tuple[str, ...], list[Route]] = {}
    for route in routes:
        groups.setdefault(route.publishers, []).append(route)
    order = [app for band in bands for app in band]

    def rank(publishing: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
        known = [order.index(app) for app in publishing if app in order]
        return (min(known) if known else len(order), publishing)

    for publishing in sorted(groups, key=rank):
        group = groups[publishing]
        height = len(group) * ROW - (ROW - CHIP_H - 4)
        out.append(
            f'  <rect x="{PUBLISHER_X}" y="{y}" width="{PUBLISHER_W}" height="{height}" rx="5" '
            'fill="#eef2f7" stroke="#667"/>'
        )
        out.append(
            f'  <text x="{PUBLISHER_X + PUBLISHER_W / 2:.0f}" y="{y + height / 2 + 5:.0f}" '
            'font-size="13" text-anchor="middle" fill="#222">'
            f"{escape(', '.join(publishing) or 'nobody')}</text>"
        )
        for route in group:
            middle = y + (CHIP_H + 4) // 2
            out.append(
                f'  <line x1="{PUBLISHER_X + PUBLISHER_W}" y1="{middle}" x2="{EVENT_X - 2}" '
                f'y2="{middle}" stroke="#667" marker-end="url(#arrow)"/>'
            )
            if route.subscribers:
                last = max(column[s.app] for s in route.subscribers) + CHIP_W / 2
                out.append(
                    f'  <line x1="{EVENT_X + EVENT_W}" y1="{middle}" x2="{last:.0f}" '
                    f'y2="{middle}" stroke="#999"/>'
                )
            out.append(
                f'  <rect x="{EVENT_X}" y="{y}" width="{EVENT_W}" height="{CHIP_H + 4}" rx="12" '
                'fill="#f4f4f4" stroke="#444"/>'
            )
            out.append(
                f'  <text x="{EVENT_X + EVENT_W / 2:.0f}" y="{y + 16}" font-size="12" '
                f'text-anchor="middle" fill="#222">{escape(route.event)}</text>'
            )
            for subscriber in route.subscribers:
                out += _chip(column[subscriber.app], y + 2, subscriber)
            y += ROW
        y += 8
    return out, y


def draw(bands: list[list[str]], routes: list[Route]) -> str:
    layers_end = 50 + len(bands) * (BAND_HEIGHT + GAP) + 40
    event_part, bottom = _draw_event_path(routes, bands, layers_end)
    height = bottom + 12
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="title desc" '
        'font-family="DejaVu Sans, Arial, sans-serif">',
        '  <title id="title">The layers of Backcare and its event path</title>',
        '  <desc id="desc">Each band imports only the bands below it, top to bottom: '
        + escape("; ".join(", ".join(apps) for apps in bands))
        + ". Apps side by side in one band do not import each other. The events: "
        + escape("; ".join(_describe(route) for route in routes))
        + ".</desc>",
        "  <defs>",
        '    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#667"/></marker>',
        "  </defs>",
        f'  <rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        '  <text x="20" y="30" font-size="15" font-weight="bold" fill="#222">'
        "Each band imports only the bands below it</text>",
    ]
    y = 50
    colours = ("#e8f0fb", "#5b7fb8")  # above the clinical core
    for apps in bands:
        label = BANDS.get(apps[0])
        if apps[0] == "signup":
            colours = ("#fdf3e4", "#b8862f")  # the clinical core
        elif apps[0] == "notices":
            colours = ("#eef7ee", "#4f8a4f")  # the foundation
        fill, stroke = colours
        if label:
            out.append(
                f'  <text x="20" y="{y + 22}" font-size="12" fill="#333">{escape(label)}</text>'
            )
        box = (WIDTH - LEFT - 20 - GAP * (len(apps) - 1)) / len(apps)
        for index, app in enumerate(apps):
            x = LEFT + index * (box + GAP)
            out.append(
                f'  <rect x="{x:.0f}" y="{y}" width="{box:.0f}" height="{BAND_HEIGHT}" rx="5" '
                f'fill="{fill}" stroke="{stroke}"/>'
            )
            out.append(
                f'  <text x="{x + box / 2:.0f}" y="{y + 22}" font-size="13" text-anchor="middle" '
                f'fill="#222">{escape(app)}</text>'
            )
        y += BAND_HEIGHT + GAP
    out.append(
        f'  <text x="20" y="{y + 20}" font-size="12" fill="#333">'
        "Pure modules (rules, scoring, slots, statistics) import no Django and no other app."
        "</text>"
    )
    out += event_part
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> int:
    # The subscribers register themselves when Django starts (each app's AppConfig.ready).
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")
    os.environ.setdefault("DEBUG", "true")  # no production secrets needed to start the apps
    import django

    django.setup()
    PICTURE.write_text(draw(layers(), event_path()))
    print(f"Wrote {PICTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The picture in docs/architecture.md is drawn from the code: its layers from the import
contract, its event path from the events, their `events.publish` calls and the subscribers
registered at start-up, so the picture and the code cannot drift apart."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from backcare import events

ROOT = Path(__file__).resolve().parent.parent
STALE = (
    "docs/architecture.svg no longer shows the code: run .venv/bin/python "
    "scripts/architecture_svg.py and commit the picture"
)


def drawing() -> ModuleType:
    """scripts/architecture_svg.py, loaded once (its dataclasses need it in sys.modules)."""
    if "architecture_svg" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "architecture_svg", ROOT / "scripts" / "architecture_svg.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["architecture_svg"] = module
        spec.loader.exec_module(module)
    return sys.modules["architecture_svg"]


def test_the_architecture_picture_shows_the_layers_and_the_event_path_of_the_code() -> None:
    svg = drawing()

    committed = (ROOT / "docs" / "architecture.svg").read_text()

    assert committed == svg.draw(svg.layers(), svg.event_path()), STALE
    for app in ("staff", "booking", "holds", "notices", "lib"):
        assert f">{app}</text>" in committed


def test_the_event_path_in_the_picture_is_the_registry_of_subscribers() -> None:
    """Read back from the picture's description: every event of events.py, each with the apps
    that subscribe and whether they run within the publisher's transaction."""
    committed = (ROOT / "docs" / "architecture.svg").read_text()
    description = re.search(r"The events: (.*)\.</desc>", committed)
    assert description is not None, STALE
    pictured = {}
    for route in description.group(1).split("; "):
        event, published, heard = re.fullmatch(
            r"(\w+), published by (.+), heard by (.+)", route
        ).groups()  # type: ignore[union-attr]
        pictured[event] = (published, sorted(re.findall(r"(\w+) \(([^)]+)\)", heard)))

    def how(subscriber: events.Subscriber) -> str:
        if subscriber in events._required:
            return "within the transaction, required"
        if subscriber in events._within_transaction:
            return "within the transaction"
        return "after the commit"

    registered = {
        kind.__name__: sorted(
            (subscriber.__module__.split(".")[1], how(subscriber))
            for subscriber in events.subscribers(kind)
        )
        for kind in events.Event.__subclasses__()
        if kind.__module__ == events.__name__
    }
    assert {event: heard for event, (_, heard) in pictured.items()} == registered, STALE
    assert pictured["AlertRaised"][0] == "notes"
    assert pictured["SessionsHeld"][0] == "booking"
    assert pictured["IntakeSubmitted"][1] == [("outcomes", "within the transaction, required")]
    assert pictured["SlotFreed"][1] == [("waitlist", "after the commit")]


def test_every_event_is_published_and_heard_only_in_receivers() -> None:
    """Each event of events.py is published by some app, and every subscriber lives in its
    app's receivers.py, where docs/architecture.md says to look for it."""
    published = drawing().publishers()
    for kind in events.Event.__subclasses__():
        if kind.__module__ != events.__name__:
            continue
        assert published.get(kind.__name__), f"{kind.__name__} is never published"
        for subscriber in events.subscribers(kind):
            if subscriber.__module__.startswith("backcare."):
                assert subscriber.__module__.endswith(".receivers"), subscriber

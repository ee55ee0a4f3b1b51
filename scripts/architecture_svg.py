"""Draw docs/architecture.svg from the `layers` import contract in pyproject.toml.

The picture is the contract: one band per layer, top to bottom, each app a box; apps that may
not import each other (`|`) stand apart in their band. A test (tests/test_architecture.py)
checks that the committed picture is what this draws, so a change of the contract changes the
picture with it::

    .venv/bin/python scripts/architecture_svg.py          # rewrites docs/architecture.svg
"""

from __future__ import annotations

import sys
import tomllib
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURE = ROOT / "docs" / "architecture.svg"

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
WIDTH = 820
BAND_HEIGHT = 34
GAP = 8
LEFT = 250


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


def draw(bands: list[list[str]]) -> str:
    height = 60 + len(bands) * (BAND_HEIGHT + GAP) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="title desc" '
        'font-family="DejaVu Sans, Arial, sans-serif">',
        '  <title id="title">The layers of Backcare</title>',
        '  <desc id="desc">Each band imports only the bands below it, top to bottom: '
        + escape("; ".join(", ".join(apps) for apps in bands))
        + ". Apps side by side in one band do not import each other.</desc>",
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
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> int:
    PICTURE.write_text(draw(layers()))
    print(f"Wrote {PICTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

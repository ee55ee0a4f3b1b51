"""The picture of the layers in docs/architecture.md is drawn from the import contract, so the
two cannot drift apart."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_architecture_picture_shows_the_layers_of_the_contract() -> None:
    spec = importlib.util.spec_from_file_location(
        "architecture_svg", ROOT / "scripts" / "architecture_svg.py"
    )
    assert spec is not None and spec.loader is not None
    drawing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(drawing)

    committed = (ROOT / "docs" / "architecture.svg").read_text()

    assert committed == drawing.draw(drawing.layers()), (
        "docs/architecture.svg no longer shows the `layers` contract of pyproject.toml: run "
        ".venv/bin/python scripts/architecture_svg.py and commit the picture"
    )
    for app in ("staff", "booking", "holds", "notices", "lib"):
        assert f">{app}</text>" in committed

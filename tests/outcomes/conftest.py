from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.outcomes.clinic_files import questionnaire

WriteInstrument = Callable[..., Path]


@pytest.fixture
def clinic_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "clinic-instruments"
    folder.mkdir()
    return folder


@pytest.fixture
def write_instrument(clinic_dir: Path) -> WriteInstrument:
    """Drop a Questionnaire and its scoring file into the clinic folder, as a clinic would."""

    def write(
        instrument_id: str,
        items: list[dict[str, Any]] | None,
        scoring: dict[str, Any] | None,
    ) -> Path:
        if items is not None:
            (clinic_dir / f"{instrument_id}.json").write_text(
                json.dumps(questionnaire(instrument_id, items)), encoding="utf-8"
            )
        if scoring is not None:
            (clinic_dir / f"{instrument_id}.scoring.json").write_text(
                json.dumps({"instrument": instrument_id, **scoring}), encoding="utf-8"
            )
        return clinic_dir

    return write

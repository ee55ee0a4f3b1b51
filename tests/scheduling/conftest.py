"""The scheduling tests' shared fixtures, over the week of `clinic_week.py`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.conftest import Clinic
from tests.scheduling.clinic_week import NOW, open_weekdays


@pytest.fixture
def frozen() -> Iterator[None]:
    """The clock stands at `NOW`, Monday 25 May 2026, 08:00 in Atlanta (a module that books
    in the week asks for it with `pytestmark = pytest.mark.usefixtures("frozen")`)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def open_clinic(clinic: Clinic) -> Clinic:
    """The clinic open on weekdays: Tess and Theo at Midtown, 09:00-17:00 with lunch. A module
    whose clinic opens otherwise overrides this with `open_weekdays`' parameters."""
    return open_weekdays(clinic)

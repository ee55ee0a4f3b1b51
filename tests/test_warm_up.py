"""A web server prepares, when it starts, what its first request would otherwise pay for (issue
17, item 3): the analytics' statistics libraries, every page's module and the templates. A
command or the worker, which do not load the WSGI module, never pay for them. How fast the first
analytics load is, is measured in bench/first_load.py, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from backcare.analytics import stats

ROOT = Path(__file__).resolve().parent.parent

STATISTICS = ["scipy.stats", "statsmodels.stats.proportion", "statsmodels.duration.survfunc"]

PROBE = """
import json, sys
import django
django.setup()
before = sorted(m for m in {modules} if m in sys.modules)
from django.template import engines
import backcare.wsgi
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({{
    "before": before,
    "after": sorted(m for m in {modules} if m in sys.modules),
    "templates": sorted(
        name for name in ("base.html", "analytics/dashboard.html")
        if any(key.startswith(name) for key in loader.get_template_cache)
    ),
}}))
"""


def test_the_web_server_warms_up_at_start_up_and_a_command_does_not() -> None:
    modules = [*STATISTICS, "backcare.staff.analytics.views", "backcare.portal.booking"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    probe = subprocess.run(  # noqa: S603 - our own interpreter, a fixed script
        [sys.executable, "-c", PROBE.format(modules=repr(modules))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["before"] == []  # Django's set-up alone (a command, the worker) imports none
    assert found["after"] == sorted(modules)
    assert found["templates"] == ["analytics/dashboard.html", "base.html"]


def test_the_statistics_warm_up_runs_each_estimate() -> None:
    stats.warm_up()  # no error, no database: pure

"""`make bench` writes its million-session clinic straight into the tables (COPY), column by
column: every column a model requires must be among those it writes, or the benchmark stops
before measuring anything (as it did once a change time was added to clients). And a part that
fails anyway is written down on the page and makes `make bench` end with an error."""

from __future__ import annotations

import pytest

from bench import first_load, measure
from bench.analytics_data import COPIED, Table, Writer


@pytest.mark.parametrize(
    ("model", "columns", "method"), COPIED, ids=lambda v: getattr(v, "__name__", "")
)
def test_the_benchmark_writes_every_column_a_model_requires(
    model: type, columns: str, method: str
) -> None:
    Table(model, columns)  # raises naming the column that needs a value
    assert callable(getattr(Writer, method))


def test_a_part_of_make_bench_that_fails_is_written_down_and_fails_the_run() -> None:
    def no_environment(**extra: str) -> dict[str, str]:
        raise OSError("no room left on the disk")

    before = len(measure.FAILED)
    lines = first_load.measured_section(no_environment)

    assert "Not measured: the first-load benchmark failed (no room left on the disk)." in lines
    assert measure.FAILED[before:] == ["the first-load benchmark: no room left on the disk"]
    del measure.FAILED[before:]

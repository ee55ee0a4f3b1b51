"""`make bench` writes its million-session clinic straight into the tables (COPY), column by
column: every column a model requires must be among those it writes, or the benchmark stops
before measuring anything (as it did once a change time was added to clients)."""

from __future__ import annotations

import pytest

from bench.analytics_data import COPIED, Table, Writer


@pytest.mark.parametrize(
    ("model", "columns", "method"), COPIED, ids=lambda v: getattr(v, "__name__", "")
)
def test_the_benchmark_writes_every_column_a_model_requires(
    model: type, columns: str, method: str
) -> None:
    Table(model, columns)  # raises naming the column that needs a value
    assert callable(getattr(Writer, method))

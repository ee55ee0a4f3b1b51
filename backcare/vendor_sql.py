"""A migration step of raw SQL that differs by database: triggers, mostly, which PostgreSQL and
SQLite write differently. Each database gets its own list of statements both ways; another
database gets none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def run_sql_by_vendor(
    *,
    postgresql: Sequence[str] = (),
    postgresql_back: Sequence[str] = (),
    sqlite: Sequence[str] = (),
    sqlite_back: Sequence[str] = (),
) -> migrations.RunPython:
    statements = {"postgresql": (postgresql, postgresql_back), "sqlite": (sqlite, sqlite_back)}

    def run(schema_editor: Any, direction: int) -> None:
        for statement in statements.get(schema_editor.connection.vendor, ((), ()))[direction]:
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(
        lambda _apps, schema_editor: run(schema_editor, 0),
        lambda _apps, schema_editor: run(schema_editor, 1),
    )

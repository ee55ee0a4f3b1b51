"""Django empties a test database on SQLite with DELETE (PostgreSQL uses TRUNCATE, which row
triggers do not see), and the database refuses DELETE of audit rows and signed notes. So, in the
tests only, a flush sets the refusing DELETE triggers aside and puts them back, as they were,
in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.backends.sqlite3.operations import DatabaseOperations

_sql_flush = DatabaseOperations.sql_flush


def _sql_flush_past_the_guards(self: DatabaseOperations, *args: Any, **kwargs: Any) -> list[str]:
    statements: list[str] = _sql_flush(self, *args, **kwargs)
    if not statements:
        return statements
    with self.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE %s",
            ["%BEFORE DELETE%"],
        )
        triggers = cursor.fetchall()
    drops = [f'DROP TRIGGER "{name}"' for name, _sql in triggers]
    return [*drops, *statements, *(sql for _name, sql in triggers)]


def allow_test_flush() -> None:
    assert DatabaseWrapper.ops_class is DatabaseOperations
    DatabaseOperations.sql_flush = _sql_flush_past_the_guards  # type: ignore[method-assign, assignment]

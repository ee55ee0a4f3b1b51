"""Courses of programs that existed before the analytics did.

Frozen: a migration never imports live code, which drifts from the schema it ran against. The
courses table is a read model rebuilt from programs, appointments and responses, so an
installation that had programs before this migration fills it with ``backcare
refresh_analytics`` (docs/operations.md); this migration only says so.
"""

from django.db import migrations


def say_how_to_fill(apps, schema_editor):
    if apps.get_model("care", "Program").objects.exists():
        print(  # noqa: T201 - shown once to the operator who runs the migration
            "\n  Existing programs have no analytics yet: run `backcare refresh_analytics`."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("outcomes", "0001_responses"),
        ("scheduling", "0003_appointment_program"),
    ]

    operations = [migrations.RunPython(say_how_to_fill, migrations.RunPython.noop)]

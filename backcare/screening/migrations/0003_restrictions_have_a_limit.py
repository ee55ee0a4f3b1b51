"""A clearance's restrictions have a longest length, which the form enforces.

A text column's length is Django's alone: the database keeps a text column as it was, so this
changes only what Django knows of the field (and SQLite does not rebuild the table).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_names_on_one_line"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clearance",
                    name="restrictions",
                    field=models.TextField(
                        blank=True,
                        help_text="Anything the physician asks the therapist to avoid or adapt.",
                        max_length=1000,
                    ),
                ),
            ],
        ),
    ]

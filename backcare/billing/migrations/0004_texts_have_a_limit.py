"""A void reason and a day-end note have a longest length, which the forms enforce.

A text column's length is Django's alone: the database keeps a text column as it was, so this
changes only what Django knows of the fields. (Altering them in the database would, on SQLite,
rebuild the tables and drop the triggers that keep the ledger: migration 0003.)
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_sqlite_keeps_the_ledger"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dayclose",
                    name="note",
                    field=models.TextField(blank=True, max_length=1000),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="reason",
                    field=models.TextField(blank=True, max_length=500),
                ),
            ],
        ),
    ]

"""The database cache table that settings.CACHES names (password reset limits share it across
every server process). Django's createcachetable makes it; it does nothing for a table that
exists already or for a cache that is not in the database."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_names_on_one_line"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]

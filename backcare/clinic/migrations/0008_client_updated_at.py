"""A client's time of last change, for connected systems' incremental reads. Clients already
here take the time they were created: nothing records a later change."""

import django.utils.timezone
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def from_created(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    client = apps.get_model("clinic", "Client")
    client.objects.using(schema_editor.connection.alias).update(updated_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("clinic", "0007_privacy_notice")]

    operations = [
        migrations.AddField(
            model_name="client",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True,
                db_index=True,
                default=django.utils.timezone.now,
                verbose_name="last changed",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(from_created, migrations.RunPython.noop, elidable=True),
    ]

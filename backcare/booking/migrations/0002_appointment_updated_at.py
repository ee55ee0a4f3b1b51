"""An appointment's time of last change, for connected systems' incremental reads.
Appointments already here take the time they were cancelled, or else booked: the latest time
recorded on them."""

import django.utils.timezone
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models.functions import Coalesce


def from_booked(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    appointment = apps.get_model("booking", "Appointment")
    appointment.objects.using(schema_editor.connection.alias).update(
        updated_at=Coalesce("cancelled_at", "booked_at")
    )


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True,
                db_index=True,
                default=django.utils.timezone.now,
                verbose_name="last changed",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(from_booked, migrations.RunPython.noop, elidable=True),
    ]

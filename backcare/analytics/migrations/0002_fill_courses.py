"""Fill the courses of programs that existed before the analytics did."""

from django.db import migrations


def fill(apps, schema_editor):
    # The historical model says whether there is anything to do; the refresh itself needs the
    # current code (scoring, baselines), which matches the schema when this first runs.
    if not apps.get_model("care", "Program").objects.exists():
        return
    from backcare.analytics import courses

    courses.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("outcomes", "0001_responses"),
        ("scheduling", "0003_appointment_program"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

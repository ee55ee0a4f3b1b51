"""Alerts opened before issue 11 (item 7) cite our internal specification ("SPEC §2 step 5") as
their source, and the source travels into the referral letter a physician reads. They now cite
the clinic's precaution and its screening in words, as new alerts do (``notes/monitor.py``)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

PLAIN = {
    (
        "The founding clinic's precaution (SPEC §2 step 5): the pressure must evoke relaxation in "
        "the muscles; if not, the muscles may be hurt, consult a doctor."
    ): (
        "The clinic's precaution: the pressure must evoke relaxation in the muscles; if not, the "
        "muscles may be hurt, consult a doctor."
    ),
    "Backcare's safety screening (SPEC §3), run again at check-in (SPEC §2 step 4).": (
        "The clinic's safety screening before care, asked again at check-in."
    ),
}


def cite_in_words(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alert = apps.get_model("notes", "Alert")
    for old, new in PLAIN.items():
        alert.objects.filter(source=old).update(source=new)


class Migration(migrations.Migration):
    dependencies = [("notes", "0002_signed_notes_are_locked")]

    operations = [migrations.RunPython(cite_in_words, migrations.RunPython.noop)]

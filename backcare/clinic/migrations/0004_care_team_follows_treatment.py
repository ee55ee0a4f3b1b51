"""Access to a client's clinical record follows treatment, not a booking (SPEC §2a; issue 11).

Until now booking an appointment put the therapist on the client's care team for good, even when
the appointment was later moved to a colleague or cancelled. This migration applies the new rule
to the memberships that booking made (reason ``booked``) and that are still open:

* kept, and relabelled ``treated``, when the therapist treated the client: an appointment of
  theirs with the client was checked in or completed, or has a check-in record or a session
  note, or they wrote a session note for the client;
* kept, and relabelled ``program``, when the therapist's only tie is a treatment program of the
  client's that they plan;
* otherwise ended (``ended_at`` set to the time of the migration): the chart closes to them.

Memberships for other reasons (assigned, program) and memberships already ended are left as
they are; ended ``booked`` ones keep their reason as history.

No audit rows are written. The audit log is hash-chained and appended only by
``backcare.audit.log`` through the live models, which a migration must not import; the change
is instead visible in the memberships themselves (``ended_at`` set at the migration's time on
rows whose reason stays ``booked``), and Django records when the migration was applied
(``django_migrations``). Going back restores nothing: ending access cannot be undone safely
without knowing the rows' state before, so the reverse step does nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.utils import timezone

TREATED_STATUSES = ("checked_in", "completed")


def follow_treatment(apps: Any, schema_editor: Any = None) -> dict[str, int]:
    """End or relabel every open ``booked`` membership by the rule above. Returns the counts
    (``ended``, ``treated``, ``program``); callable from a test with the real app registry."""
    membership_model = apps.get_model("clinic", "CareTeamMembership")
    appointment_model = apps.get_model("scheduling", "Appointment")
    check_in_model = apps.get_model("notes", "CheckIn")
    note_model = apps.get_model("notes", "SessionNote")
    program_model = apps.get_model("care", "Program")

    treated: set[tuple[int, int]] = set()
    treated.update(
        appointment_model.objects.filter(status__in=TREATED_STATUSES).values_list(
            "client_id", "therapist_id"
        )
    )
    treated.update(check_in_model.objects.values_list("client_id", "appointment__therapist_id"))
    treated.update(note_model.objects.values_list("client_id", "therapist_id"))
    treated.update(note_model.objects.values_list("client_id", "appointment__therapist_id"))
    planned = set(program_model.objects.values_list("client_id", "therapist_id"))

    now = timezone.now()
    counts = {"ended": 0, "treated": 0, "program": 0}
    open_booked = membership_model.objects.filter(reason="booked", ended_at__isnull=True)
    for membership in open_booked.order_by("pk"):
        tie = (membership.client_id, membership.therapist_id)
        if tie in treated:
            membership.reason = "treated"
            membership.save(update_fields=["reason"])
            counts["treated"] += 1
        elif tie in planned:
            membership.reason = "program"
            membership.save(update_fields=["reason"])
            counts["program"] += 1
        else:
            membership.ended_at = now
            membership.save(update_fields=["ended_at"])
            counts["ended"] += 1
    return counts


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0003_service_length_bounds"),
        ("scheduling", "0004_appointment_group_statistics"),
        ("notes", "0002_signed_notes_are_locked"),
        ("care", "0002_one_running_program"),
    ]

    operations = [
        migrations.AlterField(
            model_name="careteammembership",
            name="reason",
            field=models.CharField(
                choices=[
                    ("assigned", "Assigned by staff"),
                    ("treated", "Treated the client"),
                    ("program", "Plans the treatment program"),
                    ("booked", "Booked an appointment"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(follow_treatment, migrations.RunPython.noop, elidable=False),
    ]

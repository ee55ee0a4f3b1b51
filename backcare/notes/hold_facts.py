"""The alerts a clinical hold rests on: each client's alerts of a possible injury or a stopped
session, and the programs they paused. Registered with the holds app when
``NotesConfig.ready`` imports this."""

from __future__ import annotations

from backcare.holds import rules
from backcare.holds.queries import Gathered, provides
from backcare.notes.models import Alert


@provides("alerts")
def alerts(ids: list[int], gathered: Gathered) -> None:
    for pk, client_id, kind, opened_at, program_id, paused in Alert.objects.filter(
        client_id__in=ids, kind__in=rules.HOLDING_ALERTS
    ).values_list("pk", "client_id", "kind", "opened_at", "program_id", "paused_program"):
        gathered.alerts[client_id].append(rules.AlertFact(pk, kind, opened_at))
        if paused and program_id is not None:
            gathered.pausing[client_id].add(program_id)

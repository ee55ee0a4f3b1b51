"""The pauses a clinical hold rests on: each paused program's latest pause. Registered with the
holds app when ``CareConfig.ready`` imports this."""

from __future__ import annotations

from backcare.care.models import ProgramStatus, StatusChange
from backcare.holds import rules
from backcare.holds.queries import Gathered, provides


@provides("pauses")
def pauses(ids: list[int], gathered: Gathered) -> None:
    for change, program_id, client_id, at in (
        StatusChange.objects.filter(
            program__client_id__in=ids,
            program__status=ProgramStatus.PAUSED,
            to_status=ProgramStatus.PAUSED,
        )
        .order_by("changed_at", "pk")
        .values_list("pk", "program_id", "program__client_id", "changed_at")
    ):
        # The latest pause of the program is the one that stands.
        gathered.pauses[client_id][program_id] = rules.PauseFact(program_id, change, at)

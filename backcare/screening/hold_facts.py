"""The screening facts a clinical hold rests on: each client's latest screening and the codes a
doctor has cleared. Registered with the holds app when ``ScreeningConfig.ready`` imports this."""

from __future__ import annotations

from backcare.holds.queries import Gathered, provides
from backcare.screening.models import Clearance, Screening


@provides("screenings")
def screenings(ids: list[int], gathered: Gathered) -> None:
    for screening in Screening.objects.filter(client_id__in=ids).order_by(
        "client_id", "-created_at", "-pk"
    ):
        gathered.latest.setdefault(screening.client_id, screening)
    for client_id, covers in Clearance.objects.filter(client_id__in=ids).values_list(
        "client_id", "covers"
    ):
        gathered.cleared[client_id].update(covers)

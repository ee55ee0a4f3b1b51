"""The background half of an import started from the staff page."""

from __future__ import annotations

from django_tasks import task

from backcare.imports import actions
from backcare.imports.models import ImportRun


@task()
def run_import(*, run_id: int) -> str:
    found = ImportRun.objects.select_related("created_by").filter(pk=run_id).first()
    if found is None or found.status != ImportRun.Status.QUEUED:
        return "nothing to do"
    return actions.run(found).status

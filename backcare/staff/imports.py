"""The owner's page for moving in from another practice system: upload an export, see a dry
run's report row by row, then import it, with a progress bar while it runs in the background."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from backcare import policy
from backcare.imports import actions, rows
from backcare.imports.models import ImportRun
from backcare.lib.errors import FieldError
from backcare.pages import show_refusal
from backcare.policy import Action, AuthenticatedRequest

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
load_run = policy.loader(ImportRun, "run_id")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds", choices=ImportRun.Kind.choices, initial="clients"
    )
    system = forms.ChoiceField(label="Exported from")
    file = forms.FileField(
        label="CSV file", help_text="The export as the other system saves it (CSV, UTF-8)."
    )
    dry_run = forms.BooleanField(
        label="Dry run: check every row and write nothing",
        required=False,
        initial=True,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["system"].choices = [  # type: ignore[attr-defined]
            (name, rows.load_mapping(name).name) for name in rows.systems()
        ]

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB: split it in two.")
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "This file is not UTF-8 text. Save the export as CSV (UTF-8) and try again."
            ) from None


def _upload_name(request: AuthenticatedRequest) -> str:
    upload = request.FILES.get("file")
    return str(getattr(upload, "name", "") or "export.csv")


@policy.requires(Action.IMPORT_RUN)
@require_http_methods(["GET", "HEAD", "POST"])
def import_start(request: AuthenticatedRequest) -> HttpResponseBase:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = actions.start_run(
                request.user,
                form.cleaned_data["kind"],
                form.cleaned_data["system"],
                _upload_name(request),
                form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except FieldError as error:
            show_refusal(form, error)
        else:
            return redirect("staff:import_run", run_id=run.pk)
    runs = ImportRun.objects.select_related("created_by")[:10]
    return render(
        request,
        "staff/import_start.html",
        {"form": form, "runs": runs},
        status=400 if form.is_bound and form.errors else 200,
    )


@policy.requires(Action.IMPORT_RUN, load=load_run)
def import_run(request: AuthenticatedRequest, run: ImportRun) -> HttpResponse:
    return render(
        request, "staff/import_run.html", {"run": run, "live": actions.progress_is_live()}
    )


@policy.requires(Action.IMPORT_RUN, load=load_run)
def import_progress(request: AuthenticatedRequest, run: ImportRun) -> HttpResponse:
    """The progress bar and, once finished, the report: what htmx polls. Where the run's
    progress cannot be seen while it runs (SQLite), the bar says only that it is running."""
    return render(
        request, "staff/_import_progress.html", {"run": run, "live": actions.progress_is_live()}
    )


@policy.requires(Action.IMPORT_RUN, load=load_run)
@require_POST
def import_confirm(request: AuthenticatedRequest, run: ImportRun) -> HttpResponseBase:
    """After a clean dry run: import the same file for real."""
    if not run.dry_run or run.status != ImportRun.Status.DONE:
        return redirect("staff:import_run", run_id=run.pk)
    real = actions.start_run(
        request.user, run.kind, run.system, run.filename, run.content, dry_run=False
    )
    return redirect("staff:import_run", run_id=real.pk)

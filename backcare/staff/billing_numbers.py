"""The owner's pages for what a superbill prints: each location's NPI and tax ID and each
therapist's NPI (their licence is on their own page), and a client's diagnosis codes. Thin:
the access policy, the named actions of ``backcare.billing``, render or redirect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from backcare import policy
from backcare.billing import actions, identifiers
from backcare.billing.ledger import LedgerError
from backcare.billing.models import ClientBilling, ProviderNumbers
from backcare.clinic.models import Client, Location, Therapist
from backcare.policy import Action, AuthenticatedRequest

load_client = policy.loader(Client, "client_id")


class ProviderNumbersForm(forms.Form):
    """One NPI (and, for a location, a tax ID) per location and therapist."""

    def __init__(
        self,
        data: Any,
        *,
        locations: list[Location],
        therapists: list[Therapist],
        numbers: dict[tuple[str, int], ProviderNumbers],
    ) -> None:
        super().__init__(data)
        self.owners: list[tuple[str, Location | Therapist]] = []
        for location in locations:
            kept = numbers.get(("location", location.pk))
            self._add(f"location_{location.pk}", location, kept, f"{location.name}: NPI")
            self.fields[f"location_{location.pk}_tax_id"] = forms.CharField(
                label=f"{location.name}: tax ID (EIN)",
                required=False,
                max_length=12,
                initial=kept.tax_id if kept else "",
            )
        for therapist in therapists:
            kept = numbers.get(("therapist", therapist.pk))
            self._add(f"therapist_{therapist.pk}", therapist, kept, f"{therapist.name}: NPI")

    def _add(
        self, prefix: str, owner: Location | Therapist, kept: ProviderNumbers | None, label: str
    ) -> None:
        self.owners.append((prefix, owner))
        self.fields[f"{prefix}_npi"] = forms.CharField(
            label=label, required=False, max_length=14, initial=kept.npi if kept else ""
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        checks = {"_npi": identifiers.clean_npi, "_tax_id": identifiers.clean_ein}
        for name in list(self.fields):
            if name not in data:
                continue
            clean = next(check for end, check in checks.items() if name.endswith(end))
            try:
                data[name] = clean(data[name])
            except identifiers.IdentifierError as error:
                self.add_error(name, str(error))
        return data


@policy.requires(Action.BILLING_SETTINGS)
def provider_numbers(request: AuthenticatedRequest) -> HttpResponse:
    numbers = {
        ("location" if kept.location_id else "therapist", kept.location_id or kept.therapist_id): (
            kept
        )
        for kept in ProviderNumbers.objects.all()
    }
    form = ProviderNumbersForm(
        request.POST or None,
        locations=list(Location.objects.order_by("name")),
        therapists=list(Therapist.objects.select_related("user").order_by("user__full_name")),
        numbers=numbers,  # type: ignore[arg-type]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                for prefix, owner in form.owners:
                    actions.set_provider_numbers(
                        request.user,
                        owner,
                        npi=data[f"{prefix}_npi"],
                        tax_id=data.get(f"{prefix}_tax_id", ""),
                    )
        except LedgerError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Provider numbers saved.")
            return redirect("billing:provider_numbers")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "billing/provider_numbers.html", {"form": form}, status=status)


class DiagnosisCodesForm(forms.Form):
    diagnosis_codes = forms.CharField(
        label="Diagnosis codes (ICD-10-CM)",
        max_length=120,
        help_text="Separated by commas. M54.50 is low back pain, unspecified.",
    )

    def clean_diagnosis_codes(self) -> str:
        try:
            codes = identifiers.clean_diagnosis_codes(self.cleaned_data["diagnosis_codes"])
        except identifiers.IdentifierError as error:
            raise forms.ValidationError(str(error)) from None
        return ", ".join(codes)


@policy.requires(Action.BILLING_SETTINGS, load=load_client)
def diagnosis_codes(request: AuthenticatedRequest, client: Client) -> HttpResponse:
    kept = ClientBilling.objects.filter(client=client).first()
    form = DiagnosisCodesForm(
        request.POST or None,
        initial={"diagnosis_codes": kept.diagnosis_codes if kept else "M54.50"},
    )
    if request.method == "POST" and form.is_valid():
        actions.set_diagnosis_codes(request.user, client, form.cleaned_data["diagnosis_codes"])
        messages.success(request, "Diagnosis codes saved.")
        return redirect("billing:client", client_id=client.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "billing/diagnosis_codes.html", {"form": form, "client": client}, status=status
    )

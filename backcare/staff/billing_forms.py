"""The billing forms. Amounts are typed in dollars and become cents here; every error names
its field; a payment or refund form carries a one-time key (a hidden field)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from backcare.billing.ledger import LedgerError, parse_cents
from backcare.billing.models import DAY_CLOSE_NOTE_MAX, VOID_REASON_MAX, PaymentMethod
from backcare.care.models import Program
from backcare.clinic.models import Location, Service
from backcare.pages import too_long

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
KEY_MAX = 80  # Payment.idempotency_key


def form_key() -> forms.CharField:
    """The one-time key of a payment or refund form (see ``actions.new_form_key``)."""
    return forms.CharField(
        widget=forms.HiddenInput,
        max_length=KEY_MAX,
        error_messages={"max_length": "The form has expired: please open the invoice again."},
    )


class AmountField(forms.CharField):
    """Dollars as typed (``95``, ``95.00``, ``$1,095.50``) → integer cents."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Amount ($)")
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_cents(str(text))
        except LedgerError as error:
            raise forms.ValidationError(error.message) from None


class PaymentForm(forms.Form):
    method = forms.ChoiceField(
        label="Paid by",
        choices=[(value, label) for value, label in PaymentMethod.choices if value != "online"],
    )
    amount = AmountField()
    gift_card_code = forms.CharField(
        label="Gift card code",
        required=False,
        max_length=40,
        help_text="Only when paying by gift card.",
        error_messages={"max_length": too_long("gift card code")},
    )
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=200,
        help_text="A cheque number or a terminal receipt.",
        error_messages={"max_length": too_long("reference")},
    )
    key = form_key()


class RefundForm(forms.Form):
    amount = AmountField(label="Refund ($)")
    reason = forms.CharField(
        label="Reason", max_length=200, error_messages={"max_length": too_long("reason")}
    )
    key = form_key()


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=VOID_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": too_long("reason")},
    )


class PackageForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label="Program")
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    sessions = forms.IntegerField(label="Sessions", min_value=1, max_value=52, initial=10)
    paid_sessions = forms.IntegerField(
        label="For the price of", min_value=1, max_value=52, initial=9
    )
    expires_on = forms.DateField(label="Expires on", widget=DATE_INPUT)

    def __init__(self, *args: Any, programs: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = programs
        self.fields["expires_on"].initial = today.replace(year=today.year + 1)


class GiftCardForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    amount = AmountField(label="Value ($)")


class DayCloseForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    day = forms.DateField(widget=DATE_INPUT)
    counted = AmountField(label="Cash counted ($)")
    note = forms.CharField(
        required=False,
        max_length=DAY_CLOSE_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": too_long("note")},
    )


class PriceForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.filter(active=True))
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    amount = AmountField(label="Price ($)")
    tax_rate = forms.DecimalField(
        label="Tax rate (%)", min_value=0, max_value=100, decimal_places=2, initial=0
    )
    service_code = forms.CharField(label="Service code", required=False, max_length=20)

    def clean_tax_rate(self) -> int:
        rate = self.cleaned_data["tax_rate"]
        return int(rate * 100) if rate is not None else 0


class FeeForm(forms.Form):
    late_cancellation = AmountField(label="Late-cancellation fee ($)")
    no_show = AmountField(label="No-show fee ($)")

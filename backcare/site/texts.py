"""Text messages are offered only where the clinic can send them.

Backcare sends a text only once the clinic has set up a provider (``SMS_PROVIDER``). Until
then no form offers the box and no page says that a client gets texts, so nobody is promised a
message that never comes. One rule for the client's reminders in the portal, the staff's client
form and the client's chart.
"""

from __future__ import annotations

from django import forms
from django.conf import settings

SMS_FIELD = "contact_by_sms"


def texts_can_be_sent() -> bool:
    return bool(settings.SMS_PROVIDER)


def offer_texts_only_when_sent(form: forms.BaseForm) -> None:
    """Take the text-message box off ``form`` unless texts can be sent: the stored choice is
    then left as it is."""
    if not texts_can_be_sent():
        form.fields.pop(SMS_FIELD, None)

"""The waitlist in the admin, read-only: entries and offers change only through the audited
actions in ``backcare/waitlist/actions.py`` (the staff pages use them)."""

from __future__ import annotations

from django.contrib import admin

from backcare.admin_readonly import ReadOnly
from backcare.waitlist.models import WaitlistEntry, WaitlistOffer


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnly, admin.ModelAdmin[WaitlistEntry]):
    list_display = ("created_at", "client", "service", "location", "therapist", "status")
    list_filter = ("status", "location")


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(ReadOnly, admin.ModelAdmin[WaitlistOffer]):
    list_display = ("created_at", "entry", "therapist", "starts", "expires_at", "status")
    list_filter = ("status",)
    exclude = ("token_hash",)

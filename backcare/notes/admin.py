from __future__ import annotations

from django.contrib import admin

from backcare.admin_readonly import ReadOnly
from backcare.notes.models import Addendum, Alert, CheckIn, SessionNote


@admin.register(SessionNote)
class SessionNoteAdmin(ReadOnly, admin.ModelAdmin[SessionNote]):
    """Notes are written and signed in the clinic's pages, through the named actions. Here
    they are read-only: a signed note never changes, and a draft belongs to its therapist."""

    list_display = ("appointment", "therapist", "tissue_response", "signed_at")
    list_filter = ("tissue_response",)


@admin.register(Addendum)
class AddendumAdmin(ReadOnly, admin.ModelAdmin[Addendum]):
    list_display = ("note", "written_by", "written_at")


@admin.register(CheckIn)
class CheckInAdmin(ReadOnly, admin.ModelAdmin[CheckIn]):
    list_display = ("appointment", "nrs", "session_stopped", "checked_in_at")


@admin.register(Alert)
class AlertAdmin(ReadOnly, admin.ModelAdmin[Alert]):
    """Alerts are acknowledged on their page, with a note of what was done."""

    list_display = ("kind", "client", "status", "opened_at")
    list_filter = ("kind", "status")

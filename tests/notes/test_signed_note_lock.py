"""A signed note never changes (SPEC §2 step 4, §7): every way in is refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse

from backcare.lib.errors import FieldError
from backcare.notes import actions
from backcare.notes.models import Addendum, SessionNote, SignedNoteIsLocked
from tests.conftest import Clinic
from tests.notes.conftest import Course, check_in, note_values, signed_note
from tests.notes.test_pages import note_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(clinic: Clinic, course: Course) -> SessionNote:
    return signed_note(clinic, course.sessions[0])


def unchanged(note: SessionNote) -> bool:
    fresh = SessionNote.objects.get(pk=note.pk)
    return fresh.findings == "Hypertonic paraspinals L3-L5." and fresh.is_signed


def test_a_form_post_cannot_change_a_signed_note(note: SessionNote, as_tess: HttpClient) -> None:
    response = as_tess.post(
        reverse("notes:note_save", args=[note.appointment_id]),
        {"findings": "Rewritten", "pre_nrs": "5", "post_nrs": "4", "tissue_response": "relaxed"},
    )
    assert response.status_code == 400
    assert "signed and can&#x27;t be changed" in response.content.decode()
    assert unchanged(note)


def test_the_action_refuses_to_save_a_signed_note(clinic: Clinic, note: SessionNote) -> None:
    with pytest.raises(FieldError) as refused:
        actions.save_note(clinic.tess.user, note, note_values(findings="Rewritten"))
    assert refused.value.field == "note"
    assert unchanged(note)


def test_orm_save_is_refused(note: SessionNote) -> None:
    loaded = SessionNote.objects.get(pk=note.pk)
    loaded.findings = "Rewritten"
    with pytest.raises(SignedNoteIsLocked):
        loaded.save()
    assert unchanged(note)


def test_orm_save_of_a_stale_draft_copy_is_refused(clinic: Clinic, course: Course) -> None:
    session = course.sessions[0]
    check_in(clinic, session)
    draft = actions.start_note(clinic.tess.user, session, now=session.ends)
    actions.save_note(clinic.tess.user, draft, note_values(), now=session.ends)
    actions.sign_note(clinic.tess.user, SessionNote.objects.get(pk=draft.pk), now=session.ends)
    stale = SessionNote.objects.get(pk=draft.pk)
    stale._signed_when_loaded = False  # as if loaded before it was signed
    stale.findings = "Rewritten"
    with pytest.raises(SignedNoteIsLocked):
        stale.save()


def test_queryset_update_is_refused(note: SessionNote) -> None:
    with pytest.raises(SignedNoteIsLocked):
        SessionNote.objects.filter(pk=note.pk).update(findings="Rewritten")
    assert unchanged(note)


def test_delete_is_refused(note: SessionNote) -> None:
    with pytest.raises(SignedNoteIsLocked):
        SessionNote.objects.get(pk=note.pk).delete()
    with pytest.raises(SignedNoteIsLocked):
        SessionNote.objects.filter(pk=note.pk).delete()
    assert unchanged(note)


def test_the_database_refuses_a_raw_sql_update(note: SessionNote) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notes_sessionnote SET findings = %s WHERE id = %s", ["Rewritten", note.pk]
        )
    assert unchanged(note)


def test_the_database_refuses_to_unsign_a_note(note: SessionNote) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notes_sessionnote SET signed_at = NULL, signed_by_id = NULL WHERE id = %s",
            [note.pk],
        )
    assert unchanged(note)


def test_the_database_lets_a_draft_change(clinic: Clinic, course: Course) -> None:
    draft = actions.start_note(clinic.tess.user, course.sessions[0])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notes_sessionnote SET findings = %s WHERE id = %s", ["Tight", draft.pk]
        )
    assert SessionNote.objects.get(pk=draft.pk).findings == "Tight"


def test_the_database_refuses_a_raw_sql_delete(note: SessionNote) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM notes_sessionnote WHERE id = %s", [note.pk])
    assert unchanged(note)


def test_the_database_refuses_a_raw_sql_delete_of_an_addendum(
    clinic: Clinic, note: SessionNote
) -> None:
    addendum = actions.add_addendum(clinic.tess.user, note, "Heat pack used.")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM notes_addendum WHERE id = %s", [addendum.pk])
    assert Addendum.objects.filter(pk=addendum.pk).exists()


def test_a_draft_note_can_still_be_removed_in_the_database(clinic: Clinic, course: Course) -> None:
    draft = actions.start_note(clinic.tess.user, course.sessions[0])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notes_sessionnote WHERE id = %s", [draft.pk])
    assert not SessionNote.objects.filter(pk=draft.pk).exists()


def test_the_admin_change_view_cannot_change_a_signed_note(
    note: SessionNote, as_owner: HttpClient
) -> None:
    url = reverse("admin:notes_sessionnote_change", args=[note.pk])
    assert as_owner.get(url).status_code == 200  # read-only
    response = as_owner.post(url, {"findings": "Rewritten"})
    assert response.status_code == 403
    assert unchanged(note)
    delete = reverse("admin:notes_sessionnote_delete", args=[note.pk])
    assert as_owner.post(delete, {"post": "yes"}).status_code == 403
    assert unchanged(note)


def test_addenda_are_append_only(clinic: Clinic, note: SessionNote) -> None:
    addendum = actions.add_addendum(clinic.tess.user, note, "Heat pack used.")
    addendum.text = "Changed"
    with pytest.raises(SignedNoteIsLocked):
        addendum.save()
    with pytest.raises(SignedNoteIsLocked):
        Addendum.objects.filter(pk=addendum.pk).update(text="Changed")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE notes_addendum SET text = 'Changed' WHERE id = %s", [addendum.pk])
    assert Addendum.objects.get(pk=addendum.pk).text == "Heat pack used."


def test_a_note_is_never_signed_before_its_session_starts(
    clinic: Clinic, course: Course, as_tess: HttpClient
) -> None:
    """The page says so in words; and a raw write past the page is refused by the database."""
    session = course.sessions[0]
    with time_machine.travel(session.starts - dt.timedelta(minutes=30), tick=False):
        check_in(clinic, session)
        response = as_tess.post(
            reverse("notes:note_save", args=[session.pk]),
            note_form(sign="1"),
        )
    assert response.status_code == 400
    assert "hasn&#x27;t started yet" in response.content.decode()
    assert not SessionNote.objects.filter(signed_at__isnull=False).exists()

    draft = actions.start_note(clinic.tess.user, session, now=session.starts)
    early = session.starts - dt.timedelta(minutes=1)
    tess = clinic.tess.user
    with pytest.raises(DatabaseError), transaction.atomic():
        SessionNote.objects.filter(pk=draft.pk).update(signed_at=early, signed_by=tess)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notes_sessionnote SET signed_at = %s, signed_by_id = %s WHERE id = %s",
            [early, tess.pk, draft.pk],
        )
    assert SessionNote.objects.get(pk=draft.pk).signed_at is None
    # From the start on, the database lets it be signed.
    SessionNote.objects.filter(pk=draft.pk).update(signed_at=session.starts, signed_by=tess)
    assert SessionNote.objects.get(pk=draft.pk).is_signed

"""A session note's draft open in two places: the second save over the first's is refused,
keeping what was typed; the page's own autosaves never count as someone else's change."""

from __future__ import annotations

import re

from django.test import Client as HttpClient
from django.urls import reverse

from backcare.notes.models import SessionNote
from tests.conftest import Clinic, login_as
from tests.notes.conftest import Course, check_in
from tests.notes.test_pages import note_form
from tests.pages import text

CHANGED = "changed by someone else since you opened it"


def version_on(page: str) -> str:
    found = re.search(r'name="seen_version" value="([^"]+)"', page)
    assert found is not None, "the note form carries the version it was opened with"
    return found.group(1)


def test_a_draft_saved_elsewhere_is_not_overwritten(
    clinic: Clinic, course: Course, as_tess: HttpClient
) -> None:
    session = course.sessions[0]
    check_in(clinic, session)
    page = reverse("notes:note", args=[session.pk])
    save = reverse("notes:note_save", args=[session.pk])
    opened = version_on(as_tess.get(page).content.decode())

    # The same note, saved meanwhile from the tablet in the treatment room.
    tablet = login_as(clinic.tess.user)
    tablet_version = version_on(tablet.get(page).content.decode())
    tablet_words = note_form(subjective="Slept badly.", save="1", seen_version=tablet_version)
    assert tablet.post(save, tablet_words).status_code == 302

    mine = note_form(subjective="A much better week.", save="1", seen_version=opened)
    refused = as_tess.post(save, mine)
    assert refused.status_code == 409
    assert CHANGED in text(refused)
    assert "A much better week." in text(refused)
    assert SessionNote.objects.get().subjective == "Slept badly."

    # An autosave from the stale page is refused the same way, and says so.
    late = as_tess.post(save, {**mine, "autosave": "1"})
    assert late.status_code == 409
    assert late.json()["changed"] is True

    # Saving again from the refused page (which now knows the tablet's version) replaces it.
    again = note_form(
        subjective="A much better week.",
        save="1",
        seen_version=version_on(refused.content.decode()),
    )
    assert as_tess.post(save, again).status_code == 302
    assert SessionNote.objects.get().subjective == "A much better week."


def test_the_pages_own_autosaves_do_not_block_its_next_save(
    clinic: Clinic, course: Course, as_tess: HttpClient
) -> None:
    session = course.sessions[0]
    check_in(clinic, session)
    save = reverse("notes:note_save", args=[session.pk])
    version = version_on(as_tess.get(reverse("notes:note", args=[session.pk])).content.decode())
    for words in ("First thoughts.", "Second thoughts.", "Third thoughts."):
        answer = as_tess.post(save, note_form(subjective=words, autosave="1", seen_version=version))
        assert answer.status_code == 200
        version = answer["X-Seen-Version"]  # what the page's script keeps
    assert SessionNote.objects.get().subjective == "Third thoughts."

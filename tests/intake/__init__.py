"""Posting the questionnaire the way a browser does, shared by the intake and screening tests."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.test import Client as HttpClient

from backcare.intake.questionnaire import Step, load_questionnaire
from tests.pages import field_error

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def step_data(step: Step, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The form fields a browser posts for ``step`` when the person gives ``answers``
    (question id -> answer as stored). Unanswered questions and unticked boxes are left out."""
    data: dict[str, Any] = {}
    for question in step.questions:
        value = answers.get(question.id)
        if question.kind == "activities":
            for number, goal in enumerate(value or (), start=1):
                data[f"{question.id}_{number}_name"] = goal["activity"]
                data[f"{question.id}_{number}_score"] = str(goal["score"])
        elif question.kind == "consent":
            if value is True:
                data[question.id] = "on"
        elif value is None:
            continue
        elif question.kind == "body_chart":
            data[question.id] = list(value)
        else:
            data[question.id] = str(value)
    return data


def fill_in(http: HttpClient, step_url: str, answers: Mapping[str, Any]) -> None:
    """Answer every step in order, starting from ``step_url`` ("…/intake/<step>/" with the step
    id left off), and check each step sends the person on to the next one, then to review."""
    steps = load_questionnaire().steps
    for index, step in enumerate(steps):
        response = http.post(f"{step_url}{step.id}/", step_data(step, answers))
        assert response.status_code == 302, f"step {step.id} was refused"
        following = f"{step_url}{steps[index + 1].id}/" if index + 1 < len(steps) else "review/"
        assert response["Location"].endswith(following)


def question_error(response: Response, field: str) -> tuple[str, str]:
    """The question and the message shown next to one answer, whether it is a single input
    (``tests.pages.field_error``) or a group of radio buttons in a fieldset tied to its error."""
    page = response.content.decode()
    match = re.search(
        rf'<div class="field has-error">\s*<fieldset aria-describedby="[^"]*\bid_{field}_error\b'
        rf'[^"]*">\s*<legend>(?P<label>.*?)</legend>'
        rf'.*?<ul class="errorlist" id="id_{field}_error">(?P<errors>.*?)</ul>',
        page,
        re.S,
    )
    if match is None:
        return field_error(response, field)
    message = re.sub(r"<[^>]+>", " ", match["errors"])
    return html.unescape(match["label"]).strip(), " ".join(html.unescape(message).split())


def checked(response: Response, field: str) -> list[str]:
    """The values of the ticked radio buttons or boxes named ``field``."""
    tags = re.findall(rf'<input[^>]*\bname="{field}"[^>]*>', response.content.decode())
    return [
        re.search(r'\bvalue="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        for tag in tags
        if re.search(r"\bchecked\b", tag)
    ]


def words(response: Response) -> str:
    """The page as a reader sees it: without tags, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())

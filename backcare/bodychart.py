"""The body chart in forms and pages: a field that saves region codes and its widget.

The widget is a plain list of labelled checkboxes, grouped by view, with the figures drawn above
it; ``backcare/body-chart.js`` turns the figures' areas into checkboxes of their own that stay in
step with the list. The read-only chart is the ``{% body_chart codes %}`` tag
(``backcare/clinic/templatetags/body_chart.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from django import forms

from backcare.lib import body_chart


class Area(TypedDict):
    code: str
    label: str
    shape: str
    selected: bool


class Figure(TypedDict):
    view: str
    title: str
    caption: str
    viewbox: str
    areas: list[Area]
    # The client's sides as the viewer sees them, for the captions under the figure.
    viewer_left: str
    viewer_right: str


_CAPTIONS = {"back": "Back, seen from behind", "front": "Front, facing you"}


def figures(selected: Iterable[str] = ()) -> list[Figure]:
    """Both views of the chart, each area marked if its code is in ``selected``."""
    chosen = set(selected)
    return [
        Figure(
            view=view,
            title=title,
            caption=_CAPTIONS[view],
            viewbox=body_chart.VIEWBOX,
            areas=[
                Area(
                    code=region.code,
                    label=region.label,
                    shape=region.shape,
                    selected=region.code in chosen,
                )
                for region in body_chart.in_view(view)
            ],
            viewer_left="Left" if view == "back" else "Right",
            viewer_right="Right" if view == "back" else "Left",
        )
        for view, title in body_chart.VIEWS
    ]


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (title, [(region.code, region.label) for region in body_chart.in_view(view)])
        for view, title in body_chart.VIEWS
    ]


class BodyChartWidget(forms.CheckboxSelectMultiple):
    template_name = "widgets/body_chart.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["figures"] = figures(context["widget"]["value"])
        return context


class BodyChartField(forms.MultipleChoiceField):
    """Areas of the body chart; cleans to their codes, without repeats, in chart order."""

    widget = BodyChartWidget
    default_error_messages = {
        "invalid_choice": "“%(value)s” is not an area of the body chart.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=choices(), **kwargs)

    def clean(self, value: Any) -> list[str]:
        # super() has refused unknown codes already, naming them to the person filling the form.
        return list(body_chart.validate_codes(super().clean(value)))

"""The body chart: named areas saved as codes, a form field and widget, and a read-only chart."""

from __future__ import annotations

import html
import re

import pytest
from django import forms
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from backcare.bodychart import BodyChartField
from backcare.lib import body_chart
from backcare.lib.body_chart import REGIONS, labels, mirrored, region, validate_codes

CODES = [r.code for r in REGIONS]
LOW_BACK = (
    "lower_back_left",
    "lower_back_right",
    "buttock_left",
    "buttock_right",
    "thigh_back_left",
    "thigh_back_right",
)


# --- The regions ----------------------------------------------------------------------------
def test_every_code_is_unique() -> None:
    assert len(CODES) == len(set(CODES))


def test_every_shape_is_unique_within_its_view() -> None:
    for view in ("front", "back"):
        shapes = [r.shape for r in REGIONS if r.view == view]
        assert len(shapes) == len(set(shapes)), view


def test_both_views_have_areas_and_the_back_is_finer_around_the_low_back() -> None:
    back = body_chart.in_view("back")
    front = body_chart.in_view("front")
    assert front and back
    assert {r.view for r in REGIONS} == {"front", "back"}
    assert len(back) > len(front)


@pytest.mark.parametrize("code", LOW_BACK)
def test_the_low_back_areas_are_on_the_back_view(code: str) -> None:
    assert region(code).view == "back"


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("lower_back_left", "Lower back, left side"),
        ("buttock_right", "Buttock, right side"),
        ("thigh_back_left", "Back of the thigh, left side"),
        ("neck", "Back of the neck"),
        ("chest", "Chest"),
    ],
)
def test_labels_are_plain_words_from_the_clients_side(code: str, label: str) -> None:
    assert region(code).label == label


def test_every_paired_area_has_its_other_side_drawn_as_a_mirror_image() -> None:
    for r in REGIONS:
        if r.code.endswith("_left"):
            other = region(r.code.removesuffix("_left") + "_right")
            assert other.view == r.view
            assert mirrored(r.shape) == other.shape


def _mean_x(shape: str) -> float:
    xs = [float(x) for x, _ in re.findall(r"(-?[\d.]+),(-?[\d.]+)", shape)]
    return sum(xs) / len(xs)


def test_the_clients_left_is_on_the_viewers_left_from_behind_and_right_from_the_front() -> None:
    assert (
        _mean_x(region("lower_back_left").shape) < 100 < _mean_x(region("lower_back_right").shape)
    )
    assert (
        _mean_x(region("thigh_front_left").shape) > 100 > _mean_x(region("thigh_front_right").shape)
    )


def test_shapes_stay_inside_the_figure() -> None:
    _, _, width, height = (float(n) for n in body_chart.VIEWBOX.split())
    for r in REGIONS:
        for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", r.shape):
            assert 0 <= float(x) <= width and 0 <= float(y) <= height, r.code


def test_validate_codes_refuses_an_unknown_code_by_name() -> None:
    with pytest.raises(ValueError, match="'lumbar' is not an area"):
        validate_codes(["lower_back_left", "lumbar", "elbow"])


@given(st.lists(st.sampled_from(CODES)))
def test_validate_codes_gives_each_code_once_in_chart_order(codes: list[str]) -> None:
    valid = validate_codes(codes)
    assert set(valid) == set(codes)
    assert list(valid) == sorted(set(codes), key=CODES.index)
    assert validate_codes(reversed(codes)) == valid


def test_labels_follow_the_chart_order() -> None:
    assert labels(["buttock_left", "lower_back_right"]) == (
        "Lower back, right side",
        "Buttock, left side",
    )


# --- The form field and its widget ----------------------------------------------------------
class PainForm(forms.Form):
    areas = BodyChartField(label="Where do you feel pain?")


def test_the_field_cleans_to_codes_in_chart_order() -> None:
    form = PainForm({"areas": ["buttock_right", "lower_back_left", "buttock_right"]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["areas"] == ["lower_back_left", "buttock_right"]


def test_the_field_refuses_an_unknown_code_next_to_the_field() -> None:
    form = PainForm({"areas": ["lower_back_left", "lumbar"]})
    assert not form.is_valid()
    assert form.errors == {"areas": ["“lumbar” is not an area of the body chart."]}


def test_the_field_is_required_unless_told_otherwise() -> None:
    class Optional(forms.Form):
        areas = BodyChartField(required=False)

    assert not PainForm({}).is_valid()
    optional = Optional({})
    assert optional.is_valid()
    assert optional.cleaned_data["areas"] == []


def test_the_widget_draws_every_area_with_its_name_and_a_checkbox_for_it() -> None:
    page = html.unescape(str(PainForm({"areas": ["lower_back_left"]})["areas"]))
    for r in REGIONS:
        path = re.search(rf'<path [^>]*data-code="{r.code}"[^>]*>', page)
        assert path is not None, r.code
        assert f'aria-label="{r.label}"' in path.group(0)
        assert f'd="{r.shape}"' in path.group(0)
        checkbox = re.search(rf'<input type="checkbox" name="areas" value="{r.code}"[^>]*>', page)
        assert checkbox is not None, r.code
        label = re.search(rf"{re.escape(checkbox.group(0))}\s*{re.escape(r.label)}</label>", page)
        assert label is not None, f"the {r.code} checkbox has no label"


def test_the_widget_shows_what_is_already_marked() -> None:
    page = str(PainForm({"areas": ["lower_back_left"]})["areas"])
    assert re.search(r'class="body-chart-area is-selected"[^>]*data-code="lower_back_left"', page)
    assert not re.search(r'is-selected"[^>]*data-code="lower_back_right"', page)
    assert re.search(r'value="lower_back_left"[^>]*checked', page)
    assert not re.search(r'value="lower_back_right"[^>]*checked', page)


def test_the_widget_groups_the_list_by_view_and_loads_its_script_without_inline_code() -> None:
    page = str(PainForm()["areas"])
    assert re.findall(r"<legend>(\w+)</legend>", page) == ["Back", "Front"]
    assert "<summary>List of areas</summary>" in page
    assert re.search(r'<script src="/static/backcare/body-chart.js" defer></script>', page)
    assert "style=" not in page
    assert not re.search(r"<script>|\son\w+=", page)


def test_the_whole_form_renders_the_field_in_a_fieldset_with_its_legend() -> None:
    page = PainForm().as_div()
    assert re.search(r"<fieldset>\s*<legend>Where do you feel pain\?</legend>", page)


# --- The read-only chart --------------------------------------------------------------------
def _read_only(codes: object) -> str:
    template = Template("{% load body_chart %}{% body_chart codes %}")
    return html.unescape(template.render(Context({"codes": codes})))


def test_the_read_only_chart_fills_the_marked_areas_and_lists_them_in_words() -> None:
    page = _read_only(["buttock_left", "lower_back_right"])
    listed = re.findall(r"<li>(.*?)</li>", page)
    assert listed == ["Lower back, right side", "Buttock, left side"]
    filled = re.findall(r'class="body-chart-area is-selected"[^>]*data-code="(\w+)"', page)
    assert filled == ["lower_back_right", "buttock_left"]
    assert "<input" not in page and "<script" not in page


def test_the_read_only_chart_says_when_nothing_is_marked() -> None:
    nothing: list[str] | None
    for nothing in ([], None):
        page = _read_only(nothing)
        assert "No areas marked on the body chart." in page
        assert "is-selected" not in page


def test_the_read_only_chart_still_shows_a_code_it_no_longer_knows() -> None:
    page = _read_only(["lumbar", "neck"])
    assert re.findall(r"<li>(.*?)</li>", page) == ["Back of the neck", "Unknown area “lumbar”"]

"""The body chart: named areas of a front and a back figure, stored as region codes.

Codes are stable (they are saved on intakes and session notes); labels are for people and are
written from the client's point of view. Left and right are always the client's own: on the
front view the client's left side is on the viewer's right, on the back view it is on the
viewer's left, as if the client stood with their back to us.

Each shape is an SVG path in a figure of ``VIEWBOX`` units. Neighbouring areas share their
edges exactly, so together they tile the silhouette. Only one half of each paired area is drawn
here (the half on the viewer's left); the other half is its mirror image.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

View = Literal["front", "back"]

VIEWBOX = "0 0 200 440"
WIDTH = 200
# The order the views are shown and listed in: the back first, because that is where most of
# our clients' pain is and where the fine-grained areas are.
VIEWS: tuple[tuple[View, str], ...] = (("back", "Back"), ("front", "Front"))


@dataclass(frozen=True)
class Region:
    code: str
    label: str
    view: View
    shape: str  # SVG path data, absolute commands only, in VIEWBOX units


_PAIR = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def mirrored(shape: str) -> str:
    """The same path reflected about the figure's vertical midline."""

    def flip(match: re.Match[str]) -> str:
        x = WIDTH - float(match[1])
        return f"{x:g},{match[2]}"

    return _PAIR.sub(flip, shape)


# --- Shapes -------------------------------------------------------------------------------
# Whole areas that straddle the midline.
_HEAD = (
    "M100,9 C110,9 118,18 118,31 C118,43 113,50 109,52 L91,52 C87,50 82,43 82,31 "
    "C82,18 90,9 100,9 Z"
)
_NECK = "M91,52 L109,52 Q109,67 112,74 L88,74 Q91,67 91,52 Z"
_CHEST = (
    "M88,74 Q80,74 72,77 L66,110 Q67,125 69,140 L131,140 Q133,125 134,110 L128,77 Q120,74 112,74 Z"
)
_ABDOMEN = (
    "M69,140 L131,140 Q127,156 128,172 Q130,190 134,208 L100,214 L66,208 Q70,190 72,172 "
    "Q73,156 69,140 Z"
)

# Halves on the viewer's left of the figure.
_SHOULDER_BACK = "M88,74 Q80,74 72,77 Q62,79 56,84 Q47,89 47,106 L66,110 L100,104 L100,74 Z"
_SHOULDER_FRONT = "M72,77 Q62,79 56,84 Q47,89 47,106 L66,110 Z"
_UPPER_BACK = "M66,110 L100,104 L100,140 L69,140 Q67,125 66,110 Z"
_MID_BACK = "M69,140 L100,140 L100,172 L72,172 Q73,156 69,140 Z"
_LOWER_BACK = "M72,172 L100,172 L100,212 L66,208 Q70,190 72,172 Z"
_BUTTOCK = "M66,208 L100,212 L100,246 Q81,266 63,246 Q62,240 62,232 Q61,219 66,208 Z"
_HIP_FRONT = "M66,208 L100,214 L100,246 L62,232 Q61,219 66,208 Z"
_THIGH_BACK = "M63,246 Q81,266 100,246 Q98,290 95,318 L75,318 Q65,290 63,246 Z"
_THIGH_FRONT = "M62,232 L100,246 Q98,290 95,318 L75,318 Q65,290 63,246 Q62,240 62,232 Z"
_KNEE = "M75,318 L95,318 Q96,330 95,342 L76,342 Q74,330 75,318 Z"
_LOWER_LEG = "M76,342 Q71,362 76,382 Q80,396 84,406 L95,406 Q99,372 95,342 Z"
_HEEL = "M84,406 L95,406 Q96,420 94,430 Q89,434 85,430 Q82,420 84,406 Z"
_FOOT = "M84,406 L95,406 Q97,418 99,427 Q99,433 92,433 L84,433 Q79,433 80,427 Q81,418 84,406 Z"
_ARM = "M47,106 L66,110 Q60,135 56,165 Q53,190 49,222 L37,222 Q38,195 42,165 Q43,135 47,106 Z"
_HAND = "M37,222 L49,222 Q52,236 49,250 Q45,258 40,256 Q34,252 34,238 Q34,228 37,222 Z"


def _pair(code: str, label: str, view: View, shape: str) -> tuple[Region, Region]:
    """A left and a right area from the half drawn on the viewer's left, in reading order."""
    if view == "back":  # the client's left is on the viewer's left
        left_shape, right_shape = shape, mirrored(shape)
    else:  # facing us, the client's right is on the viewer's left
        left_shape, right_shape = mirrored(shape), shape
    left = Region(f"{code}_left", f"{label}, left side", view, left_shape)
    right = Region(f"{code}_right", f"{label}, right side", view, right_shape)
    return (left, right) if view == "back" else (right, left)


# Head to toe, then the arms; within a row, as a viewer reads across the figure. This is the
# order of the lists and of keyboard focus on the chart.
REGIONS: tuple[Region, ...] = (
    Region("head_back", "Back of the head", "back", _HEAD),
    Region("neck", "Back of the neck", "back", _NECK),
    *_pair("shoulder", "Shoulder", "back", _SHOULDER_BACK),
    *_pair("upper_back", "Upper back", "back", _UPPER_BACK),
    *_pair("mid_back", "Middle back", "back", _MID_BACK),
    *_pair("lower_back", "Lower back", "back", _LOWER_BACK),
    *_pair("buttock", "Buttock", "back", _BUTTOCK),
    *_pair("thigh_back", "Back of the thigh", "back", _THIGH_BACK),
    *_pair("knee_back", "Back of the knee", "back", _KNEE),
    *_pair("calf", "Calf", "back", _LOWER_LEG),
    *_pair("heel", "Heel and ankle", "back", _HEEL),
    *_pair("arm_back", "Back of the arm", "back", _ARM),
    *_pair("hand_back", "Back of the hand", "back", _HAND),
    Region("head", "Head and face", "front", _HEAD),
    Region("throat", "Front of the neck", "front", _NECK),
    *_pair("shoulder_front", "Front of the shoulder", "front", _SHOULDER_FRONT),
    Region("chest", "Chest", "front", _CHEST),
    Region("abdomen", "Belly", "front", _ABDOMEN),
    *_pair("hip_front", "Hip and groin", "front", _HIP_FRONT),
    *_pair("thigh_front", "Front of the thigh", "front", _THIGH_FRONT),
    *_pair("knee", "Knee", "front", _KNEE),
    *_pair("shin", "Shin", "front", _LOWER_LEG),
    *_pair("foot", "Foot", "front", _FOOT),
    *_pair("arm", "Front of the arm", "front", _ARM),
    *_pair("hand", "Palm of the hand", "front", _HAND),
)

_BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}
CODES: frozenset[str] = frozenset(_BY_CODE)
_ORDER: dict[str, int] = {region.code: index for index, region in enumerate(REGIONS)}


def region(code: str) -> Region:
    """The area with this code; ``KeyError`` if there is none."""
    return _BY_CODE[code]


def validate_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """The codes without repeats, in chart order; ``ValueError`` naming the first unknown one."""
    unique = set()
    for code in codes:
        if code not in _BY_CODE:
            raise ValueError(f"{code!r} is not an area of the body chart")
        unique.add(code)
    return tuple(sorted(unique, key=_ORDER.__getitem__))


def labels(codes: Iterable[str]) -> tuple[str, ...]:
    """The labels of these areas, in chart order; ``ValueError`` for an unknown code."""
    return tuple(_BY_CODE[code].label for code in validate_codes(codes))


def in_view(view: View) -> tuple[Region, ...]:
    return tuple(region for region in REGIONS if region.view == view)

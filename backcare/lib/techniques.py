"""The massage techniques Backcare knows (SPEC §3). Codes are stable; labels are for people."""

from __future__ import annotations

TECHNIQUES: dict[str, str] = {
    "swedish": "Swedish massage",
    "deep_tissue": "Deep tissue massage",
    "sports": "Sports massage",
    "medical": "Medical massage",
    "myofascial_release": "Myofascial release",
    "trigger_point": "Trigger point therapy",
    "lymphatic_drainage": "Manual lymphatic drainage",
    "aromatherapy": "Aromatherapy massage",
}

TECHNIQUE_CHOICES: list[tuple[str, str]] = list(TECHNIQUES.items())


def technique_labels(codes: list[str]) -> list[str]:
    """Labels for known codes, in catalogue order."""
    return [label for code, label in TECHNIQUES.items() if code in codes]

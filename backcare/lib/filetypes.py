"""What an uploaded file really is, read from its first bytes (puremagic), not from its name or
the type the browser claimed: both are the sender's to choose."""

from __future__ import annotations

import puremagic

# Each accepted extension, and the types its content may be.
DOCUMENT_CONTENT: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".jpg": frozenset({"image/jpeg"}),
    ".jpeg": frozenset({"image/jpeg"}),
    ".png": frozenset({"image/png"}),
    ".heic": frozenset({"image/heic", "image/heif"}),
}
HEAD_BYTES = 8192


def content_types(head: bytes) -> set[str]:
    """The types the bytes look like (empty when none is known)."""
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return set()
    return {match.mime_type for match in matches if match.mime_type}


def content_matches(extension: str, head: bytes) -> bool:
    """Is a file named ``*<extension>`` whose content starts with ``head`` what it says?"""
    expected = DOCUMENT_CONTENT.get(extension.lower())
    return expected is not None and bool(content_types(head) & expected)

"""Encryption of stored documents and backups: Fernet (AES-128-CBC with an HMAC-SHA256 tag) from
``cryptography``, with a list of keys so that a key can be retired (``MultiFernet``): the first
key encrypts, every key decrypts, and ``rotate`` re-encrypts under the first.

Plain Python, no Django: ``settings.py`` reads the keys from ``BACKCARE_FILE_KEYS`` with
:func:`parse_keys`; the private storage and the backup use :func:`cipher`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib

from cryptography.fernet import Fernet, MultiFernet

KEY_HELP = "44 characters of URL-safe base64; make one with `backcare new-file-key`"


class BadKey(ValueError):
    """A configured key that is not a Fernet key."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def development_key(secret_key: str) -> str:
    """A key derived from the development ``SECRET_KEY``, so that the demo and the tests run
    without one configured. Never used in production (``settings.py`` refuses to start)."""
    digest = hashlib.sha256(b"backcare development file key\n" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def parse_keys(keys: list[str]) -> tuple[str, ...]:
    """Check each key; the message of :class:`BadKey` says which one is wrong."""
    for number, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise BadKey(f"key {number} of {len(keys)} is not a Fernet key ({KEY_HELP})")
    return tuple(keys)


@functools.lru_cache(maxsize=8)
def cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])

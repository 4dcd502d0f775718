"""Opaque, URL-safe, unguessable identifiers (≥ 128 bits of entropy)."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def new_id(length: int = 32) -> str:
    """Return a random alphanumeric id; 32 characters carry about 190 bits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_secret() -> str:
    """Return a random secret for tokens and webhook signing (256 bits)."""
    return secrets.token_urlsafe(32)

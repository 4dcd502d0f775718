"""Webhook signatures, exactly as Mux and Livepeer compute them, and the receiver's check."""

from __future__ import annotations

import hashlib
import hmac
import time


def _hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def mux_signature(secret: str, body: bytes, timestamp: int) -> str:
    """``Mux-Signature``: ``t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``."""
    return f"t={timestamp},v1={_hmac(secret, f'{timestamp}.'.encode() + body)}"


def livepeer_signature(secret: str, body: bytes, timestamp: int) -> str:
    """``Livepeer-Signature``: ``t=<ms>,v1=<hex HMAC-SHA256(secret, body)>`` (the time is not signed)."""
    return f"t={timestamp},v1={_hmac(secret, body)}"


def _parts(header: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in header.split(",") if "=" in part)


def verify_mux(
    header: str, body: bytes, secret: str, *, tolerance: float = 300, now: float | None = None
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is no older than ``tolerance`` seconds."""
    parts = _parts(header)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), _hmac(secret, f"{timestamp}.".encode() + body))


def verify_livepeer(header: str, body: bytes, secret: str) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` (Livepeer's scheme)."""
    return hmac.compare_digest(_parts(header).get("v1", ""), _hmac(secret, body))

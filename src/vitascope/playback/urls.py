"""Signed, expiring URLs for downloads that have no playback ID (the master file)."""

from __future__ import annotations

import hashlib
import hmac
import time

MASTER_TTL = 24 * 3600


class PlaybackUrls:
    """Builds and checks the temporary master-download URLs (valid 24 h, as Mux's)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _signature(self, asset_id: str, expires: int) -> str:
        message = f"master:{asset_id}:{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def master_url(self, asset_id: str, base_url: str = "", *, now: float | None = None) -> str:
        """A URL that downloads the asset's master until it expires."""
        expires = int(now if now is not None else time.time()) + MASTER_TTL
        signature = self._signature(asset_id, expires)
        return f"{base_url.rstrip('/')}/master/{asset_id}.mp4?expires={expires}&signature={signature}"

    def check_master(self, asset_id: str, expires: int, signature: str) -> bool:
        """True when the URL was built by us and has not expired."""
        if expires < time.time():
            return False
        return hmac.compare_digest(self._signature(asset_id, expires), signature)

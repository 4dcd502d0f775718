"""Livepeer's ``webhook`` playback policy: ask the customer's webhook whether an access key may watch.

Answers are cached for the policy's ``refreshInterval`` so a player's segment requests cost one call.
"""

from __future__ import annotations

import json
import time

import httpx

from vitascope.domain.models import LiveStream
from vitascope.domain.webhooks import WebhookService
from vitascope.errors import Forbidden
from vitascope.webhooks.signatures import livepeer_signature

TIMEOUT = 5.0
MAX_CACHE = 10_000


class AccessWebhooks:
    """Checks access keys against a stream's playback-policy webhook, with a bounded cache."""

    def __init__(self, webhooks: WebhookService) -> None:
        self.webhooks = webhooks
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}
        self._client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)

    async def check(self, stream: LiveStream, access_key: str | None) -> None:
        """Raise ``Forbidden`` unless the stream's webhook allows ``access_key``."""
        policy = stream.access_webhook
        if policy is None:
            return
        if not access_key:
            raise Forbidden("this stream needs an accessKey")
        cache_key = (stream.id, access_key)
        cached = self._cache.get(cache_key)
        if cached is not None and cached[0] > time.monotonic():
            allowed = cached[1]
        else:
            allowed = await self._ask(policy.webhook_id, policy.context, access_key)
            if len(self._cache) >= MAX_CACHE:
                self._cache.clear()
            self._cache[cache_key] = (time.monotonic() + policy.refresh_interval, allowed)
        if not allowed:
            raise Forbidden("the playback policy webhook refused this access key")

    async def _ask(self, webhook_id: str, context: dict[str, object] | None, access_key: str) -> bool:
        endpoint = await self.webhooks.find(webhook_id)
        if endpoint is None:
            return False
        body = json.dumps(
            {"accessKey": access_key, "context": context or {}, "timestamp": int(time.time() * 1000)}
        ).encode()
        signature = livepeer_signature(endpoint.secret, body, int(time.time() * 1000))
        try:
            response = await self._client.post(
                endpoint.url,
                content=body,
                headers={"Content-Type": "application/json", "Livepeer-Signature": signature},
            )
        except httpx.HTTPError:
            return False
        return 200 <= response.status_code < 300

    async def close(self) -> None:
        await self._client.aclose()

"""Webhook delivery: a durable job per (event, endpoint), retried with backoff for a day."""

from __future__ import annotations

import logging
import time

import httpx

from vitascope.domain.webhooks import WebhookService
from vitascope.jobs import RetryLater
from vitascope.webhooks.signatures import livepeer_signature, mux_signature

log = logging.getLogger(__name__)

RETRY_FOR = 24 * 3600.0
MAX_DELAY = 3600.0
TIMEOUT = 10.0


class WebhookDelivery:
    """The ``webhook.deliver`` job handler."""

    def __init__(self, webhooks: WebhookService) -> None:
        self.webhooks = webhooks
        self.client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)

    async def deliver(self, endpoint_id: str, body: str, first_attempt: float) -> None:
        """POST one event; a failure raises :class:`RetryLater` until a day has passed."""
        endpoint = await self.webhooks.find(endpoint_id)
        if endpoint is None:
            return  # the endpoint was removed: nothing left to deliver to
        raw = body.encode()
        if endpoint.api == "livepeer":
            header = {"Livepeer-Signature": livepeer_signature(endpoint.secret, raw, int(time.time() * 1000))}
        else:
            header = {"Mux-Signature": mux_signature(endpoint.secret, raw, int(time.time()))}
        error: str | None = None
        status: int | None = None
        try:
            response = await self.client.post(
                endpoint.url, content=raw, headers={"Content-Type": "application/json", **header}
            )
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        await self.webhooks.record_attempt(endpoint_id, status=status, error=error)
        if error is None:
            return
        if time.time() - first_attempt > RETRY_FOR:
            log.warning("webhook %s: giving up after a day of failures (%s)", endpoint_id, error)
            return
        # Waiting as long as we have already been trying doubles the gap each time: 1 s, 2 s, 4 s ... 1 h.
        delay = min(MAX_DELAY, max(1.0, time.time() - first_attempt))
        log.info("webhook %s: delivery failed (%s); retrying in %.0f s", endpoint_id, error, delay)
        raise RetryLater(delay, error)

    async def close(self) -> None:
        await self.client.aclose()

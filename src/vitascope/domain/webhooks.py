"""Webhook endpoints and event emission.

An event is written as one delivery job per interested endpoint, inside the transaction of the change
that caused it, so an event is never lost and never sent for a change that rolled back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitascope.domain.models import Entity, now
from vitascope.errors import InvalidParameters, NotFound
from vitascope.ids import new_id, new_secret
from vitascope.jobs import JobQueue
from vitascope.store.database import Database
from vitascope.store.tables import WebhookRow

DELIVER_JOB = "webhook.deliver"
Api = Literal["mux", "livepeer"]
Renderer = Callable[[Entity], dict[str, Any]]


class WebhookEndpoint(Entity):
    id: str
    created_at: int = Field(default_factory=now)
    api: Api = "mux"
    url: str
    name: str = ""
    secret: str
    events: list[str] | None = None
    stream_id: str | None = None
    last_triggered_at: float | None = None
    last_failure: dict[str, Any] | None = None

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


def _to_row(endpoint: WebhookEndpoint) -> WebhookRow:
    return WebhookRow(
        id=endpoint.id,
        created_at=endpoint.created_at,
        api=endpoint.api,
        url=endpoint.url,
        name=endpoint.name,
        secret=endpoint.secret,
        doc=endpoint.model_dump(mode="json"),
    )


def _from_row(row: WebhookRow) -> WebhookEndpoint:
    return WebhookEndpoint.model_validate(row.doc)


def _check_url(url: str) -> None:
    if not url.startswith(("http://", "https://")) or len(url) > 2048:
        raise InvalidParameters("webhook url must be an http(s) URL")


class WebhookService:
    """Webhook endpoints (configured by the CLI, Livepeer's /api/webhook, or tooling)."""

    def __init__(self, db: Database, jobs: JobQueue, render_mux: Renderer, render_livepeer: Renderer) -> None:
        self.db = db
        self.jobs = jobs
        # Event bodies use the APIs' wire formats; the composition root supplies their renderers.
        self.render_mux = render_mux
        self.render_livepeer = render_livepeer

    async def create(
        self,
        url: str,
        *,
        api: Api = "mux",
        name: str = "",
        events: list[str] | None = None,
        secret: str | None = None,
        stream_id: str | None = None,
    ) -> WebhookEndpoint:
        """A new endpoint; its signing secret is generated unless given."""
        _check_url(url)
        endpoint = WebhookEndpoint(
            id=new_id(), api=api, url=url, name=name, secret=secret or new_secret(), events=events,
            stream_id=stream_id,
        )  # fmt: skip
        async with self.db.transaction() as session:
            session.add(_to_row(endpoint))
        return endpoint

    async def list(self, api: Api | None = None) -> list[WebhookEndpoint]:
        async with self.db.read() as session:
            query = select(WebhookRow).order_by(WebhookRow.created_at)
            if api is not None:
                query = query.where(WebhookRow.api == api)
            return [_from_row(row) for row in (await session.scalars(query)).all()]

    async def find(self, endpoint_id: str) -> WebhookEndpoint | None:
        async with self.db.read() as session:
            row = await session.get(WebhookRow, endpoint_id)
        return None if row is None else _from_row(row)

    async def get(self, endpoint_id: str) -> WebhookEndpoint:
        found = await self.find(endpoint_id)
        if found is None:
            raise NotFound("The requested webhook does not exist")
        return found

    async def update(self, endpoint_id: str, **changes: Any) -> WebhookEndpoint:
        if "url" in changes and changes["url"] is not None:
            _check_url(changes["url"])
        async with self.db.transaction() as session:
            row = await session.get(WebhookRow, endpoint_id)
            if row is None:
                raise NotFound("The requested webhook does not exist")
            endpoint = _from_row(row).model_copy(update={k: v for k, v in changes.items() if v is not None})
            row.url, row.name, row.doc = endpoint.url, endpoint.name, endpoint.model_dump(mode="json")
        return endpoint

    async def delete(self, endpoint_id: str) -> None:
        async with self.db.transaction() as session:
            result = await session.execute(delete(WebhookRow).where(WebhookRow.id == endpoint_id))
            if not getattr(result, "rowcount", 0):
                raise NotFound("The requested webhook does not exist")

    async def record_attempt(self, endpoint_id: str, *, status: int | None, error: str | None) -> None:
        """Remember the last delivery attempt (shown by Livepeer's webhook status)."""
        async with self.db.transaction() as session:
            row = await session.get(WebhookRow, endpoint_id)
            if row is None:
                return
            endpoint = _from_row(row)
            endpoint.last_triggered_at = time.time()
            if error is not None:
                endpoint.last_failure = {
                    "timestamp": time.time() * 1000,
                    "error": error,
                    "statusCode": status,
                }
            row.doc = endpoint.model_dump(mode="json")

    async def _fan_out(
        self, session: AsyncSession, api: Api, event: str, body: dict[str, Any], key: str
    ) -> None:
        rows = (await session.scalars(select(WebhookRow).where(WebhookRow.api == api))).all()
        text = json.dumps(body, separators=(",", ":"))
        stream = body.get("stream")
        stream_id = stream.get("id") if isinstance(stream, dict) else None
        for endpoint in (_from_row(row) for row in rows):
            if not endpoint.wants(event) or (endpoint.stream_id and endpoint.stream_id != stream_id):
                continue
            if "webhookId" in body:
                text = json.dumps({**body, "webhookId": endpoint.id}, separators=(",", ":"))
            await self.jobs.enqueue(
                session, DELIVER_JOB, f"webhook:{key}:{endpoint.id}",
                endpoint_id=endpoint.id, body=text, first_attempt=time.time(),
            )  # fmt: skip

    async def emit_mux(self, session: AsyncSession, event: str, obj: Entity, object_type: str) -> None:
        """Queue a Mux-format event (``video.asset.ready`` ...) about ``obj`` for every Mux endpoint."""
        event_id = new_id()
        data = self.render_mux(obj)
        object_id = str(data.get("id", ""))
        body: dict[str, Any] = {
            "type": event,
            "id": event_id,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "environment": {"name": "vitascope", "id": "vitascope"},
            "object": {"type": object_type, "id": object_id},
            "data": data,
            "attempts": [],
            "request_id": None,
            "accessor": None,
            "accessor_source": None,
        }
        await self._fan_out(session, "mux", event, body, event_id)

    async def emit_livepeer(
        self, session: AsyncSession, event: str, stream: Entity | None, payload: dict[str, Any]
    ) -> None:
        """Queue a Livepeer-format event (``stream.started`` ...) for every Livepeer endpoint."""
        event_id = new_id()
        now_ms = int(time.time() * 1000)
        body: dict[str, Any] = {
            "id": event_id,
            "webhookId": None,
            "createdAt": now_ms,
            "timestamp": now_ms,
            "event": event,
            "stream": self.render_livepeer(stream) if stream is not None else None,
            "payload": payload,
        }
        await self._fan_out(session, "livepeer", event, body, event_id)

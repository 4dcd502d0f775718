"""Livepeer ``/api/webhook``: Livepeer-format endpoints (also what ``webhook`` playback policies call)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from vitascope.api.deps import Services, bearer_auth, services
from vitascope.api.livepeer.schemas import Request
from vitascope.domain.webhooks import WebhookEndpoint

router = APIRouter(prefix="/api/webhook", dependencies=[Depends(bearer_auth)])
Svc = Annotated[Services, Depends(services)]


class WebhookBody(Request):
    name: str
    url: str
    events: list[str] | None = None
    shared_secret: str | None = None
    stream_id: str | None = None


def _json(hook: WebhookEndpoint) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": hook.id,
        "kind": "webhook",
        "name": hook.name,
        "url": hook.url,
        "events": hook.events or [],
        "createdAt": hook.created_at * 1000,
        "sharedSecret": hook.secret,
        "streamId": hook.stream_id,
        "status": {
            "lastTriggeredAt": hook.last_triggered_at * 1000 if hook.last_triggered_at else None,
            "lastFailure": hook.last_failure,
        },
    }
    data["status"] = {k: v for k, v in data["status"].items() if v is not None}
    return {k: v for k, v in data.items() if v is not None}


@router.post("")
async def create_webhook(body: WebhookBody, svc: Svc) -> dict[str, Any]:
    hook = await svc.webhooks.create(
        body.url, api="livepeer", name=body.name, events=body.events, secret=body.shared_secret,
        stream_id=body.stream_id,
    )  # fmt: skip
    return _json(hook)


@router.get("")
async def list_webhooks(svc: Svc) -> list[dict[str, Any]]:
    return [_json(h) for h in await svc.webhooks.list(api="livepeer")]


@router.get("/{webhook_id}")
async def get_webhook(webhook_id: str, svc: Svc) -> dict[str, Any]:
    return _json(await svc.webhooks.get(webhook_id))


@router.put("/{webhook_id}")
async def update_webhook(webhook_id: str, body: WebhookBody, svc: Svc) -> dict[str, Any]:
    hook = await svc.webhooks.update(webhook_id, url=body.url, name=body.name, events=body.events)
    return _json(hook)


@router.delete("/{webhook_id}")
async def delete_webhook(webhook_id: str, svc: Svc) -> dict[str, Any]:
    hook = await svc.webhooks.get(webhook_id)
    await svc.webhooks.delete(webhook_id)
    return _json(hook)

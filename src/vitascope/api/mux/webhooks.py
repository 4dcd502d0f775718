"""``/system/v1/webhooks``: the configured Mux-format webhook endpoints, read-only, for tooling."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from vitascope.api.deps import Services, basic_auth, services

router = APIRouter(prefix="/system/v1/webhooks", dependencies=[Depends(basic_auth)])
Svc = Annotated[Services, Depends(services)]


@router.get("")
async def list_webhooks(svc: Svc) -> dict[str, Any]:
    return {
        "data": [
            {"id": w.id, "url": w.url, "api": w.api, "events": w.events, "created_at": str(w.created_at)}
            for w in await svc.webhooks.list()
        ]
    }

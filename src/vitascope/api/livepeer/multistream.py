"""Livepeer ``/api/multistream/target`` CRUD."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from vitascope.api.deps import Services, bearer_auth, services
from vitascope.api.livepeer.schemas import Request
from vitascope.domain.multistream import MultistreamTarget

router = APIRouter(prefix="/api/multistream/target", dependencies=[Depends(bearer_auth)])
Svc = Annotated[Services, Depends(services)]


class TargetInput(Request):
    url: str
    name: str | None = None
    disabled: bool | None = None


class TargetPatch(Request):
    url: str | None = None
    name: str | None = None
    disabled: bool | None = None


def target_json(target: MultistreamTarget) -> dict[str, Any]:
    """Livepeer never returns the URL: it usually contains the destination's stream key."""
    data = {
        "id": target.id,
        "name": target.name,
        "disabled": target.disabled,
        "createdAt": target.created_at * 1000,
    }
    return {k: v for k, v in data.items() if v is not None}


@router.post("", status_code=201)
async def create_target(body: TargetInput, svc: Svc) -> dict[str, Any]:
    return target_json(await svc.multistream.create(body.url, name=body.name, disabled=bool(body.disabled)))


@router.get("")
async def list_targets(svc: Svc) -> list[dict[str, Any]]:
    return [target_json(t) for t in await svc.multistream.list()]


@router.get("/{target_id}")
async def get_target(target_id: str, svc: Svc) -> dict[str, Any]:
    return target_json(await svc.multistream.get(target_id))


@router.patch("/{target_id}", status_code=204)
async def update_target(target_id: str, body: TargetPatch, svc: Svc) -> Response:
    await svc.multistream.update(target_id, url=body.url, name=body.name, disabled=body.disabled)
    return Response(status_code=204)


@router.delete("/{target_id}", status_code=204)
async def delete_target(target_id: str, svc: Svc) -> Response:
    await svc.multistream.delete(target_id)
    return Response(status_code=204)

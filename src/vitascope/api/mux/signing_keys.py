"""Mux signing keys, at ``/system/v1/signing-keys`` and ``/video/v1/signing-keys`` (mux-python has both)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from vitascope.api.deps import Services, basic_auth, services
from vitascope.domain.signing import SigningKey

Svc = Annotated[Services, Depends(services)]


def _key(key: SigningKey, private_pem: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": key.id, "created_at": str(key.created_at)}
    if private_pem is not None:
        data["private_key"] = base64.b64encode(private_pem.encode()).decode()
    return data


def _router(prefix: str) -> APIRouter:
    router = APIRouter(prefix=prefix, dependencies=[Depends(basic_auth)])

    @router.post("", status_code=201)
    async def create_signing_key(svc: Svc) -> dict[str, Any]:
        key, private_pem = await svc.signing.create(algorithm="rsa")
        return {"data": _key(key, private_pem)}

    @router.get("")
    async def list_signing_keys(
        svc: Svc,
        limit: Annotated[int, Query(ge=1, le=100)] = 25,
        page: Annotated[int, Query(ge=1)] = 1,
    ) -> dict[str, Any]:
        keys = [k for k in await svc.signing.list() if k.algorithm == "rsa"]
        return {"data": [_key(k) for k in keys[(page - 1) * limit : page * limit]]}

    @router.get("/{key_id}")
    async def get_signing_key(key_id: str, svc: Svc) -> dict[str, Any]:
        return {"data": _key(await svc.signing.get(key_id))}

    @router.delete("/{key_id}", status_code=204)
    async def delete_signing_key(key_id: str, svc: Svc) -> Response:
        await svc.signing.delete(key_id)
        return Response(status_code=204)

    return router


system_router = _router("/system/v1/signing-keys")
video_router = _router("/video/v1/signing-keys")

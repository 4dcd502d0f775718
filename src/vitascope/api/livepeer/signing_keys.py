"""Livepeer ``/api/access-control/signing-key``: ECDSA keys for ``jwt`` playback policies."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from vitascope.api.deps import Services, bearer_auth, services
from vitascope.api.livepeer.schemas import Request
from vitascope.domain.signing import SigningKey

router = APIRouter(prefix="/api/access-control/signing-key", dependencies=[Depends(bearer_auth)])
Svc = Annotated[Services, Depends(services)]


class SigningKeyPatch(Request):
    name: str | None = None
    disabled: bool | None = None


def _key(key: SigningKey, private_pem: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": key.id,
        "name": key.name or key.id,
        "publicKey": key.public_key_b64,
        "createdAt": key.created_at * 1000,
        "disabled": key.disabled,
    }
    if private_pem is not None:
        data["privateKey"] = base64.b64encode(private_pem.encode()).decode()
    return data


@router.post("")
async def create_signing_key(svc: Svc) -> dict[str, Any]:
    key, private_pem = await svc.signing.create(algorithm="ec")
    return _key(key, private_pem)


@router.get("")
async def list_signing_keys(svc: Svc) -> list[dict[str, Any]]:
    return [_key(k) for k in await svc.signing.list()]


@router.get("/{key_id}")
async def get_signing_key(key_id: str, svc: Svc) -> dict[str, Any]:
    return _key(await svc.signing.get(key_id))


@router.patch("/{key_id}", status_code=204)
async def update_signing_key(key_id: str, body: SigningKeyPatch, svc: Svc) -> Response:
    await svc.signing.update(key_id, name=body.name, disabled=body.disabled)
    return Response(status_code=204)


@router.delete("/{key_id}", status_code=204)
async def delete_signing_key(key_id: str, svc: Svc) -> Response:
    await svc.signing.delete(key_id)
    return Response(status_code=204)

"""Livepeer assets: ``/api/asset/request-upload`` with a tus 1.0 endpoint, and reading/deleting assets."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from vitascope.api.deps import Services, base_url, bearer_auth, services
from vitascope.api.livepeer.schemas import Request as Body
from vitascope.domain.models import Asset, AssetDefaults
from vitascope.errors import Conflict, InvalidParameters, NotFound

router = APIRouter(prefix="/api/asset", dependencies=[Depends(bearer_auth)])
tus_router = APIRouter(prefix="/api/asset/upload/tus")
Svc = Annotated[Services, Depends(services)]
Base = Annotated[str, Depends(base_url)]

TUS_VERSION = "1.0.0"
_PHASE = {"preparing": "processing", "ready": "ready", "errored": "failed"}


class UploadRequest(Body):
    name: str


def asset_json(asset: Asset, base: str) -> dict[str, Any]:
    """An asset as Livepeer's Asset object."""
    playback_id = asset.playback_ids[0].id if asset.playback_ids else None
    if asset.source_asset_id:
        source: dict[str, Any] = {"type": "clip", "assetId": asset.source_asset_id}
    elif asset.upload_id:
        source = {"type": "directUpload"}
    else:
        url = asset.primary_input.url if asset.primary_input else None
        source = {"type": "url", "url": url or ""}
    status = {
        "phase": _PHASE[asset.status],
        "updatedAt": time.time() * 1000,
        "progress": asset.progress.progress / 100 if asset.status == "preparing" else None,
        "errorMessage": asset.errors.messages[0] if asset.errors else None,
    }
    data: dict[str, Any] = {
        "id": asset.id,
        "name": (asset.meta.title if asset.meta and asset.meta.title else None) or asset.id,
        "type": "video" if any(r.width for r in asset.renditions) or asset.status != "ready" else "audio",
        "source": source,
        "playbackId": playback_id,
        "playbackUrl": f"{base}/stream/{playback_id}.m3u8"
        if asset.status == "ready" and playback_id
        else None,
        "createdAt": asset.created_at * 1000,
        "status": {k: v for k, v in status.items() if v is not None},
        "videoSpec": {"duration": asset.duration} if asset.duration else None,
    }
    return {k: v for k, v in data.items() if v is not None}


@router.post("/request-upload")
async def request_upload(body: UploadRequest, svc: Svc, base: Base) -> dict[str, Any]:
    upload = await svc.uploads.create(
        new_asset_settings=AssetDefaults(playback_policies=["public"]),
        cors_origin="*",
        timeout=24 * 3600,
        test=False,
        livepeer_name=body.name,
        reserve_asset=True,
    )
    waiting = {
        "id": upload.reserved_asset_id,
        "name": body.name,
        "source": {"type": "directUpload"},
        "status": {"phase": "waiting", "updatedAt": upload.created_at * 1000},
        "createdAt": upload.created_at * 1000,
    }
    return {
        "url": f"{base}/uploads/{upload.id}",
        "tusEndpoint": f"{base}/api/asset/upload/tus?token={upload.id}",
        "asset": waiting,
        "task": {"id": upload.id},
    }


@router.get("")
async def list_assets(svc: Svc, base: Base) -> list[dict[str, Any]]:
    return [asset_json(a, base) for a in await svc.assets.list(limit=100)]


@router.get("/{asset_id}")
async def get_asset(asset_id: str, svc: Svc, base: Base) -> dict[str, Any]:
    return asset_json(await svc.assets.get(asset_id), base)


@router.delete("/{asset_id}", status_code=204)
async def delete_asset(asset_id: str, svc: Svc) -> Response:
    await svc.assets.delete(asset_id)
    return Response(status_code=204)


# -- tus 1.0: creation, HEAD for the offset, PATCH to append ------------------------------------------


def _tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}


@tus_router.options("")
@tus_router.options("/{upload_id}")
async def tus_options(svc: Svc) -> Response:
    return Response(
        status_code=204,
        headers=_tus_headers(
            **{
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": "creation",
                "Tus-Max-Size": str(svc.uploads.max_bytes),
            }
        ),
    )


@tus_router.post("", status_code=201)
async def tus_create(token: str, request: Request, svc: Svc, base: Base) -> Response:
    upload = await svc.uploads.get(token)
    if upload.status != "waiting":
        raise Conflict(f"this upload is {upload.status}")
    length = request.headers.get("upload-length", "")
    if not length.isdigit():
        raise InvalidParameters("Upload-Length is required (deferred lengths are not supported)")
    await svc.uploads.announce_size(token, int(length))
    return Response(status_code=201, headers=_tus_headers(Location=f"{base}/api/asset/upload/tus/{token}"))


@tus_router.head("/{upload_id}")
async def tus_offset(upload_id: str, svc: Svc) -> Response:
    upload = await svc.uploads.get(upload_id)
    if upload.size is None:
        raise NotFound("no tus upload here")
    received = upload.size if upload.status == "asset_created" else await svc.uploads.received(upload_id)
    return Response(
        status_code=200,
        headers=_tus_headers(**{"Upload-Offset": str(received), "Upload-Length": str(upload.size)}),
    )


@tus_router.patch("/{upload_id}", status_code=204)
async def tus_append(upload_id: str, request: Request, svc: Svc) -> Response:
    upload = await svc.uploads.get(upload_id)
    if upload.size is None:
        raise NotFound("no tus upload here")
    if request.headers.get("content-type") != "application/offset+octet-stream":
        raise InvalidParameters("tus PATCH needs Content-Type application/offset+octet-stream")
    offset = request.headers.get("upload-offset", "")
    if not offset.isdigit():
        raise InvalidParameters("Upload-Offset is required")
    if int(offset) != await svc.uploads.received(upload_id):
        raise Conflict("Upload-Offset does not match the bytes received so far")
    received = await svc.uploads.write(upload_id, int(offset), upload.size, request.stream())
    if received >= upload.size:
        await svc.uploads.complete(upload_id)
    return Response(status_code=204, headers=_tus_headers(**{"Upload-Offset": str(received)}))

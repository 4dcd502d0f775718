"""Mux ``/video/v1/uploads`` and the upload URL itself (``PUT /uploads/{id}``, whole or resumable chunks)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from vitascope.api.deps import Services, base_url, basic_auth, services
from vitascope.api.mux import schemas
from vitascope.domain.uploads import Upload
from vitascope.errors import InvalidParameters

router = APIRouter(prefix="/video/v1/uploads", dependencies=[Depends(basic_auth)])
upload_url_router = APIRouter()
Svc = Annotated[Services, Depends(services)]
Base = Annotated[str, Depends(base_url)]

_RANGE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")


def upload_json(upload: Upload, base: str) -> dict[str, Any]:
    """An upload as Mux's API returns it."""
    data: dict[str, Any] = {
        "id": upload.id,
        "timeout": upload.timeout,
        "status": upload.status,
        "new_asset_settings": (
            schemas.asset_defaults_json(upload.new_asset_settings) if upload.new_asset_settings else None
        ),
        "cors_origin": upload.cors_origin,
        "url": f"{base}/uploads/{upload.id}" if upload.status == "waiting" else None,
        "test": upload.test or None,
        "asset_id": upload.asset_id,
        "error": upload.error.model_dump() if upload.error else None,
    }
    return {k: v for k, v in data.items() if v is not None}


class CreateUploadRequest(schemas.Request):
    timeout: int = 3600
    cors_origin: str | None = None
    new_asset_settings: schemas.NewAssetSettings | None = None
    test: bool = False


@router.post("", status_code=201)
async def create_direct_upload(body: CreateUploadRequest, svc: Svc, base: Base) -> dict[str, Any]:
    upload = await svc.uploads.create(
        new_asset_settings=body.new_asset_settings.to_defaults() if body.new_asset_settings else None,
        cors_origin=body.cors_origin,
        timeout=body.timeout,
        test=body.test,
    )
    return {"data": upload_json(upload, base)}


@router.get("")
async def list_direct_uploads(
    svc: Svc,
    base: Base,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    page: Annotated[int, Query(ge=1)] = 1,
) -> dict[str, Any]:
    return {"data": [upload_json(u, base) for u in await svc.uploads.list(limit=limit, page=page)]}


@router.get("/{upload_id}")
async def get_direct_upload(upload_id: str, svc: Svc, base: Base) -> dict[str, Any]:
    return {"data": upload_json(await svc.uploads.get(upload_id), base)}


@router.put("/{upload_id}/cancel")
async def cancel_direct_upload(upload_id: str, svc: Svc, base: Base) -> dict[str, Any]:
    return {"data": upload_json(await svc.uploads.cancel(upload_id), base)}


def _cors(upload: Upload, request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    allowed = upload.cors_origin
    if not allowed or not origin or (allowed != "*" and allowed != origin):
        return {}
    return {
        "Access-Control-Allow-Origin": origin if allowed != "*" else "*",
        "Access-Control-Allow-Methods": "PUT, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Content-Range, Content-Length",
        "Access-Control-Expose-Headers": "Range",
        "Access-Control-Max-Age": "3600",
    }


@upload_url_router.options("/uploads/{upload_id}")
async def upload_preflight(upload_id: str, request: Request, svc: Svc) -> Response:
    upload = await svc.uploads.get(upload_id)
    return Response(status_code=204, headers=_cors(upload, request))


@upload_url_router.put("/uploads/{upload_id}")
async def upload_file(upload_id: str, request: Request, svc: Svc) -> Response:
    """Accept the file: one PUT, or chunks with ``Content-Range`` as UpChunk sends them (308 between)."""
    upload = await svc.uploads.get(upload_id)
    headers = _cors(upload, request)
    if upload.status == "asset_created":
        return Response(status_code=200, headers=headers)
    content_range = request.headers.get("content-range")
    if content_range is None:
        length = request.headers.get("content-length")
        total = int(length) if length and length.isdigit() else None
        received = await svc.uploads.write(upload_id, 0, total, request.stream())
        if received == 0:
            raise InvalidParameters("the upload body is empty")
        await svc.uploads.complete(upload_id)
        return Response(status_code=200, headers=headers)
    match = _RANGE.match(content_range.strip())
    if match is None:
        raise InvalidParameters("Content-Range must look like 'bytes 0-1023/4096' or 'bytes */4096'")
    total = int(match.group(3)) if match.group(3) != "*" else None
    if match.group(1) is None:
        received = await svc.uploads.received(upload_id)  # a resuming client asks how far we got
    else:
        start, end = int(match.group(1)), int(match.group(2))
        if end < start or (total is not None and end >= total):
            raise InvalidParameters("Content-Range end must be at least its start and below the total")
        received = await svc.uploads.write(upload_id, start, total, request.stream())
    if total is not None and received >= total:
        await svc.uploads.complete(upload_id)
        return Response(status_code=200, headers=headers)
    if received:
        headers["Range"] = f"bytes=0-{received - 1}"
    return Response(status_code=308, headers=headers)

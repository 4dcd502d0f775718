"""Mux ``/video/v1/assets`` and ``/video/v1/playback-ids``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from vitascope.api.deps import Services, base_url, basic_auth, services
from vitascope.api.mux import schemas
from vitascope.domain.assets import AssetCreate, TrackCreate
from vitascope.domain.models import Asset
from vitascope.errors import InvalidParameters
from vitascope.store.repos import encode_cursor

router = APIRouter(prefix="/video/v1", dependencies=[Depends(basic_auth)])
Svc = Annotated[Services, Depends(services)]
Base = Annotated[str, Depends(base_url)]


def _asset(svc: Services, asset: Asset, base: str) -> dict[str, Any]:
    master_url = None
    if asset.master is not None and asset.master.status == "ready":
        master_url = svc.urls.master_url(asset.id, base)
    return schemas.asset_json(asset, master_url=master_url)


@router.post("/assets", status_code=201)
async def create_asset(body: schemas.CreateAssetRequest, svc: Svc, base: Base) -> dict[str, Any]:
    entries = [*(body.input or []), *(body.inputs or [])]
    asset = await svc.assets.create(
        AssetCreate(
            inputs=[schemas.to_input_settings(item) for item in entries],
            playback_policies=body.policies(),
            passthrough=body.passthrough,
            mp4_support=body.mp4_support or "none",
            static_renditions=[r.resolution for r in body.static_renditions or []],
            normalize_audio=body.normalize_audio,
            master_access=body.master_access,
            test=body.test,
            max_resolution_tier=body.max_resolution_tier,
            video_quality=body.video_quality,
            encoding_tier=body.encoding_tier,
            meta=body.meta,
        )
    )
    return {"data": _asset(svc, asset, base)}


@router.get("/assets")
async def list_assets(
    svc: Svc,
    base: Base,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    page: Annotated[int, Query(ge=1)] = 1,
    cursor: str | None = None,
    live_stream_id: str | None = None,
    upload_id: str | None = None,
) -> dict[str, Any]:
    assets = await svc.assets.list(
        limit=limit, page=page, cursor=cursor, live_stream_id=live_stream_id, upload_id=upload_id
    )
    body: dict[str, Any] = {"data": [_asset(svc, a, base) for a in assets]}
    body["next_cursor"] = (
        encode_cursor(assets[-1].created_at, assets[-1].id) if len(assets) == limit else None
    )
    return body


@router.get("/assets/{asset_id}")
async def get_asset(asset_id: str, svc: Svc, base: Base) -> dict[str, Any]:
    return {"data": _asset(svc, await svc.assets.get(asset_id), base)}


@router.patch("/assets/{asset_id}")
async def update_asset(
    asset_id: str, body: schemas.UpdateAssetRequest, svc: Svc, base: Base
) -> dict[str, Any]:
    asset = await svc.assets.update(asset_id, passthrough=body.passthrough, meta=body.meta)
    return {"data": _asset(svc, asset, base)}


@router.delete("/assets/{asset_id}", status_code=204)
async def delete_asset(asset_id: str, svc: Svc) -> Response:
    await svc.assets.delete(asset_id)
    return Response(status_code=204)


@router.get("/assets/{asset_id}/input-info")
async def get_asset_input_info(asset_id: str, svc: Svc) -> dict[str, Any]:
    asset = await svc.assets.get(asset_id)
    data = []
    for index, item in enumerate(asset.inputs):
        entry: dict[str, Any] = {
            "settings": {k: v for k, v in item.model_dump(mode="json").items() if v is not None}
        }
        if index < len(asset.input_info):
            entry["file"] = asset.input_info[index].model_dump(mode="json", exclude_none=True)
        data.append(entry)
    return {"data": data}


@router.post("/assets/{asset_id}/playback-ids", status_code=201)
async def create_asset_playback_id(
    asset_id: str, body: schemas.CreatePlaybackIdRequest, svc: Svc
) -> dict[str, Any]:
    playback_id = await svc.assets.create_playback_id(asset_id, body.policy)
    return {"data": schemas.playback_id_json(playback_id)}


@router.get("/assets/{asset_id}/playback-ids/{playback_id}")
async def get_asset_playback_id(asset_id: str, playback_id: str, svc: Svc) -> dict[str, Any]:
    return {"data": schemas.playback_id_json(await svc.assets.get_playback_id(asset_id, playback_id))}


@router.delete("/assets/{asset_id}/playback-ids/{playback_id}", status_code=204)
async def delete_asset_playback_id(asset_id: str, playback_id: str, svc: Svc) -> Response:
    await svc.assets.delete_playback_id(asset_id, playback_id)
    return Response(status_code=204)


@router.put("/assets/{asset_id}/mp4-support")
async def update_asset_mp4_support(
    asset_id: str, body: schemas.Mp4SupportRequest, svc: Svc, base: Base
) -> dict[str, Any]:
    return {"data": _asset(svc, await svc.assets.update_mp4_support(asset_id, body.mp4_support), base)}


@router.put("/assets/{asset_id}/master-access")
async def update_asset_master_access(
    asset_id: str, body: schemas.MasterAccessRequest, svc: Svc, base: Base
) -> dict[str, Any]:
    return {"data": _asset(svc, await svc.assets.update_master_access(asset_id, body.master_access), base)}


@router.post("/assets/{asset_id}/tracks", status_code=201)
async def create_asset_track(asset_id: str, body: schemas.CreateTrackRequest, svc: Svc) -> dict[str, Any]:
    track = await svc.assets.create_track(asset_id, TrackCreate(**body.model_dump()))
    return {"data": schemas.track_json(track)}


@router.delete("/assets/{asset_id}/tracks/{track_id}", status_code=204)
async def delete_asset_track(asset_id: str, track_id: str, svc: Svc) -> Response:
    await svc.assets.delete_track(asset_id, track_id)
    return Response(status_code=204)


@router.post("/assets/{asset_id}/tracks/{track_id}/generate-subtitles")
async def generate_asset_track_subtitles(asset_id: str, track_id: str, svc: Svc) -> dict[str, Any]:
    asset = await svc.assets.get(asset_id)
    if asset.track(track_id) is None:
        raise InvalidParameters("The requested track does not exist")
    raise InvalidParameters("Generated subtitles are not available on this server yet")


@router.get("/playback-ids/{playback_id}")
async def get_playback_id_owner(playback_id: str, svc: Svc) -> dict[str, Any]:
    target = await svc.assets.playback_target(playback_id)
    return {
        "data": {
            "id": target.id,
            "policy": target.policy,
            "object": {"id": target.owner_id, "type": target.owner_type},
        }
    }

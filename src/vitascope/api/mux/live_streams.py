"""Mux ``/video/v1/live-streams``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from vitascope.api.deps import Services, basic_auth, services
from vitascope.api.mux import schemas
from vitascope.domain.live_streams import (
    LiveStreamCreate,
    LiveStreamUpdate,
    NewAssetSettingsUpdate,
    SimulcastTargetCreate,
)
from vitascope.domain.models import LiveStreamMeta, SubtitleSetting

router = APIRouter(prefix="/video/v1/live-streams", dependencies=[Depends(basic_auth)])
Svc = Annotated[Services, Depends(services)]


def _subtitles(items: list[schemas.SubtitleSettingRequest] | None) -> list[SubtitleSetting]:
    return [SubtitleSetting(**item.model_dump()) for item in items or []]


def _data(stream: Any) -> dict[str, Any]:
    return {"data": schemas.live_stream_json(stream)}


@router.post("", status_code=201)
async def create_live_stream(body: schemas.CreateLiveStreamRequest, svc: Svc) -> dict[str, Any]:
    stream = await svc.live_streams.create(
        LiveStreamCreate(
            playback_policies=body.policies(),
            new_asset_settings=body.new_asset_settings.to_defaults() if body.new_asset_settings else None,
            reconnect_window=body.reconnect_window,
            use_slate_for_standard_latency=body.use_slate_for_standard_latency,
            reconnect_slate_url=body.reconnect_slate_url,
            passthrough=body.passthrough,
            audio_only=body.audio_only,
            embedded_subtitles=_subtitles(body.embedded_subtitles),
            generated_subtitles=_subtitles(body.generated_subtitles),
            latency_mode=body.resolved_latency_mode(),
            test=body.test,
            simulcast_targets=[SimulcastTargetCreate(**t.model_dump()) for t in body.simulcast_targets or []],
            max_continuous_duration=body.max_continuous_duration,
            meta=LiveStreamMeta(title=body.meta.title) if body.meta else None,
        )
    )
    return _data(stream)


@router.get("")
async def list_live_streams(
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    page: Annotated[int, Query(ge=1)] = 1,
    stream_key: str | None = None,
    status: Literal["idle", "active", "disabled"] | None = None,
) -> dict[str, Any]:
    streams = await svc.live_streams.list(limit=limit, page=page, stream_key=stream_key, status=status)
    return {"data": [schemas.live_stream_json(s) for s in streams]}


@router.get("/{stream_id}")
async def get_live_stream(stream_id: str, svc: Svc) -> dict[str, Any]:
    return _data(await svc.live_streams.get(stream_id))


@router.patch("/{stream_id}")
async def update_live_stream(
    stream_id: str, body: schemas.UpdateLiveStreamRequest, svc: Svc
) -> dict[str, Any]:
    settings = body.new_asset_settings
    stream = await svc.live_streams.update(
        stream_id,
        LiveStreamUpdate(
            passthrough=body.passthrough,
            latency_mode=body.latency_mode,
            reconnect_window=body.reconnect_window,
            use_slate_for_standard_latency=body.use_slate_for_standard_latency,
            reconnect_slate_url=body.reconnect_slate_url,
            max_continuous_duration=body.max_continuous_duration,
            new_asset_settings=NewAssetSettingsUpdate(**settings.model_dump()) if settings else None,
            meta=LiveStreamMeta(title=body.meta.title) if body.meta else None,
        ),
    )
    return _data(stream)


@router.delete("/{stream_id}", status_code=204)
async def delete_live_stream(stream_id: str, svc: Svc) -> Response:
    await svc.live_streams.delete(stream_id)
    return Response(status_code=204)


@router.post("/{stream_id}/playback-ids", status_code=201)
async def create_live_stream_playback_id(
    stream_id: str, body: schemas.CreatePlaybackIdRequest, svc: Svc
) -> dict[str, Any]:
    playback_id = await svc.live_streams.create_playback_id(stream_id, body.policy)
    return {"data": schemas.playback_id_json(playback_id)}


@router.get("/{stream_id}/playback-ids/{playback_id}")
async def get_live_stream_playback_id(stream_id: str, playback_id: str, svc: Svc) -> dict[str, Any]:
    return {"data": schemas.playback_id_json(await svc.live_streams.get_playback_id(stream_id, playback_id))}


@router.delete("/{stream_id}/playback-ids/{playback_id}", status_code=204)
async def delete_live_stream_playback_id(stream_id: str, playback_id: str, svc: Svc) -> Response:
    await svc.live_streams.delete_playback_id(stream_id, playback_id)
    return Response(status_code=204)


@router.post("/{stream_id}/simulcast-targets", status_code=201)
async def create_simulcast_target(
    stream_id: str, body: schemas.SimulcastTargetRequest, svc: Svc
) -> dict[str, Any]:
    target = await svc.live_streams.create_simulcast_target(
        stream_id, SimulcastTargetCreate(**body.model_dump())
    )
    return {"data": schemas.simulcast_target_json(target)}


@router.get("/{stream_id}/simulcast-targets/{target_id}")
async def get_simulcast_target(stream_id: str, target_id: str, svc: Svc) -> dict[str, Any]:
    target = await svc.live_streams.get_simulcast_target(stream_id, target_id)
    return {"data": schemas.simulcast_target_json(target)}


@router.delete("/{stream_id}/simulcast-targets/{target_id}", status_code=204)
async def delete_simulcast_target(stream_id: str, target_id: str, svc: Svc) -> Response:
    await svc.live_streams.delete_simulcast_target(stream_id, target_id)
    return Response(status_code=204)


@router.put("/{stream_id}/disable")
async def disable_live_stream(stream_id: str, svc: Svc) -> dict[str, Any]:
    await svc.live_streams.disable(stream_id)
    return {"data": {}}


@router.put("/{stream_id}/enable")
async def enable_live_stream(stream_id: str, svc: Svc) -> dict[str, Any]:
    await svc.live_streams.enable(stream_id)
    return {"data": {}}


@router.post("/{stream_id}/reset-stream-key", status_code=201)
async def reset_stream_key(stream_id: str, svc: Svc) -> dict[str, Any]:
    return _data(await svc.live_streams.reset_stream_key(stream_id))


@router.put("/{stream_id}/complete")
async def signal_live_stream_complete(stream_id: str, svc: Svc) -> dict[str, Any]:
    await svc.live_streams.complete(stream_id)
    return {"data": {}}


@router.put("/{stream_id}/embedded-subtitles")
async def update_embedded_subtitles(
    stream_id: str, body: schemas.EmbeddedSubtitlesRequest, svc: Svc
) -> dict[str, Any]:
    return _data(
        await svc.live_streams.set_embedded_subtitles(stream_id, _subtitles(body.embedded_subtitles))
    )


@router.put("/{stream_id}/generated-subtitles")
async def update_generated_subtitles(
    stream_id: str, body: schemas.GeneratedSubtitlesRequest, svc: Svc
) -> dict[str, Any]:
    return _data(
        await svc.live_streams.set_generated_subtitles(stream_id, _subtitles(body.generated_subtitles))
    )


@router.put("/{stream_id}/new-asset-settings/static-renditions")
async def update_new_asset_static_renditions(
    stream_id: str, body: schemas.StaticRenditionsRequest, svc: Svc
) -> dict[str, Any]:
    resolutions = [r.resolution for r in body.static_renditions]
    return _data(await svc.live_streams.set_static_renditions(stream_id, resolutions))


@router.delete("/{stream_id}/new-asset-settings/static-renditions", status_code=204)
async def delete_new_asset_static_renditions(stream_id: str, svc: Svc) -> Response:
    await svc.live_streams.set_static_renditions(stream_id, [])
    return Response(status_code=204)

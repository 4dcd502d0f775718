"""Livepeer Studio ``/api/stream`` and ``/api/playback`` over the shared live-stream domain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from vitascope.api.deps import Services, base_url, bearer_auth, services
from vitascope.api.livepeer import schemas
from vitascope.domain.live_streams import LiveStreamCreate, LiveStreamUpdate, SimulcastTargetCreate
from vitascope.domain.models import AssetDefaults, LiveStream
from vitascope.errors import NotFound, Unprocessable

router = APIRouter(prefix="/api", dependencies=[Depends(bearer_auth)])
playback_router = APIRouter(prefix="/api")
Svc = Annotated[Services, Depends(services)]
Base = Annotated[str, Depends(base_url)]

_POLICY = {"public": "public", "jwt": "signed"}


def _policy(stream: LiveStream) -> str | None:
    if not stream.playback_ids:
        return None
    return "jwt" if stream.playback_ids[0].policy == "signed" else "public"


def _json(stream: LiveStream) -> dict[str, Any]:
    return schemas.stream_json(stream, _policy(stream))


def _targets(multistream: schemas.Multistream | None) -> list[SimulcastTargetCreate] | None:
    if multistream is None:
        return None
    found = []
    for target in multistream.targets:
        if target.spec is None:
            raise Unprocessable(f"multistream target {target.id or ''} does not exist; give an inline spec")
        found.append(
            SimulcastTargetCreate(
                url=target.spec.url,
                name=target.spec.name,
                profile=target.profile,
                video_only=target.video_only,
            )
        )
    return found


def _check_policy(policy: schemas.PlaybackPolicy | None) -> str:
    if policy is None:
        return "public"
    if policy.type not in _POLICY:
        raise Unprocessable(f"playbackPolicy type {policy.type!r} is not supported by this server")
    return _POLICY[policy.type]


@router.post("/stream", status_code=201)
async def create_stream(body: schemas.NewStream, svc: Svc) -> dict[str, Any]:
    policy = _check_policy(body.playback_policy)
    profiles = body.profiles if body.profiles is not None else schemas.DEFAULT_PROFILES
    stream = await svc.live_streams.create(
        LiveStreamCreate(
            name=body.name,
            playback_policies=[policy],
            # Recordings get a playback ID of their own, so sessions have a recordingUrl.
            new_asset_settings=AssetDefaults(playback_policies=[policy]),
            # Livepeer has no reconnect window: a session ends when its encoder leaves.
            reconnect_window=0,
            record=body.record,
            profiles=[p.to_domain() for p in profiles],
            user_tags=body.user_tags,
            pull=schemas.pull_to_domain(body.pull),
            simulcast_targets=_targets(body.multistream) or [],
        )
    )
    return _json(stream)


@router.get("/stream")
async def list_streams(svc: Svc, streamsonly: str | None = None) -> list[dict[str, Any]]:
    streams = await svc.live_streams.list(limit=1000)
    return [_json(s) for s in streams]


@router.get("/stream/{stream_id}")
async def get_stream(stream_id: str, svc: Svc) -> dict[str, Any]:
    return _json(await svc.live_streams.get(stream_id))


@router.patch("/stream/{stream_id}", status_code=204)
async def update_stream(stream_id: str, body: schemas.StreamPatch, svc: Svc) -> Response:
    if body.playback_policy is not None:
        _check_policy(body.playback_policy)
    await svc.live_streams.update(
        stream_id,
        LiveStreamUpdate(
            record=body.record,
            profiles=[p.to_domain() for p in body.profiles] if body.profiles is not None else None,
            user_tags=body.user_tags,
            simulcast_targets=_targets(body.multistream),
        ),
    )
    if body.suspended is not None:
        await svc.live_streams.set_suspended(stream_id, body.suspended)
    return Response(status_code=204)


@router.delete("/stream/{stream_id}", status_code=204)
async def delete_stream(stream_id: str, svc: Svc) -> Response:
    await svc.live_streams.delete(stream_id)
    return Response(status_code=204)


@router.delete("/stream/{stream_id}/terminate", status_code=204)
async def terminate_stream(stream_id: str, svc: Svc) -> Response:
    await svc.live_streams.terminate(stream_id)
    return Response(status_code=204)


@router.post("/stream/{stream_id}/start-pull", status_code=204)
async def start_pull(stream_id: str, svc: Svc) -> Response:
    await svc.live_streams.start_pull(stream_id)
    return Response(status_code=204)


@router.post("/stream/{stream_id}/create-multistream-target", status_code=204)
async def add_multistream_target(stream_id: str, body: schemas.Target, svc: Svc) -> Response:
    targets = _targets(schemas.Multistream(targets=[body]))
    assert targets
    await svc.live_streams.create_simulcast_target(stream_id, targets[0])
    return Response(status_code=204)


@router.delete("/stream/{stream_id}/multistream/{target_id}", status_code=204)
async def remove_multistream_target(stream_id: str, target_id: str, svc: Svc) -> Response:
    await svc.live_streams.delete_simulcast_target(stream_id, target_id)
    return Response(status_code=204)


@playback_router.get("/playback/{playback_id}")
async def playback_info(playback_id: str, svc: Svc, base: Base) -> dict[str, Any]:
    """What the Livepeer player asks first: the kind of playback and its source URLs."""
    target = await svc.assets.playback_target(playback_id)
    hls = {
        "hrn": "HLS (TS)",
        "type": "html5/application/vnd.apple.mpegurl",
        "url": f"{base}/stream/{playback_id}.m3u8",
    }
    if target.owner_type == "live_stream":
        stream = await svc.live_streams.get(target.owner_id)
        live = 1 if stream.status == "active" and stream.connected else 0
        if not live and stream.pull is not None and stream.status == "idle":
            await svc.live_streams.start_pull(stream.id)
        policy = {"type": "jwt" if target.policy == "signed" else "public"}
        return {"type": "live", "meta": {"live": live, "playbackPolicy": policy, "source": [hls]}}
    asset = await svc.assets.get(target.owner_id)
    if asset.status != "ready":
        raise NotFound("playback is not ready")
    sources: list[dict[str, Any]] = [hls]
    for file in asset.static_renditions.files if asset.static_renditions else []:
        if file.status == "ready" and file.ext == "mp4":
            sources.append(
                {"hrn": "MP4", "type": "html5/video/mp4", "url": f"{base}/stream/{playback_id}/{file.name}",
                 "width": file.width, "height": file.height, "bitrate": file.bitrate}
            )  # fmt: skip
    if any(r.width for r in asset.renditions):
        sources.append(
            {
                "hrn": "Thumbnail (JPEG)",
                "type": "image/jpeg",
                "url": f"{base}/image/{playback_id}/thumbnail.jpg",
            }
        )
    kind = "recording" if asset.live_stream_id else "vod"
    policy = {"type": "jwt" if target.policy == "signed" else "public"}
    return {"type": kind, "meta": {"live": 0, "playbackPolicy": policy, "source": sources}}

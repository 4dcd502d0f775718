"""Livepeer's session views (``/api/stream/{id}/sessions``, ``/api/session``) and clips (``/api/clip``).

A session is the asset a live session recorded into; a clip is an asset cut from one.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from vitascope.api.deps import Services, base_url, bearer_auth, services
from vitascope.api.livepeer.schemas import Request
from vitascope.domain.assets import AssetCreate
from vitascope.domain.models import Asset, InputSettings, LiveStream
from vitascope.errors import InvalidParameters, NotFound

router = APIRouter(prefix="/api", dependencies=[Depends(bearer_auth)])
Svc = Annotated[Services, Depends(services)]
Base = Annotated[str, Depends(base_url)]

_RECORDING_STATUS = {"preparing": "waiting", "ready": "ready", "errored": "failed"}
_ASSET_PHASE = {"preparing": "processing", "ready": "ready", "errored": "failed"}


class ClipRequest(Request):
    playback_id: str
    start_time: float = Field(ge=0)
    end_time: float | None = None
    name: str | None = None
    session_id: str | None = None


def _playback(asset: Asset) -> str | None:
    return asset.playback_ids[0].id if asset.playback_ids else None


def session_json(asset: Asset, stream: LiveStream | None, base: str) -> dict[str, Any]:
    """A recorded live session, as Livepeer's Session object."""
    playback_id = _playback(asset)
    ready = asset.status == "ready"
    mp4 = next(
        (
            f.name
            for f in (asset.static_renditions.files if asset.static_renditions else [])
            if f.status == "ready"
        ),
        None,
    )
    data: dict[str, Any] = {
        "id": asset.id,
        "kind": "stream",
        "name": (stream.name if stream and stream.name else None) or asset.id,
        "parentId": asset.live_stream_id,
        "createdAt": asset.created_at * 1000,
        "lastSeen": stream.stats.last_seen * 1000
        if stream and stream.stats.last_seen and asset.is_live
        else None,
        "sourceSegmentsDuration": asset.duration or 0,
        "record": stream.record if stream else True,
        "recordingStatus": _RECORDING_STATUS[asset.status],
        "recordingUrl": f"{base}/stream/{playback_id}.m3u8" if ready and playback_id else None,
        "mp4Url": f"{base}/stream/{playback_id}/{mp4}" if ready and playback_id and mp4 else None,
        "playbackId": playback_id,
        "isHealthy": True if asset.is_live else None,
    }
    return {key: value for key, value in data.items() if value is not None}


def clip_json(asset: Asset, base: str) -> dict[str, Any]:
    """A clip as Livepeer's Asset object."""
    playback_id = _playback(asset)
    now = time.time() * 1000
    data: dict[str, Any] = {
        "id": asset.id,
        "name": (asset.meta.title if asset.meta and asset.meta.title else None) or f"clip-{asset.id}",
        "type": "video",
        "source": {"type": "clip", "assetId": asset.source_asset_id, "playbackId": playback_id},
        "playbackId": playback_id,
        "playbackUrl": f"{base}/stream/{playback_id}.m3u8"
        if asset.status == "ready" and playback_id
        else None,
        "createdAt": asset.created_at * 1000,
        "status": {
            "phase": _ASSET_PHASE[asset.status],
            "updatedAt": now,
            "progress": asset.progress.progress / 100 if asset.status == "preparing" else None,
            "errorMessage": asset.errors.messages[0] if asset.errors else None,
        },
        "videoSpec": {"duration": asset.duration} if asset.duration else None,
    }
    data["status"] = {k: v for k, v in data["status"].items() if v is not None}
    return {key: value for key, value in data.items() if value is not None}


async def _stream_or_none(svc: Services, stream_id: str | None) -> LiveStream | None:
    if stream_id is None:
        return None
    try:
        return await svc.live_streams.get(stream_id)
    except NotFound:
        return None


async def _session(svc: Services, session_id: str) -> Asset:
    asset = await svc.assets.get(session_id)
    if asset.live_stream_id is None:
        raise NotFound("session not found")
    return asset


@router.get("/stream/{stream_id}/sessions")
async def stream_sessions(stream_id: str, svc: Svc, base: Base) -> list[dict[str, Any]]:
    stream = await svc.live_streams.get(stream_id)
    assets = await svc.assets.list(limit=100, live_stream_id=stream_id)
    return [session_json(a, stream, base) for a in assets]


@router.get("/session")
async def all_sessions(svc: Svc, base: Base) -> list[dict[str, Any]]:
    assets = [a for a in await svc.assets.list(limit=100) if a.live_stream_id]
    return [session_json(a, await _stream_or_none(svc, a.live_stream_id), base) for a in assets]


@router.get("/session/{session_id}")
async def get_session(session_id: str, svc: Svc, base: Base) -> dict[str, Any]:
    asset = await _session(svc, session_id)
    return session_json(asset, await _stream_or_none(svc, asset.live_stream_id), base)


@router.get("/session/{session_id}/clips")
async def session_clips(session_id: str, svc: Svc, base: Base) -> list[dict[str, Any]]:
    await _session(svc, session_id)
    return [clip_json(a, base) for a in await svc.assets.list(limit=100, source_asset_ids=[session_id])]


@router.get("/stream/{stream_id}/clips")
async def stream_clips(stream_id: str, svc: Svc, base: Base) -> list[dict[str, Any]]:
    """Clips by stream id, or by playback id as Livepeer also accepts."""
    try:
        stream = await svc.live_streams.get(stream_id)
        sources = [a.id for a in await svc.assets.list(limit=100, live_stream_id=stream.id)]
    except NotFound:
        target = await svc.assets.playback_target(stream_id)
        if target.owner_type == "live_stream":
            sources = [a.id for a in await svc.assets.list(limit=100, live_stream_id=target.owner_id)]
        else:
            sources = [target.owner_id]
    if not sources:
        return []
    return [clip_json(a, base) for a in await svc.assets.list(limit=100, source_asset_ids=sources)]


@router.post("/clip")
async def create_clip(body: ClipRequest, svc: Svc, base: Base) -> dict[str, Any]:
    """Cut ``[startTime, endTime]`` (Unix ms) out of the recorded session behind a playback ID."""
    target = await svc.assets.playback_target(body.playback_id)
    if target.owner_type == "live_stream":
        stream = await svc.live_streams.get(target.owner_id)
        source_id = (
            body.session_id or stream.active_asset_id or next(iter(reversed(stream.recent_asset_ids)), None)
        )
        if source_id is None:
            raise InvalidParameters("the stream has no recorded session to clip")
    else:
        source_id = target.owner_id
    source = await svc.assets.get(source_id)
    started_ms = source.created_at * 1000
    end_time = body.end_time if body.end_time is not None else time.time() * 1000
    start = (body.start_time - started_ms) / 1000
    end = (end_time - started_ms) / 1000
    recorded = source.duration if source.status == "ready" else time.time() - source.created_at
    if not (0 <= start < end) or recorded is None or start >= recorded:
        raise InvalidParameters(
            "startTime and endTime must fall inside the recorded session, start before end"
        )
    if end - start > 7200:
        raise InvalidParameters("clips may be at most 2 hours long")
    clip = await svc.assets.create(
        AssetCreate(
            inputs=[
                InputSettings(url=f"mux://assets/{source_id}", start_time=start, end_time=min(end, recorded))
            ],
            playback_policies=["public"],
        )
    )
    return {"asset": clip_json(clip, base), "task": {"id": clip.id}}

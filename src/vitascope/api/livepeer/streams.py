"""Livepeer Studio ``/api/stream`` and ``/api/playback`` over the shared live-stream domain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from vitascope.api.deps import Services, base_url, bearer_auth, services
from vitascope.api.livepeer import schemas
from vitascope.domain.live_streams import LiveStreamCreate, LiveStreamUpdate, SimulcastTargetCreate
from vitascope.domain.models import AccessWebhook, AssetDefaults, LiveStream
from vitascope.errors import NotFound, Unprocessable

router = APIRouter(prefix="/api", dependencies=[Depends(bearer_auth)])
playback_router = APIRouter(prefix="/api")
Svc = Annotated[Services, Depends(services)]
Base = Annotated[str, Depends(base_url)]

_POLICY = {"public": "public", "jwt": "signed"}


def _json(stream: LiveStream) -> dict[str, Any]:
    return schemas.render_entity(stream)


async def _targets(
    svc: Services, multistream: schemas.Multistream | None, profiles: list[str]
) -> list[SimulcastTargetCreate] | None:
    """Resolve targets given inline (a stored target is created) or by the id of a stored one."""
    if multistream is None:
        return None
    found = []
    for target in multistream.targets:
        if target.profile != "source" and target.profile not in profiles:
            raise Unprocessable(f"multistream profile {target.profile!r} is not one of the stream's profiles")
        if target.spec is not None:
            stored = await svc.multistream.create(target.spec.url, name=target.spec.name)
        elif target.id is not None:
            try:
                stored = await svc.multistream.get(target.id)
            except NotFound as exc:
                raise Unprocessable(f"multistream target {target.id} does not exist") from exc
        else:
            raise Unprocessable("a multistream target needs an id or a spec")
        found.append(
            SimulcastTargetCreate(
                id=stored.id,
                url=stored.url,
                name=stored.name,
                profile=target.profile,
                video_only=target.video_only,
            )
        )
    return found


def _check_policy(policy: schemas.PlaybackPolicy | None) -> str:
    """The playback ID policy for a Livepeer playback policy (``webhook`` checks happen at playback)."""
    if policy is None or policy.type == "webhook":
        return "public"
    return _POLICY[policy.type]


async def _access_webhook(svc: Services, policy: schemas.PlaybackPolicy | None) -> AccessWebhook | None:
    if policy is None or policy.type != "webhook":
        return None
    if not policy.webhook_id:
        raise Unprocessable("a webhook playback policy needs a webhookId")
    if await svc.webhooks.find(policy.webhook_id) is None:
        raise Unprocessable(f"webhook {policy.webhook_id} does not exist")
    return AccessWebhook(
        webhook_id=policy.webhook_id,
        context=policy.webhook_context,
        refresh_interval=policy.refresh_interval if policy.refresh_interval is not None else 600.0,
    )


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
            access_webhook=await _access_webhook(svc, body.playback_policy),
            simulcast_targets=await _targets(svc, body.multistream, [p.name for p in profiles]) or [],
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
    current = await svc.live_streams.get(stream_id)
    names = [p.name for p in (body.profiles if body.profiles is not None else current.profiles or [])]
    await svc.live_streams.update(
        stream_id,
        LiveStreamUpdate(
            record=body.record,
            profiles=[p.to_domain() for p in body.profiles] if body.profiles is not None else None,
            user_tags=body.user_tags,
            simulcast_targets=await _targets(svc, body.multistream, names),
            access_webhook=await _access_webhook(svc, body.playback_policy),
            clear_access_webhook=body.playback_policy is not None and body.playback_policy.type != "webhook",
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
    stream = await svc.live_streams.get(stream_id)
    targets = await _targets(
        svc, schemas.Multistream(targets=[body]), [p.name for p in stream.profiles or []]
    )
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
        policy = schemas.playback_policy_json(stream)
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

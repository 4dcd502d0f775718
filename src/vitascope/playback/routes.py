"""Delivery: HLS playlists and segments, static renditions, images, and the master download.

Every request resolves its playback ID first, so a deleted playback ID or asset stops playing at once.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, ValidationError

from vitascope.api.deps import Services, services
from vitascope.domain.models import Asset, VideoRendition
from vitascope.domain.signing import Audience
from vitascope.errors import Forbidden, InvalidParameters, NotFound
from vitascope.live.segments import LIVE_WINDOW, parse_playlist, render_playlist
from vitascope.media import commands
from vitascope.media.ffmpeg import ffmpeg_exe
from vitascope.media.process import FfmpegError, run_ffmpeg, run_ffmpeg_bytes
from vitascope.playback import playlists
from vitascope.vod.layout import (
    audio_track_prefix,
    hls_prefix,
    master_key,
    source_key,
    static_key,
    text_track_key,
)

router = APIRouter()
Svc = Annotated[Services, Depends(services)]

HLS_TYPE = "application/vnd.apple.mpegurl"
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
_IMAGE_TIMEOUT = 60.0


@dataclass(frozen=True)
class Playable:
    """What a playback ID plays right now: a VOD asset, or the recording of a live session."""

    asset: Asset
    live: bool = False
    ended: bool = False
    window: int = 6


def _token(request: Request) -> str | None:
    """A playback token from Mux's ``?token=``, Livepeer's ``?jwt=`` or its ``Livepeer-Jwt`` header."""
    return (
        request.query_params.get("token")
        or request.query_params.get("jwt")
        or request.headers.get("livepeer-jwt")
    )


async def _resolve(svc: Services, playback_id: str, request: Request, audience: Audience = "v") -> Playable:
    target = await svc.assets.playback_target(playback_id)
    claims: dict[str, Any] = {}
    if target.policy == "signed":
        token = _token(request)
        if not token:
            raise Forbidden("this playback ID needs a signed token")
        claims = await svc.signing.verify(token, playback_id=playback_id, audience=audience)
        restriction_id = claims.get("playback_restriction_id")
        if restriction_id:
            await svc.restrictions.check(
                str(restriction_id),
                referer=request.headers.get("referer"),
                user_agent=request.headers.get("user-agent"),
            )
    request.state.claims_params = {k: v for k, v in claims.items() if k in _IMAGE_CLAIMS}
    if target.owner_type == "live_stream":
        stream = await svc.live_streams.get(target.owner_id)
        access_key = request.query_params.get("accessKey") or request.headers.get("livepeer-access-key")
        await svc.access.check(stream, access_key)
        if stream.active_asset_id is None:
            if stream.pull is not None and stream.status == "idle":
                # A pulled stream starts when someone wants to watch it, as Livepeer's do.
                await svc.live_streams.start_pull(stream.id)
            raise NotFound("Not Found")
        asset = await svc.assets.get(stream.active_asset_id)
        if not asset.renditions:
            raise NotFound("Not Found")
        return Playable(asset, live=True, ended=stream.completed, window=LIVE_WINDOW[stream.latency_mode])
    asset = await svc.assets.get(target.owner_id)
    if asset.status == "ready":
        return Playable(asset)
    if asset.is_live and asset.renditions:
        return Playable(asset, live=True)
    raise NotFound("Not Found")


async def _playable(svc: Services, playback_id: str, request: Request, audience: Audience = "v") -> Asset:
    return (await _resolve(svc, playback_id, request, audience)).asset


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise NotFound("Not Found")
    return value


async def _file(svc: Services, key: str, media_type: str) -> FileResponse:
    try:
        path = await svc.objects.local_path(key)
    except (FileNotFoundError, ValueError) as exc:
        raise NotFound("Not Found") from exc
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=31536000"})


async def _text(svc: Services, key: str) -> str:
    try:
        return (await svc.objects.read_bytes(key)).decode()
    except (FileNotFoundError, ValueError) as exc:
        raise NotFound("Not Found") from exc


def _playlist(text: str) -> Response:
    return Response(text, media_type=HLS_TYPE, headers={"Cache-Control": "public, max-age=60"})


def _forwarded_query(request: Request) -> str:
    # Only what players must carry to segment requests (the signed-playback token, clipping bounds).
    keep = ("token", "jwt", "accessKey", "asset_start_time", "asset_end_time")
    return "&".join(f"{k}={v}" for k, v in request.query_params.items() if k in keep)


@router.get("/stream/{playback_id}.m3u8")
async def master_playlist(
    playback_id: str,
    request: Request,
    svc: Svc,
    max_resolution: str | None = None,
    min_resolution: str | None = None,
    default_subtitles_lang: str | None = None,
) -> Response:
    playable = await _resolve(svc, playback_id, request)
    asset = playable.asset
    try:
        max_height = playlists.resolution_limit(max_resolution, "max_resolution")
        min_height = playlists.resolution_limit(min_resolution, "min_resolution")
    except ValueError as exc:
        raise InvalidParameters(str(exc)) from exc
    return _playlist(
        playlists.master(
            asset,
            playback_id,
            query=_forwarded_query(request),
            max_height=max_height,
            min_height=min_height,
            default_subtitles_lang=default_subtitles_lang,
        )
    )


def _clip_bounds(request: Request) -> tuple[float | None, float | None]:
    try:
        start = request.query_params.get("asset_start_time")
        end = request.query_params.get("asset_end_time")
        return (float(start) if start else None, float(end) if end else None)
    except ValueError as exc:
        raise InvalidParameters("asset_start_time and asset_end_time must be numbers of seconds") from exc


@router.get("/stream/{playback_id}/hls/{rendition}/index.m3u8")
async def variant_playlist(playback_id: str, rendition: str, request: Request, svc: Svc) -> Response:
    playable = await _resolve(svc, playback_id, request)
    asset = playable.asset
    text = await _text(svc, f"{hls_prefix(asset.id)}/{_name(rendition)}/index.m3u8")
    if playable.live:
        segments = parse_playlist(text)
        text = render_playlist(
            segments, ended=playable.ended, window=None if playable.ended else playable.window
        )
        text = playlists.with_query(text, _forwarded_query(request))
        return Response(text, media_type=HLS_TYPE, headers={"Cache-Control": "no-cache"})
    start, end = _clip_bounds(request)
    text = playlists.clip(text, start, end)
    return _playlist(playlists.with_query(text, _forwarded_query(request)))


@router.get("/stream/{playback_id}/hls/{rendition}/{segment}.ts")
async def segment(playback_id: str, rendition: str, segment: str, request: Request, svc: Svc) -> FileResponse:
    asset = await _playable(svc, playback_id, request)
    if asset.segment_plan is not None and segment.isdigit():
        # Just in time: made now if the background ladder has not reached it yet.
        try:
            path = await svc.vod.segment(asset, _name(rendition), int(segment))
        except FileNotFoundError as exc:
            raise NotFound("Not Found") from exc
        return FileResponse(
            path, media_type="video/mp2t", headers={"Cache-Control": "public, max-age=31536000"}
        )
    return await _file(svc, f"{hls_prefix(asset.id)}/{_name(rendition)}/{_name(segment)}.ts", "video/mp2t")


@router.get("/stream/{playback_id}/audio/{track_id}/index.m3u8")
async def audio_playlist(playback_id: str, track_id: str, request: Request, svc: Svc) -> Response:
    asset = await _playable(svc, playback_id, request)
    text = await _text(svc, f"{audio_track_prefix(asset.id, _name(track_id))}/index.m3u8")
    return _playlist(playlists.with_query(text, _forwarded_query(request)))


@router.get("/stream/{playback_id}/audio/{track_id}/{segment}.ts")
async def audio_segment(
    playback_id: str, track_id: str, segment: str, request: Request, svc: Svc
) -> FileResponse:
    asset = await _playable(svc, playback_id, request)
    key = f"{audio_track_prefix(asset.id, _name(track_id))}/{_name(segment)}.ts"
    return await _file(svc, key, "video/mp2t")


@router.get("/stream/{playback_id}/text/{track_id}.m3u8")
async def subtitles_playlist(playback_id: str, track_id: str, request: Request, svc: Svc) -> Response:
    asset = await _playable(svc, playback_id, request)
    track = asset.track(track_id)
    if track is None or track.type != "text" or track.status != "ready":
        raise NotFound("Not Found")
    query = _forwarded_query(request)
    return _playlist(
        playlists.subtitles(asset.duration or 0.0, f"{track_id}.vtt{'?' + query if query else ''}")
    )


@router.get("/stream/{playback_id}/text/{track_id}.vtt")
async def subtitles_file(playback_id: str, track_id: str, request: Request, svc: Svc) -> Response:
    asset = await _playable(svc, playback_id, request)
    track = asset.track(track_id)
    if track is None or track.type != "text" or track.status != "ready":
        raise NotFound("Not Found")
    return await _file(svc, text_track_key(asset.id, track_id), "text/vtt")


@router.get("/stream/{playback_id}/{name}.{ext}")
async def static_rendition(
    playback_id: str, name: str, ext: Literal["mp4", "m4a"], request: Request, svc: Svc
) -> FileResponse:
    asset = await _playable(svc, playback_id, request)
    filename = f"{_name(name)}.{ext}"
    files = asset.static_renditions.files if asset.static_renditions else []
    if not any(f.name == filename and f.status == "ready" for f in files):
        raise NotFound("Not Found")
    return await _file(svc, static_key(asset.id, filename), "audio/mp4" if ext == "m4a" else "video/mp4")


@router.get("/master/{asset_id}.mp4")
async def master_download(asset_id: str, expires: int, signature: str, svc: Svc) -> FileResponse:
    if not svc.urls.check_master(asset_id, expires, signature):
        raise NotFound("Not Found")
    asset = await svc.assets.get(asset_id)
    if asset.master is None or asset.master.status != "ready":
        raise NotFound("Not Found")
    response = await _file(svc, master_key(asset_id), "video/mp4")
    response.headers["Content-Disposition"] = f'attachment; filename="{asset_id}.mp4"'
    return response


# -- images -------------------------------------------------------------------------------------


async def _image_source(svc: Services, asset: Asset) -> tuple[str, float, VideoRendition]:
    video = [r for r in asset.renditions if r.width]
    if not video:
        raise NotFound("Not Found")
    # The top rendition has clipping and watermarks applied; a just-in-time asset has neither, and its
    # source is complete while its renditions may not be yet.
    key = (
        source_key(asset.id)
        if asset.segment_plan is not None
        else f"{hls_prefix(asset.id)}/{video[0].name}/index.m3u8"
    )
    try:
        path = await svc.objects.local_path(key)
    except FileNotFoundError as exc:
        raise NotFound("Not Found") from exc
    return str(path), asset.duration or 0.0, video[0]


async def _render(argv: list[str], media_type: str) -> Response:
    try:
        data = await run_ffmpeg_bytes(argv, timeout=_IMAGE_TIMEOUT)
    except FfmpegError as exc:
        raise InvalidParameters(f"could not render the image: {exc}") from exc
    if not data:
        raise InvalidParameters("the requested time is outside the video")
    return Response(data, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})


FitMode = Literal["preserve", "stretch", "crop", "smartcrop", "pad"]
_IMAGE_CLAIMS = ("time", "width", "height", "rotate", "fit_mode", "flip_v", "flip_h")


class _ThumbnailOptions(BaseModel):
    time: float | None = Field(default=None, ge=0)
    width: int | None = Field(default=None, ge=1, le=4096)
    height: int | None = Field(default=None, ge=1, le=4096)
    rotate: Literal[0, 90, 180, 270] = 0
    fit_mode: FitMode = "preserve"
    flip_v: bool = False
    flip_h: bool = False


@router.get("/image/{playback_id}/thumbnail.{ext}")
async def thumbnail(
    playback_id: str,
    ext: Literal["jpg", "png", "webp"],
    request: Request,
    svc: Svc,
    time: Annotated[float | None, Query(ge=0)] = None,
    width: Annotated[int | None, Query(ge=1, le=4096)] = None,
    height: Annotated[int | None, Query(ge=1, le=4096)] = None,
    rotate: Literal[0, 90, 180, 270] = 0,
    fit_mode: FitMode = "preserve",
    flip_v: bool = False,
    flip_h: bool = False,
) -> Response:
    asset = await _playable(svc, playback_id, request, "t")
    # A signed request takes its image parameters from the token, as Mux does.
    try:
        options = _ThumbnailOptions.model_validate(
            {"time": time, "width": width, "height": height, "rotate": rotate, "fit_mode": fit_mode,
             "flip_v": flip_v, "flip_h": flip_h, **request.state.claims_params}
        )  # fmt: skip
    except ValidationError as exc:
        raise InvalidParameters("the token's image parameters are invalid") from exc
    time, width, height, rotate = options.time, options.width, options.height, options.rotate
    fit_mode, flip_v, flip_h = options.fit_mode, options.flip_v, options.flip_h
    source, duration, _ = await _image_source(svc, asset)
    at = duration / 2 if time is None else min(time, max(0.0, duration - 0.05))
    argv = commands.thumbnail_argv(
        ffmpeg_exe(),
        source,
        time=at,
        width=width,
        height=height,
        fit_mode=fit_mode,
        fmt=ext,
        rotate=rotate,
        flip_v=flip_v,
        flip_h=flip_h,
    )
    return await _render(argv, _IMAGE_TYPES[ext])


@router.get("/image/{playback_id}/animated.{ext}")
async def animated(
    playback_id: str,
    ext: Literal["gif", "webp"],
    request: Request,
    svc: Svc,
    start: Annotated[float, Query(ge=0)] = 0.0,
    end: Annotated[float | None, Query(gt=0)] = None,
    width: Annotated[int | None, Query(ge=1, le=640)] = None,
    height: Annotated[int | None, Query(ge=1, le=640)] = None,
    fps: Annotated[int, Query(ge=1, le=30)] = 15,
) -> Response:
    if end is not None and end - start > 10:
        raise InvalidParameters("animated images may span at most 10 seconds")
    asset = await _playable(svc, playback_id, request, "g")
    source, duration, _ = await _image_source(svc, asset)
    stop = min(end if end is not None else start + 5, duration)
    if stop <= start:
        raise InvalidParameters("end must be after start and within the video")
    if width is None and height is None:
        width = 320
    argv = commands.animated_argv(
        ffmpeg_exe(), source, start=start, end=stop, width=width, height=height, fps=fps, fmt=ext
    )
    return await _render(argv, _IMAGE_TYPES[ext])


_storyboard_locks: dict[str, asyncio.Lock] = {}


async def _storyboard(svc: Services, asset: Asset) -> tuple[commands.StoryboardLayout, Path]:
    """Build the sprite sheet once per asset and keep it beside the renditions."""
    image_key = f"assets/{asset.id}/storyboard/sprite.jpg"
    layout_key = f"assets/{asset.id}/storyboard/layout.json"
    lock = _storyboard_locks.setdefault(asset.id, asyncio.Lock())
    async with lock:
        if await svc.objects.size(layout_key) is None:
            source, duration, top = await _image_source(svc, asset)
            work = svc.work_dir / f"{asset.id}-storyboard"
            work.mkdir(parents=True, exist_ok=True)
            argv, layout = commands.storyboard_argv(
                ffmpeg_exe(),
                source,
                duration=duration,
                width=top.width,
                height=top.height,
                out_path=str(work / "sprite.jpg"),
            )
            try:
                await run_ffmpeg(argv, timeout=_IMAGE_TIMEOUT * 5)
            except FfmpegError as exc:
                raise InvalidParameters(f"could not render the storyboard: {exc}") from exc
            await svc.objects.put_file(image_key, work / "sprite.jpg")
            await svc.objects.put_bytes(layout_key, json.dumps(layout.to_json()).encode())
        layout = commands.StoryboardLayout.from_json(json.loads(await svc.objects.read_bytes(layout_key)))
    return layout, await svc.objects.local_path(image_key)


@router.get("/image/{playback_id}/storyboard.{ext}")
async def storyboard(
    playback_id: str, ext: Literal["vtt", "json", "jpg", "png", "webp"], request: Request, svc: Svc
) -> Response:
    asset = await _playable(svc, playback_id, request, "s")
    layout, sprite = await _storyboard(svc, asset)
    if ext in ("jpg", "png", "webp"):
        if ext == "jpg":
            return FileResponse(sprite, media_type="image/jpeg")
        argv = [
            ffmpeg_exe(),
            "-i",
            str(sprite),
            "-f",
            "image2pipe",
            "-c:v",
            "png" if ext == "png" else "libwebp",
            "pipe:1",
        ]
        return await _render(argv, _IMAGE_TYPES[ext])
    query = request.url.query
    image_url = str(request.url_for("storyboard", playback_id=playback_id, ext="jpg"))
    if query:
        image_url += f"?{query}"
    if ext == "json":
        return Response(
            json.dumps(commands.storyboard_json(layout, image_url)), media_type="application/json"
        )
    return Response(commands.storyboard_vtt(layout, image_url), media_type="text/vtt")

"""The VOD pipeline: the job handlers that turn an asset's inputs into HLS, MP4s and a master.

Every handler is idempotent and keyed by asset id: it starts from the stored state, so a job that a
crash interrupted simply runs again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vitascope.config import Settings
from vitascope.domain.assets import AssetService
from vitascope.domain.models import (
    Asset,
    AssetErrors,
    InputFileInfo,
    InputTrackInfo,
    Progress,
    RecordingTime,
    StaticRenditionFile,
    StaticRenditions,
    Track,
    VideoRendition,
)
from vitascope.errors import NotFound
from vitascope.ids import new_id
from vitascope.live.segments import parse_playlist, parse_segment_csv, render_playlist
from vitascope.media import commands, hls, jit, ladder
from vitascope.media.captions import to_webvtt
from vitascope.media.ffmpeg import ffmpeg_exe
from vitascope.media.probe import MediaInfo, ProbeError, keyframe_times, probe
from vitascope.media.process import FfmpegError, run_ffmpeg
from vitascope.store.objects import ObjectStore
from vitascope.vod.fetch import FetchError, fetch_to_file
from vitascope.vod.layout import (
    asset_prefix,
    audio_track_prefix,
    hls_prefix,
    master_key,
    source_key,
    static_key,
    text_track_key,
)

log = logging.getLogger(__name__)

TEST_ASSET_SECONDS = 10.0
JIT_TIMEOUT = 120.0
_PROGRESS_EVERY = 2.0


class InputProblem(Exception):
    """The input cannot become an asset; the message is shown to the client."""


@dataclass
class _Progress:
    """Writes transcode progress to the asset at most every couple of seconds."""

    pipeline: VodPipeline
    asset_id: str
    last: float = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < _PROGRESS_EVERY:
            return
        self.last = now
        asyncio.get_running_loop().create_task(
            self.pipeline.set_progress(self.asset_id, "transcoding", round(fraction * 100, 1))
        )


class VodPipeline:
    """Job handlers for on-demand assets."""

    def __init__(self, assets: AssetService, objects: ObjectStore, settings: Settings) -> None:
        self.assets = assets
        self.objects = objects
        self.settings = settings
        self._segment_locks: dict[str, asyncio.Lock] = {}

    async def _get(self, asset_id: str) -> Asset | None:
        try:
            return await self.assets.get(asset_id)
        except NotFound:
            return None

    async def _change(self, asset_id: str, apply: Callable[[Asset], None]) -> None:
        """Change the asset if it still exists (it may be deleted while a job runs)."""
        with contextlib.suppress(NotFound):
            await self.assets.change(asset_id, apply)

    async def set_progress(self, asset_id: str, state: str, percent: float) -> None:
        """Record what the asset's job is doing (shown as ``progress`` in the API)."""

        def apply(asset: Asset) -> None:
            if asset.status == "preparing":
                asset.progress = Progress.model_validate({"state": state, "progress": percent})

        await self._change(asset_id, apply)

    def _work_dir(self, asset_id: str, job: str) -> Path:
        path = self.settings.work_dir / f"{asset_id}-{job}"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    # -- the main job -------------------------------------------------------------------------

    async def process(self, asset_id: str) -> None:
        """Fetch, probe and transcode an asset's inputs; end ``ready`` or ``errored``."""
        asset = await self._get(asset_id)
        if asset is None or asset.status != "preparing":
            return
        work = self._work_dir(asset_id, "process")
        try:
            await self._process(asset, work)
        except (InputProblem, FetchError, ProbeError, FfmpegError) as exc:
            log.info("asset %s errored: %s", asset_id, exc)
            await self._fail(asset_id, str(exc))
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)

    async def _process(self, asset: Asset, work: Path) -> None:
        await self.set_progress(asset.id, "ingesting", 0.0)
        source = await self._source(asset, work)
        info = await asyncio.to_thread(probe, source)
        await self.assets.change(asset.id, lambda a: _record_input_info(a, info))
        primary = asset.primary_input
        assert primary is not None
        if jit_eligible(asset, info):
            await self._plan_just_in_time(asset, source, info, work)
            return
        overlay = await self._overlay(asset, work, info)
        plan = ladder.plan_ladder(
            info,
            max_resolution_tier=asset.max_resolution_tier,
            video_quality=asset.video_quality,
            # Copying cuts at keyframes: an exact start, a watermark or a test mark need an encode.
            force_encode=overlay is not None or asset.test or bool(primary.start_time),
        )
        start = primary.start_time
        end = primary.end_time
        if asset.test:
            end = min(end or TEST_ASSET_SECONDS + (start or 0), (start or 0) + TEST_ASSET_SECONDS)
        expected = max(0.1, min(end or info.duration, info.duration) - (start or 0))
        if start is not None and start >= info.duration:
            raise InputProblem(f"start_time {start} is beyond the input's duration ({info.duration:.3f} s)")
        out = work / "hls"
        for name in [r.name for r in plan.video] or ["audio"]:
            (out / name).mkdir(parents=True, exist_ok=True)
        argv = commands.hls_ladder_argv(
            ffmpeg_exe(),
            str(source),
            plan,
            str(out),
            start_time=start,
            end_time=end,
            overlay=overlay,
            normalize_audio=asset.normalize_audio,
            test=asset.test,
        )
        await self.set_progress(asset.id, "transcoding", 0.0)
        log.info("asset %s: transcoding %d rendition(s) of %.1f s", asset.id, len(plan.video) or 1, expected)
        await run_ffmpeg(
            argv,
            timeout=self.settings.transcode_timeout,
            duration=expected,
            on_progress=_Progress(self, asset.id),
        )
        names = [r.name for r in plan.video] or ["audio"]
        renditions, duration, audio_codecs = await asyncio.to_thread(describe_renditions, out, names)
        await self.objects.put_tree(hls_prefix(asset.id), out)

        def ready(a: Asset) -> None:
            apply_media(a, renditions, duration, audio_codecs, info)

        await self._process_secondary_tracks(asset.id, work, duration)
        await self.assets.mark_ready(asset.id, ready)
        log.info("asset %s ready: %.2f s, %d rendition(s)", asset.id, duration, len(renditions))

    async def _plan_just_in_time(self, asset: Asset, source: Path, info: MediaInfo, work: Path) -> None:
        """Fix the segment plan from the probe and become ready at once; segments follow (or come on request).

        A source that can be remuxed gets its top rung now (a fraction of a second); the lower rungs are
        advertised from the start and made by the background ladder job or when a player asks first.
        """
        plan = ladder.plan_ladder(
            info, max_resolution_tier=asset.max_resolution_tier, video_quality=asset.video_quality
        )
        top = plan.video[0]
        keyframes = await asyncio.to_thread(keyframe_times, source) if top.copy_video else None
        assert info.video is not None
        bounds = jit.segment_plan(info.duration, info.video.frame_rate, keyframes, plan.segment_seconds)
        source_codecs = await asyncio.to_thread(hls.source_codecs, source) if top.copy_video else None
        playlist = jit.plan_playlist(bounds).encode()
        for rendition in plan.video:
            await self.objects.put_bytes(f"{hls_prefix(asset.id)}/{rendition.name}/index.m3u8", playlist)
        if top.copy_video:
            out = work / "copy"
            (out / top.name).mkdir(parents=True)
            await run_ffmpeg(
                jit.ladder_argv(ffmpeg_exe(), str(source), plan, [top], str(out), bounds),
                timeout=self.settings.transcode_timeout,
            )
            (out / top.name / "segments.csv").unlink(missing_ok=True)
            await self.objects.put_tree(hls_prefix(asset.id), out)
        audio_bitrate = plan.audio_bitrate if plan.has_audio else 0
        renditions = [
            VideoRendition(
                name=r.name,
                width=r.width,
                height=r.height,
                bandwidth=int(
                    (r.video_bitrate if not r.copy_video else info.video.bit_rate or r.video_bitrate) * 1.5
                )
                + audio_bitrate,
                average_bandwidth=(
                    r.video_bitrate if not r.copy_video else info.video.bit_rate or r.video_bitrate
                )
                + audio_bitrate,
                codecs=jit.codecs_for(r, source_codecs, plan.has_audio),
                frame_rate=round(r.max_frame_rate, 3),
            )
            for r in plan.video
        ]
        await self._process_secondary_tracks(asset.id, work, info.duration)

        def ready(a: Asset) -> None:
            apply_media(a, renditions, info.duration, "mp4a.40.2" if plan.has_audio else None, info)
            a.segment_plan = bounds

        await self.assets.mark_ready(asset.id, ready, ladder_pending=True)
        log.info("asset %s ready just in time: %d segment(s) planned", asset.id, len(bounds) - 1)

    async def ladder(self, asset_id: str) -> None:
        """Job: make every planned segment the asset does not have yet, in one background ffmpeg run."""
        asset = await self._get(asset_id)
        if asset is None or asset.status != "ready" or asset.segment_plan is None:
            return
        source = await self.objects.local_path(source_key(asset_id))
        info = await asyncio.to_thread(probe, source)
        plan = ladder.plan_ladder(
            info, max_resolution_tier=asset.max_resolution_tier, video_quality=asset.video_quality
        )
        missing = [r for r in plan.video if not await self._rung_complete(asset, r.name)]
        work = self._work_dir(asset_id, "ladder")
        try:
            if missing:
                for rendition in missing:
                    (work / rendition.name).mkdir(parents=True)
                argv = jit.ladder_argv(
                    ffmpeg_exe(), str(source), plan, missing, str(work), asset.segment_plan
                )
                await self._run_publishing(asset_id, argv, work, [r.name for r in missing])
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)
        await self.assets.ladder_done(asset_id)
        log.info("asset %s: background ladder complete", asset_id)

    async def segment(self, asset: Asset, name: str, index: int) -> Path:
        """A planned segment, produced now if neither the ladder job nor an earlier request has made it.

        Raises ``FileNotFoundError`` for segments outside the plan.
        """
        key = f"{hls_prefix(asset.id)}/{name}/{index}.ts"
        with contextlib.suppress(FileNotFoundError):
            return await self.objects.local_path(key)
        bounds = asset.segment_plan
        if bounds is None or not 0 <= index < len(bounds) - 1:
            raise FileNotFoundError(key)
        lock = self._segment_locks.setdefault(key, asyncio.Lock())
        async with lock:
            with contextlib.suppress(FileNotFoundError):
                return await self.objects.local_path(key)
            source = await self.objects.local_path(source_key(asset.id))
            info = await asyncio.to_thread(probe, source)
            plan = ladder.plan_ladder(
                info, max_resolution_tier=asset.max_resolution_tier, video_quality=asset.video_quality
            )
            rendition = next((r for r in plan.video if r.name == name), None)
            if rendition is None:
                raise FileNotFoundError(key)
            self.settings.work_dir.mkdir(parents=True, exist_ok=True)
            out = self.settings.work_dir / f"{asset.id}-jit-{name}-{index}.ts"
            argv = jit.segment_argv(ffmpeg_exe(), str(source), plan, rendition, bounds, index, str(out))
            await run_ffmpeg(argv, timeout=JIT_TIMEOUT)
            await self.objects.put_file(key, out)
        self._segment_locks.pop(key, None)
        return await self.objects.local_path(key)

    async def _rung_complete(self, asset: Asset, name: str) -> bool:
        assert asset.segment_plan is not None
        last = len(asset.segment_plan) - 2
        return await self.objects.size(f"{hls_prefix(asset.id)}/{name}/{last}.ts") is not None

    async def _run_publishing(self, asset_id: str, argv: list[str], work: Path, names: list[str]) -> None:
        """Run ffmpeg and move each segment into the object store the moment its CSV line says it is done."""
        published = dict.fromkeys(names, 0)

        async def publish() -> None:
            for name in names:
                csv = work / name / "segments.csv"
                if not csv.exists():
                    continue
                done = parse_segment_csv(await asyncio.to_thread(csv.read_text))
                for file, _duration in done[published[name] :]:
                    await self.objects.put_file(f"{hls_prefix(asset_id)}/{name}/{file}", work / name / file)
                published[name] = len(done)

        # Niced: a segment a viewer asks for (made by ``segment``) takes the CPU before the background run.
        task = asyncio.create_task(run_ffmpeg(argv, timeout=self.settings.transcode_timeout, niceness=10))
        while not task.done():
            await asyncio.wait({task}, timeout=0.2)
            await publish()
        await task
        await publish()

    async def _source(self, asset: Asset, work: Path) -> Path:
        """The primary input as a local file, fetched once and kept as the asset's source object."""
        key = source_key(asset.id)
        if await self.objects.size(key):
            return await self.objects.local_path(key)
        if asset.source_asset_id is not None:
            return await self._clip_source(asset.source_asset_id)
        primary = asset.primary_input
        assert primary is not None and primary.url is not None
        target = work / "source"
        await fetch_to_file(
            primary.url,
            target,
            max_bytes=self.settings.max_input_bytes,
            timeout=self.settings.input_timeout,
            allow_private=self.settings.allow_private_inputs,
        )
        await self.objects.put_file(key, target)
        return await self.objects.local_path(key)

    async def _clip_source(self, source_asset_id: str) -> Path:
        """What a clip is cut from: the source file, or for a live recording its top rendition's playlist."""
        with contextlib.suppress(FileNotFoundError):
            return await self.objects.local_path(source_key(source_asset_id))
        source = await self._get(source_asset_id)
        names = [r.name for r in source.renditions] if source is not None else []
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                return await self.objects.local_path(f"{hls_prefix(source_asset_id)}/{name}/index.m3u8")
        raise InputProblem(f"input asset {source_asset_id} has no media")

    async def _overlay(self, asset: Asset, work: Path, info: MediaInfo) -> commands.OverlaySpec | None:
        item = asset.overlay_input
        if item is None or item.overlay_settings is None or item.url is None:
            return None
        if info.video is None:
            raise InputProblem("overlay_settings need a video input")
        image = work / "overlay"
        await fetch_to_file(
            item.url,
            image,
            max_bytes=20 * 1024 * 1024,
            timeout=120,
            allow_private=self.settings.allow_private_inputs,
        )
        settings = item.overlay_settings
        return commands.OverlaySpec(
            image=str(image),
            frame_width=info.video.width,
            frame_height=info.video.height,
            vertical_align=settings.vertical_align,
            vertical_margin=settings.vertical_margin,
            horizontal_align=settings.horizontal_align,
            horizontal_margin=settings.horizontal_margin,
            width=settings.width,
            height=settings.height,
            opacity=settings.opacity,
        )

    async def _fail(self, asset_id: str, message: str) -> None:
        def apply(asset: Asset) -> None:
            asset.status = "errored"
            asset.errors = AssetErrors(type="invalid_input", messages=[message])
            asset.progress = Progress(state="errored", progress=0.0)

        await self.assets.mark_errored(asset_id, apply)

    # -- secondary tracks ---------------------------------------------------------------------

    async def tracks(self, asset_id: str) -> None:
        """Job: process text and audio tracks added after the asset became ready."""
        asset = await self._get(asset_id)
        if asset is None or asset.status != "ready" or asset.duration is None:
            return
        work = self._work_dir(asset_id, "track")
        try:
            await self._process_secondary_tracks(asset_id, work, asset.duration)
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)

    async def _process_secondary_tracks(self, asset_id: str, work: Path, duration: float) -> None:
        asset = await self._get(asset_id)
        if asset is None:
            return
        for track in asset.tracks:
            if track.status != "preparing" or track.source_url is None:
                continue
            try:
                if track.type == "text":
                    await self._text_track(asset_id, track, work)
                else:
                    await self._audio_track(asset_id, track, work, duration)
            except (FetchError, ValueError, FfmpegError, ProbeError) as exc:
                log.info("asset %s track %s errored: %s", asset_id, track.id, exc)
                await self._set_track(asset_id, track.id, status="errored", error=str(exc))
            else:
                await self._set_track(asset_id, track.id, status="ready", duration=duration)

    async def _text_track(self, asset_id: str, track: Track, work: Path) -> None:
        assert track.source_url is not None
        target = work / f"text-{track.id}"
        await fetch_to_file(
            track.source_url,
            target,
            max_bytes=50 * 1024 * 1024,
            timeout=300,
            allow_private=self.settings.allow_private_inputs,
        )
        vtt = to_webvtt(await asyncio.to_thread(target.read_bytes), track.source_url)
        await self.objects.put_bytes(text_track_key(asset_id, track.id), vtt.encode())

    async def _audio_track(self, asset_id: str, track: Track, work: Path, duration: float) -> None:
        assert track.source_url is not None
        source = work / f"audio-{track.id}"
        await fetch_to_file(
            track.source_url,
            source,
            max_bytes=self.settings.max_input_bytes,
            timeout=self.settings.input_timeout,
            allow_private=self.settings.allow_private_inputs,
        )
        info = await asyncio.to_thread(probe, source)
        if not info.audio:
            raise ValueError("the audio track input has no audio stream")
        out = work / f"audio-{track.id}-hls"
        out.mkdir(parents=True, exist_ok=True)
        await run_ffmpeg(
            commands.audio_track_hls_argv(ffmpeg_exe(), str(source), str(out)),
            timeout=self.settings.transcode_timeout,
        )
        await self.objects.put_tree(audio_track_prefix(asset_id, track.id), out)
        channels = info.audio[0].channels

        def apply(asset: Asset) -> None:
            found = asset.track(track.id)
            if found is not None:
                found.max_channels = min(channels, 2)
                found.max_channel_layout = "stereo" if channels >= 2 else "mono"

        await self.assets.change(asset_id, apply)

    async def _set_track(
        self,
        asset_id: str,
        track_id: str,
        *,
        status: str,
        error: str | None = None,
        duration: float | None = None,
    ) -> None:
        def apply(track: Track) -> None:
            track.status = status  # type: ignore[assignment]
            track.error = error
            if duration is not None and track.type == "audio":
                track.duration = duration

        await self.assets.change_track(asset_id, track_id, apply)

    # -- static renditions and master -----------------------------------------------------------

    async def static_renditions(self, asset_id: str) -> None:
        """Job: remux the HLS renditions into the MP4/M4A files the asset asks for."""
        asset = await self._get(asset_id)
        if asset is None or asset.status != "ready" or asset.static_renditions is None:
            return
        wanted = wanted_static_files(asset)
        await self.assets.change(asset_id, lambda a: _set_static(a, [_pending(name) for name in wanted]))
        work = self._work_dir(asset_id, "static")
        files: list[StaticRenditionFile] = []
        try:
            for name in wanted:
                files.append(await self._static_file(asset, name, work))
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)
        with contextlib.suppress(NotFound):
            await self.assets.change(
                asset_id, lambda a: _set_static(a, files), event="static_renditions.ready"
            )

    async def _static_file(self, asset: Asset, name: str, work: Path) -> StaticRenditionFile:
        rendition = pick_static_source(asset, name)
        ext = "m4a" if name.endswith(".m4a") else "mp4"
        if rendition is None:
            return StaticRenditionFile(name=name, ext=ext, status="skipped")
        playlist = await self.objects.local_path(f"{hls_prefix(asset.id)}/{rendition.name}/index.m3u8")
        out = work / name
        build = commands.m4a_argv if ext == "m4a" else commands.mp4_argv
        try:
            await run_ffmpeg(
                build(ffmpeg_exe(), str(playlist), str(out)), timeout=self.settings.transcode_timeout
            )
        except FfmpegError as exc:
            log.warning("asset %s: static rendition %s failed: %s", asset.id, name, exc)
            return StaticRenditionFile(name=name, ext=ext, status="errored")
        size = out.stat().st_size
        await self.objects.put_file(static_key(asset.id, name), out)
        duration = asset.duration or 1.0
        return StaticRenditionFile(
            name=name,
            ext=ext,
            status="ready",
            width=rendition.width if ext == "mp4" else None,
            height=rendition.height if ext == "mp4" else None,
            bitrate=int(size * 8 / duration),
            filesize=str(size),
        )

    async def master(self, asset_id: str) -> None:
        """Job: make the master MP4 (the highest rendition) available for download."""
        asset = await self._get(asset_id)
        if asset is None or asset.status != "ready" or asset.master is None:
            return
        work = self._work_dir(asset_id, "master")
        status = "ready"
        try:
            top = asset.renditions[0].name
            playlist = await self.objects.local_path(f"{hls_prefix(asset.id)}/{top}/index.m3u8")
            out = work / "master.mp4"
            await run_ffmpeg(
                commands.mp4_argv(ffmpeg_exe(), str(playlist), str(out)),
                timeout=self.settings.transcode_timeout,
            )
            await self.objects.put_file(master_key(asset_id), out)
        except FfmpegError as exc:
            log.warning("asset %s: master failed: %s", asset_id, exc)
            status = "errored"
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)

        def apply(a: Asset) -> None:
            if a.master is not None:
                a.master.status = status  # type: ignore[assignment]

        with contextlib.suppress(NotFound):
            await self.assets.change(asset_id, apply, event=f"master.{status}")

    async def finalize_recording(self, asset_id: str) -> None:
        """Job: turn a live session's recording into a VOD asset (also after a crash mid-session)."""
        asset = await self._get(asset_id)
        if asset is None or asset.status != "preparing":
            return
        root = self.objects.local_dir(hls_prefix(asset_id))
        names = await asyncio.to_thread(_close_recorded_playlists, root)
        if not names:
            await self._fail(asset_id, "no media was received from the encoder during this live session")
            return
        try:
            renditions, duration, audio_codecs = await asyncio.to_thread(describe_renditions, root, names)
            top = min((root / renditions[0].name).glob("*.ts"), key=lambda p: int(p.stem))
            info = await asyncio.to_thread(probe, top)
        except (ProbeError, ValueError) as exc:
            await self._fail(asset_id, f"the live recording could not be read: {exc}")
            return
        started = datetime.fromtimestamp(asset.created_at, UTC).isoformat().replace("+00:00", "Z")

        def ready(a: Asset) -> None:
            apply_media(a, renditions, duration, audio_codecs, info)
            a.is_live = False
            a.recording_times = [RecordingTime(started_at=started, duration=round(duration, 3))]

        await self.assets.mark_ready(asset_id, ready)
        log.info("live recording %s ready: %.2f s", asset_id, duration)

    async def purge(self, asset_id: str) -> None:
        """Job: delete a deleted asset's media."""
        await self.objects.delete_prefix(asset_prefix(asset_id))


def _close_recorded_playlists(root: Path) -> list[str]:
    """Give every recorded rendition a final VOD playlist; returns the renditions that have media."""
    names: list[str] = []
    if not root.is_dir():
        return names
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        playlist = folder / "index.m3u8"
        if not playlist.is_file():
            continue
        segments = parse_playlist(playlist.read_text())
        if not segments:
            continue
        playlist.write_text(render_playlist(segments, ended=True, playlist_type="VOD"))
        (folder / "segments.csv").unlink(missing_ok=True)
        names.append(folder.name)
    return names


def jit_eligible(asset: Asset, info: MediaInfo) -> bool:
    """Plain video inputs are planned and served just in time; clipped, watermarked, loudness-normalised,
    test and audio-only assets take the one-pass ladder."""
    primary = asset.primary_input
    return (
        info.video is not None
        and primary is not None
        and not primary.start_time
        and primary.end_time is None
        and asset.overlay_input is None
        and not asset.test
        and not asset.normalize_audio
        and asset.source_asset_id is None
    )


def wanted_static_files(asset: Asset) -> list[str]:
    """File names implied by ``mp4_support`` and the explicit ``static_renditions`` requests."""
    names: list[str] = []
    support = asset.mp4_support
    if support == "standard":
        names += ["high.mp4", "medium.mp4", "low.mp4"][: max(1, min(3, len(asset.renditions)))]
    if "capped-1080p" in support:
        names.append("capped-1080p.mp4")
    if "audio-only" in support:
        names.append("audio.m4a")
    for resolution in asset.static_rendition_requests:
        names.append("audio.m4a" if resolution == "audio-only" else f"{resolution}.mp4")
    return list(dict.fromkeys(names))


def pick_static_source(asset: Asset, name: str) -> VideoRendition | None:
    """The HLS rendition a static file is remuxed from, or ``None`` when the asset has none that fits."""
    video = [r for r in asset.renditions if r.width]
    if name == "audio.m4a":
        return asset.renditions[0] if asset.renditions and asset.audio_codecs else None
    if not video:
        return None
    if name in ("highest.mp4", "high.mp4"):
        return video[0]
    if name == "capped-1080p.mp4":
        return next((r for r in video if min(r.width, r.height) <= 1080), None)
    if name == "medium.mp4":
        return video[len(video) // 2]
    if name == "low.mp4":
        return video[-1]
    return next((r for r in video if r.name == name.removesuffix(".mp4")), None)


def _pending(name: str) -> StaticRenditionFile:
    return StaticRenditionFile(name=name, ext="m4a" if name.endswith(".m4a") else "mp4", status="preparing")


def _set_static(asset: Asset, files: list[StaticRenditionFile]) -> None:
    if asset.static_renditions is None:
        return
    statuses = {f.status for f in files}
    status = "preparing" if "preparing" in statuses else "errored" if statuses == {"errored"} else "ready"
    asset.static_renditions = StaticRenditions.model_validate({"status": status, "files": files})


def _record_input_info(asset: Asset, info: MediaInfo) -> None:
    tracks: list[InputTrackInfo] = []
    if info.video is not None:
        tracks.append(
            InputTrackInfo(
                type="video",
                duration=info.duration,
                encoding=info.video.codec,
                width=info.video.width,
                height=info.video.height,
                frame_rate=round(info.video.frame_rate, 3),
            )
        )
    tracks += [
        InputTrackInfo(
            type="audio",
            duration=info.duration,
            encoding=audio.codec,
            sample_rate=audio.sample_rate,
            channels=audio.channels,
        )
        for audio in info.audio
    ]
    asset.input_info = [InputFileInfo(container_format=info.container, tracks=tracks)]


def describe_renditions(root: Path, names: list[str]) -> tuple[list[VideoRendition], float, str | None]:
    """Measure produced renditions (``root/{name}/index.m3u8``): bandwidths, codecs, size, duration."""
    renditions: list[VideoRendition] = []
    duration = 0.0
    audio_codecs: str | None = None
    for name in names:
        stats = hls.playlist_stats(root / name / "index.m3u8")
        first_segment = min((root / name).glob("*.ts"), key=lambda p: int(p.stem))
        codecs = hls.probe_codecs(first_segment)
        if "mp4a" in codecs:
            audio_codecs = "mp4a.40.2"
        video = probe(first_segment).video
        renditions.append(
            VideoRendition(
                name=name,
                width=video.width if video else 0,
                height=video.height if video else 0,
                bandwidth=stats.peak_bandwidth,
                average_bandwidth=stats.average_bandwidth,
                codecs=codecs,
                frame_rate=round(video.frame_rate, 3) if video else None,
            )
        )
        duration = max(duration, stats.duration)
    renditions.sort(key=lambda r: r.height, reverse=True)
    return renditions, duration, audio_codecs


def apply_media(
    asset: Asset, renditions: list[VideoRendition], duration: float, audio_codecs: str | None, info: MediaInfo
) -> None:
    """Fill the asset's media fields from what was produced (``info`` describes the source's audio)."""
    asset.renditions = renditions
    asset.audio_codecs = audio_codecs
    asset.duration = round(duration, 6)
    top = renditions[0] if renditions and renditions[0].width else None
    asset.resolution_tier = ladder.resolution_tier(top.width, top.height) if top else "audio-only"
    asset.max_stored_resolution = ladder.max_stored_resolution(top.width, top.height) if top else "Audio only"
    asset.aspect_ratio = ladder.aspect_ratio(top.width, top.height) if top else None
    asset.max_stored_frame_rate = top.frame_rate if top else None
    tracks: list[Track] = []
    if top is not None:
        tracks.append(
            Track(
                id=new_id(),
                type="video",
                duration=asset.duration,
                max_width=top.width,
                max_height=top.height,
                max_frame_rate=top.frame_rate,
            )
        )
    if info.audio and audio_codecs:
        channels = info.audio[0].channels
        tracks.append(
            Track(
                id=new_id(),
                type="audio",
                duration=asset.duration,
                max_channels=min(channels, 2),
                max_channel_layout="stereo" if channels >= 2 else "mono",
                primary=True,
                language_code=info.audio[0].language,
            )
        )
    secondary = [t for t in asset.tracks if t.type == "text" or (t.type == "audio" and not t.primary)]
    asset.tracks = tracks + secondary
    asset.progress = Progress(state="completed", progress=100.0)

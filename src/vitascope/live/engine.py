"""The live engine: one session per connected encoder, with reconnect windows, simulcast and recording.

Ingest adapters call :meth:`LiveEngine.connect`; the domain's configuration changes reach us through
:class:`~vitascope.domain.live_streams.LiveControl` (``disconnect``, ``complete``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from vitascope.domain.assets import AssetService
from vitascope.domain.live_streams import LiveSessions, LiveStreamService
from vitascope.domain.models import Asset, LiveStream, TranscodeProfile, VideoRendition
from vitascope.errors import NotFound
from vitascope.live.hub import AUDIO, VIDEO, Hub, Tag
from vitascope.live.packager import LivePackager
from vitascope.live.pull import Puller
from vitascope.live.segmenter import TsSegmenter
from vitascope.live.segments import SEGMENT_SECONDS, RenditionIndex
from vitascope.live.simulcast import SimulcastPusher
from vitascope.media import hls
from vitascope.media.live import LiveRendition
from vitascope.media.probe import probe
from vitascope.store.objects import ObjectStore
from vitascope.vod.layout import hls_prefix

log = logging.getLogger(__name__)

COMPLETE_GRACE = 60.0
SOURCE = "source"


def live_renditions(
    transcodes_running: int, max_transcodes: int, profiles: list[TranscodeProfile] | None = None
) -> list[LiveRendition]:
    """The ladder for a new session: the source always, plus a 360p rung while the budget allows.

    Sessions beyond ``max_transcodes`` get passthrough only: dropping a rung keeps every stream in
    real time, where an overloaded encoder would make all of them lag.
    """
    ladder = [LiveRendition(SOURCE, None, 0)]
    if profiles and transcodes_running < max_transcodes:
        return ladder + [
            LiveRendition(
                p.name,
                p.height,
                p.bitrate,
                width=p.width,
                fps=p.fps / (p.fps_den or 1) if p.fps else 0.0,
            )
            for p in profiles
        ]
    if transcodes_running < max_transcodes:
        ladder.append(LiveRendition("360p", 360, 600_000, 96_000))
    return ladder


class LivePublisher:
    """What an ingest connection writes into: tags go to the hub, ``close`` ends the connection."""

    def __init__(self, hub: Hub, on_close: Callable[[str], Awaitable[None]]) -> None:
        self.hub = hub
        self._on_close = on_close
        self._closed = False

    async def on_video(self, timestamp_ms: int, payload: bytes) -> None:
        """A video message (FLV video tag body)."""
        self.hub.write(Tag(VIDEO, timestamp_ms, bytes(payload)))

    async def on_audio(self, timestamp_ms: int, payload: bytes) -> None:
        """An audio message (FLV audio tag body)."""
        self.hub.write(Tag(AUDIO, timestamp_ms, bytes(payload)))

    async def on_metadata(self, metadata: dict[str, object]) -> None:
        """``onMetaData``: nothing downstream needs it (ffmpeg probes the stream itself)."""

    async def close(self, reason: str) -> None:
        """The encoder is gone (or was dropped)."""
        if self._closed:
            return
        self._closed = True
        self.hub.close()
        await self._on_close(reason)


@dataclass
class ActiveSession:
    """A live session: survives encoder reconnects within the reconnect window."""

    stream_id: str
    stream_key: str
    asset_id: str
    latency_mode: str
    renditions: list[LiveRendition]
    indexes: dict[str, RenditionIndex] = field(default_factory=dict)
    hub: Hub | None = None
    packager: asyncio.Task[None] | None = None
    pushers: list[asyncio.Task[None]] = field(default_factory=list)
    timers: list[asyncio.Task[None]] = field(default_factory=list)
    described: bool = False
    force_end: bool = False
    started: float = field(default_factory=time.monotonic)


class Disconnector:
    """What the engine needs from ingest servers: drop the encoder using a stream key."""

    def __init__(self) -> None:
        self._drops: list[Callable[[str], bool]] = []

    def add(self, drop: Callable[[str], bool]) -> None:
        """Register an ingest server's ``disconnect``."""
        self._drops.append(drop)

    def __call__(self, stream_key: str) -> bool:
        return any([drop(stream_key) for drop in self._drops])


class LiveEngine:
    """Runs every active live session of this server."""

    def __init__(
        self,
        streams: LiveStreamService,
        sessions: LiveSessions,
        assets: AssetService,
        objects: ObjectStore,
        *,
        max_transcodes: int | None = None,
    ) -> None:
        self.streams = streams
        self.sessions = sessions
        self.assets = assets
        self.objects = objects
        self.max_transcodes = (os.cpu_count() or 1) if max_transcodes is None else max_transcodes
        self.active: dict[str, ActiveSession] = {}
        self.disconnector = Disconnector()
        # Where pulled sources are republished; set once the RTMP server knows its port.
        self.ingest_url: Callable[[str], str] | None = None
        self._pulls: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _spawn(self, coro: Awaitable[None], name: str) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def start(self) -> None:
        """After a restart, no encoder is connected: end the sessions that were live."""
        ended = await self.sessions.recover()
        if ended:
            log.info("ended %d live session(s) interrupted by a restart", len(ended))

    async def close(self) -> None:
        """Stop every session; recordings are finalized on the next start."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- ingest side ----------------------------------------------------------------------------

    async def connect(self, stream_key: str, protocol: str = "rtmp") -> LivePublisher:
        """An encoder wants to publish; raises ``PublishRefused`` for unknown or disabled keys."""
        start = await self.sessions.begin(stream_key, protocol)
        stream = start.stream
        session = self.active.get(stream.id)
        if session is not None and session.asset_id == start.asset_id:
            for timer in session.timers:
                timer.cancel()
            session.timers = []
            if session.packager is not None:
                await asyncio.shield(session.packager)
        else:
            running = sum(1 for s in self.active.values() if any(not r.passthrough for r in s.renditions))
            session = ActiveSession(
                stream_id=stream.id,
                stream_key=stream.stream_key,
                asset_id=start.asset_id,
                latency_mode=stream.latency_mode,
                renditions=live_renditions(running, self.max_transcodes, stream.profiles),
            )
            self.active[stream.id] = session
        hub = Hub()
        session.hub = hub
        session.force_end = False
        session.packager = self._spawn(self._package(session, hub), f"packager:{stream.id}")
        session.pushers = [
            self._spawn(
                SimulcastPusher(
                    hub,
                    t.id,
                    t.url,
                    t.stream_key,
                    self._simulcast_status(stream.id),
                    video_only=t.video_only,
                    profile=next((p for p in stream.profiles or [] if p.name == t.profile), None),
                ).run(),
                f"simulcast:{t.id}",
            )
            for t in stream.simulcast_targets
        ]
        remaining = stream.max_continuous_duration - (time.monotonic() - session.started)
        session.timers.append(self._spawn(self._limit_duration(session, remaining), f"limit:{stream.id}"))
        log.info(
            "live stream %s: encoder connected (%s), recording into asset %s",
            stream.id,
            protocol,
            session.asset_id,
        )
        return LivePublisher(hub, lambda reason: self._encoder_gone(session, hub, reason))

    async def _package(self, session: ActiveSession, hub: Hub) -> None:
        """The source is segmented in-process; transcoded rungs run in one ffmpeg beside it."""
        out_dir = self.objects.local_dir(hls_prefix(session.asset_id))
        seconds = SEGMENT_SECONDS.get(session.latency_mode, 2.0)

        async def ready(index: RenditionIndex) -> None:
            await self._segment_ready(session, index)

        source = session.indexes.setdefault(SOURCE, RenditionIndex(SOURCE))
        segmenter = TsSegmenter(out_dir / SOURCE, source, segment_seconds=seconds, on_segment=ready)
        jobs = [segmenter.run(hub.subscribe(), has_video=hub.has_video)]
        transcoded = [r for r in session.renditions if not r.passthrough]
        if transcoded:
            packager = LivePackager(
                hub, out_dir, transcoded, session.indexes, segment_seconds=seconds, on_segment=ready
            )
            jobs.append(packager.run())
        await asyncio.gather(*jobs)

    async def _encoder_gone(self, session: ActiveSession, hub: Hub, reason: str) -> None:
        log.info("live stream %s: encoder disconnected (%s)", session.stream_id, reason)
        if session.hub is not hub:
            return
        stream = await self.sessions.disconnected(session.stream_id)
        if stream is None or session.force_end or stream.reconnect_window <= 0 or stream.completed:
            self._spawn(self._end(session), f"end:{session.stream_id}")
            return
        session.timers.append(
            self._spawn(self._end_after(session, stream.reconnect_window), f"window:{session.stream_id}")
        )

    async def _end_after(self, session: ActiveSession, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._end(session)

    async def _limit_duration(self, session: ActiveSession, remaining: float) -> None:
        await asyncio.sleep(max(0.0, remaining))
        log.info("live stream %s reached max_continuous_duration", session.stream_id)
        await self.disconnect(session.stream_key, "max_continuous_duration reached")

    async def _end(self, session: ActiveSession) -> None:
        """The session is over: flush, write the final playlists, hand the recording to the VOD side."""
        if self.active.get(session.stream_id) is not session:
            return
        del self.active[session.stream_id]
        current = asyncio.current_task()
        for timer in session.timers:
            if timer is not current:
                timer.cancel()
        if session.hub is not None:
            session.hub.close()
        if session.packager is not None:
            await asyncio.gather(session.packager, return_exceptions=True)
        await asyncio.gather(*session.pushers, return_exceptions=True)
        for index in session.indexes.values():
            await self._write_playlist(session.asset_id, index, ended=True)
        await self.sessions.end(session.stream_id, session.asset_id)
        log.info(
            "live stream %s: session ended, asset %s is being finalized", session.stream_id, session.asset_id
        )

    # -- segments and status ----------------------------------------------------------------------

    async def _write_playlist(self, asset_id: str, index: RenditionIndex, *, ended: bool) -> None:
        key = f"{hls_prefix(asset_id)}/{index.name}/index.m3u8"
        await self.objects.put_bytes(key, index.playlist(ended=ended).encode())

    async def _segment_ready(self, session: ActiveSession, index: RenditionIndex) -> None:
        await self._write_playlist(session.asset_id, index, ended=False)
        if index.name == SOURCE:
            segment = index.segments[-1]
            path = self.objects.local_dir(hls_prefix(session.asset_id)) / SOURCE / f"{segment.index}.ts"
            size = (await asyncio.to_thread(path.stat)).st_size
            await self.streams.record_stats(
                session.stream_id, segment_seconds=segment.duration, segment_bytes=size
            )
        indexes = [session.indexes.get(r.name) for r in session.renditions]
        if not session.described and all(index is not None and index.segments for index in indexes):
            session.described = True
            await self._describe(session)

    async def _describe(self, session: ActiveSession) -> None:
        """Once every rendition has a segment, advertise them in the master playlist."""
        renditions: list[VideoRendition] = []
        audio_codecs: str | None = None
        root = self.objects.local_dir(hls_prefix(session.asset_id))
        for rendition in session.renditions:
            first = session.indexes[rendition.name].segments[0]
            path = root / rendition.name / f"{first.index}.ts"
            described = await asyncio.to_thread(_describe_segment, path, first.duration)
            if described is None:
                continue
            codecs, width, height, frame_rate, bandwidth = described
            audio_codecs = audio_codecs or ("mp4a.40.2" if "mp4a" in codecs else None)
            renditions.append(
                VideoRendition(
                    name=rendition.name,
                    width=width,
                    height=height,
                    bandwidth=bandwidth,
                    average_bandwidth=bandwidth,
                    codecs=codecs,
                    frame_rate=frame_rate,
                )
            )
        renditions.sort(key=lambda r: r.height, reverse=True)

        def apply(asset: Asset) -> None:
            asset.renditions = renditions
            asset.audio_codecs = audio_codecs

        with contextlib.suppress(Exception):
            await self.assets.change(session.asset_id, apply)

    def _simulcast_status(self, stream_id: str) -> Callable[[str, str], Awaitable[None]]:
        async def update(target_id: str, status: str) -> None:
            await self.streams.set_simulcast_status(stream_id, target_id, status)

        return update

    # -- domain side (LiveControl) --------------------------------------------------------------

    async def disconnect(self, stream_key: str, reason: str) -> None:
        """Drop the encoder using this key and end its session now (disable, key reset, delete)."""
        session = next((s for s in self.active.values() if s.stream_key == stream_key), None)
        if session is not None:
            session.force_end = True
        dropped = self.disconnector(stream_key)
        if session is not None and not dropped:
            await self._end(session)
        log.info("live stream key ...%s disconnected: %s", stream_key[-4:], reason)

    async def start_pull(self, stream: LiveStream) -> None:
        """Pull the stream's source into our own ingest until it is deleted, suspended or terminated."""
        running = self._pulls.get(stream.id)
        if running is not None and not running.done():
            return
        if stream.pull is None or self.ingest_url is None:
            return

        async def wanted(since: float) -> bool:
            try:
                current = await self.streams.get(stream.id)
            except NotFound:
                return False
            terminated = current.last_terminated_at is not None and current.last_terminated_at > since
            return current.pull is not None and current.status != "disabled" and not terminated

        puller = Puller(stream.id, stream.pull, self.ingest_url(stream.stream_key), wanted)
        self._pulls[stream.id] = self._spawn(puller.run(), f"pull:{stream.id}")
        log.info("live stream %s: pulling %s", stream.id, stream.pull.source)

    async def complete(self, stream_id: str) -> None:
        """End the recording now; the encoder may stay connected for a grace period, as Mux documents."""
        await self.sessions.mark_completed(stream_id)
        session = self.active.get(stream_id)
        if session is None:
            return
        key = session.stream_key
        await self._end(session)

        async def drop_later() -> None:
            await asyncio.sleep(COMPLETE_GRACE)
            self.disconnector(key)

        self._spawn(drop_later(), f"complete:{stream_id}")


def _describe_segment(path: Path, duration: float) -> tuple[str, int, int, float | None, int] | None:
    try:
        info = probe(path)
        codecs = hls.probe_codecs(path)
    except Exception:
        log.warning("could not describe live segment %s", path, exc_info=True)
        return None
    video = info.video
    bandwidth = int(path.stat().st_size * 8 / max(duration, 0.1))
    if video is None:
        return codecs, 0, 0, None, bandwidth
    return codecs, video.width, video.height, round(video.frame_rate, 3), bandwidth

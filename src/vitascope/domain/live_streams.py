"""Live stream services: configuration changes here; sessions are driven by the live pipeline."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from vitascope.domain import playback_ids
from vitascope.domain.assets import FINALIZE_RECORDING_JOB, AssetService, job_key
from vitascope.domain.inputs import check_pull_url
from vitascope.domain.models import (
    AccessWebhook,
    AssetDefaults,
    AssetMeta,
    LatencyMode,
    LiveStream,
    LiveStreamMeta,
    MasterAccess,
    Mp4Support,
    PlaybackId,
    PlaybackPolicy,
    PullSource,
    SimulcastTarget,
    SubtitleSetting,
    TranscodeProfile,
    VideoQuality,
)
from vitascope.errors import InvalidParameters, NotFound, Unprocessable
from vitascope.ids import new_id
from vitascope.jobs import JobQueue
from vitascope.store.database import Database
from vitascope.store.repos import LiveStreamRepo, PlaybackIdRepo

if TYPE_CHECKING:
    from vitascope.domain.webhooks import WebhookService

MAX_RECONNECT_WINDOW = 1800.0
MAX_SIMULCAST_TARGETS = 6
RECENT_ASSETS = 10
_MULTISTREAM_EVENTS = {
    "broadcasting": "multistream.connected",
    "errored": "multistream.error",
    "idle": "multistream.disconnected",
}


class LiveControl(Protocol):
    """What configuration changes need from the running live engine."""

    async def disconnect(self, stream_key: str, reason: str) -> None:
        """Drop the encoder publishing with this key, if one is connected, and end its session."""

    async def complete(self, stream_id: str) -> None:
        """End the recording of the stream's session now, keeping the encoder connected briefly."""

    async def start_pull(self, stream: LiveStream) -> None:
        """Start pulling the stream's ``pull.source`` as its ingest (no-op if already pulling)."""


class SimulcastTargetCreate(BaseModel):
    id: str | None = None
    url: str
    stream_key: str | None = None
    passthrough: str | None = None
    name: str | None = None
    profile: str = "source"
    video_only: bool = False


class LiveStreamCreate(BaseModel):
    """What a client asks for when it creates a live stream (wire-neutral)."""

    playback_policies: list[PlaybackPolicy] = Field(default_factory=list)
    new_asset_settings: AssetDefaults | None = None
    reconnect_window: float | None = None
    use_slate_for_standard_latency: bool = False
    reconnect_slate_url: str | None = None
    passthrough: str | None = None
    audio_only: bool = False
    embedded_subtitles: list[SubtitleSetting] = Field(default_factory=list)
    generated_subtitles: list[SubtitleSetting] = Field(default_factory=list)
    latency_mode: LatencyMode = "standard"
    test: bool = False
    simulcast_targets: list[SimulcastTargetCreate] = Field(default_factory=list)
    max_continuous_duration: int = 43200
    meta: LiveStreamMeta | None = None
    name: str | None = None
    record: bool = True
    profiles: list[TranscodeProfile] | None = None
    user_tags: dict[str, Any] | None = None
    pull: PullSource | None = None
    access_webhook: AccessWebhook | None = None


class NewAssetSettingsUpdate(BaseModel):
    mp4_support: Mp4Support | None = None
    master_access: MasterAccess | None = None
    video_quality: VideoQuality | None = None
    meta: AssetMeta | None = None


class LiveStreamUpdate(BaseModel):
    """The fields a client may change on an existing live stream."""

    passthrough: str | None = None
    latency_mode: LatencyMode | None = None
    reconnect_window: float | None = None
    use_slate_for_standard_latency: bool | None = None
    reconnect_slate_url: str | None = None
    max_continuous_duration: int | None = None
    new_asset_settings: NewAssetSettingsUpdate | None = None
    meta: LiveStreamMeta | None = None
    record: bool | None = None
    profiles: list[TranscodeProfile] | None = None
    user_tags: dict[str, Any] | None = None
    simulcast_targets: list[SimulcastTargetCreate] | None = None
    access_webhook: AccessWebhook | None = None
    clear_access_webhook: bool = False


def _check_profiles(profiles: list[TranscodeProfile] | None) -> None:
    if not profiles:
        return
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise Unprocessable("profile names must be unique")
    for profile in profiles:
        if not profile.name or profile.name == "source":
            raise Unprocessable("a profile needs a name other than 'source'")
        if not (16 <= profile.width <= 7680 and 16 <= profile.height <= 4320):
            raise Unprocessable(f"profile {profile.name}: width and height must be between 16 and 7680x4320")
        if not 10_000 <= profile.bitrate <= 100_000_000:
            raise Unprocessable(f"profile {profile.name}: bitrate must be between 10000 and 100000000 bit/s")
        if profile.fps < 0 or profile.fps > 120 or (profile.fps_den is not None and profile.fps_den <= 0):
            raise Unprocessable(f"profile {profile.name}: fps must be 0 (source) to 120, fpsDen positive")


def _check_reconnect_window(value: float) -> None:
    if not 0 <= value <= MAX_RECONNECT_WINDOW:
        raise InvalidParameters(f"reconnect_window must be between 0 and {MAX_RECONNECT_WINDOW:g} seconds")


def _check_max_duration(value: int) -> None:
    if not 60 <= value <= 43200:
        raise InvalidParameters("max_continuous_duration must be between 60 and 43200 seconds")


def _check_passthrough(value: str | None) -> None:
    if value is not None and len(value) > 255:
        raise InvalidParameters("passthrough must be at most 255 characters")


def _simulcast_target(request: SimulcastTargetCreate) -> SimulcastTarget:
    if not request.url.startswith(("rtmp://", "rtmps://")) or len(request.url) < 10:
        raise InvalidParameters("simulcast target url must be an rtmp:// or rtmps:// URL")
    _check_passthrough(request.passthrough)
    return SimulcastTarget(
        id=request.id or new_id(),
        url=request.url,
        stream_key=request.stream_key,
        passthrough=request.passthrough,
        name=request.name,
        profile=request.profile,
        video_only=request.video_only,
    )


class LiveStreamService:
    """Creates and configures live streams."""

    def __init__(
        self, db: Database, control: LiveControl | None = None, *, allow_private_inputs: bool = False
    ) -> None:
        self.db = db
        self.control = control
        self.allow_private_inputs = allow_private_inputs
        self.webhooks: WebhookService | None = None

    async def create(self, request: LiveStreamCreate) -> LiveStream:
        """A new idle live stream with a fresh stream key."""
        window = request.reconnect_window
        if window is None:
            window = 60.0 if request.latency_mode == "standard" else 0.0
        _check_reconnect_window(window)
        _check_max_duration(request.max_continuous_duration)
        _check_passthrough(request.passthrough)
        if len(request.simulcast_targets) > MAX_SIMULCAST_TARGETS:
            raise InvalidParameters(
                f"a live stream may have at most {MAX_SIMULCAST_TARGETS} simulcast targets"
            )
        _check_profiles(request.profiles)
        if request.pull is not None:
            check_pull_url(request.pull.source, allow_private=self.allow_private_inputs)
        stream = LiveStream(
            id=new_id(),
            stream_key=new_id(),
            new_asset_settings=request.new_asset_settings,
            reconnect_window=window,
            use_slate_for_standard_latency=request.use_slate_for_standard_latency,
            reconnect_slate_url=request.reconnect_slate_url,
            passthrough=request.passthrough,
            audio_only=request.audio_only,
            embedded_subtitles=request.embedded_subtitles,
            generated_subtitles=request.generated_subtitles,
            latency_mode=request.latency_mode,
            test=request.test,
            simulcast_targets=[_simulcast_target(t) for t in request.simulcast_targets],
            max_continuous_duration=request.max_continuous_duration,
            meta=request.meta,
            name=request.name,
            record=request.record,
            profiles=request.profiles,
            user_tags=request.user_tags,
            pull=request.pull,
            access_webhook=request.access_webhook,
        )
        async with self.db.transaction() as session:
            for policy in request.playback_policies:
                await playback_ids.attach(session, stream, policy)
            await LiveStreamRepo(session).add(stream)
            await emit(self.webhooks, session, "created", stream)
        return stream

    async def get(self, stream_id: str) -> LiveStream:
        """The live stream, or ``NotFound``."""
        async with self.db.read() as session:
            stream = await LiveStreamRepo(session).get(stream_id)
        if stream is None:
            raise NotFound("The requested live stream does not exist")
        return stream

    async def list(
        self, *, limit: int = 25, page: int = 1, stream_key: str | None = None, status: str | None = None
    ) -> list[LiveStream]:
        """Live streams newest first."""
        async with self.db.read() as session:
            return await LiveStreamRepo(session).list(
                limit=limit, page=page, stream_key=stream_key, status=status
            )

    async def _change(
        self, stream_id: str, apply: Callable[[LiveStream], None], *, event: str | None = None
    ) -> LiveStream:
        async with self.db.transaction() as session:
            repo = LiveStreamRepo(session)
            stream = await repo.get(stream_id, for_update=True)
            if stream is None:
                raise NotFound("The requested live stream does not exist")
            apply(stream)
            await repo.save(stream)
            if event is not None:
                await emit(self.webhooks, session, event, stream)
        return stream

    async def update(self, stream_id: str, request: LiveStreamUpdate) -> LiveStream:
        """Change the stream's settings; they apply from the next session."""
        if request.reconnect_window is not None:
            _check_reconnect_window(request.reconnect_window)
        if request.max_continuous_duration is not None:
            _check_max_duration(request.max_continuous_duration)
        _check_passthrough(request.passthrough)
        _check_profiles(request.profiles)
        targets = [_simulcast_target(t) for t in request.simulcast_targets or []]

        def apply(stream: LiveStream) -> None:
            if request.simulcast_targets is not None:
                stream.simulcast_targets = targets
            if request.access_webhook is not None or request.clear_access_webhook:
                stream.access_webhook = request.access_webhook
            for field in (
                "passthrough",
                "latency_mode",
                "reconnect_window",
                "use_slate_for_standard_latency",
                "reconnect_slate_url",
                "max_continuous_duration",
                "meta",
                "record",
                "profiles",
                "user_tags",
            ):
                value = getattr(request, field)
                if value is not None:
                    setattr(stream, field, value)
            if request.new_asset_settings is not None:
                defaults = stream.new_asset_settings or AssetDefaults()
                changes = request.new_asset_settings.model_dump(exclude_none=True)
                stream.new_asset_settings = defaults.model_copy(update=changes)

        return await self._change(stream_id, apply, event="updated")

    async def delete(self, stream_id: str) -> None:
        """Delete the stream: its encoder is dropped and its playback IDs stop playing."""
        async with self.db.transaction() as session:
            repo = LiveStreamRepo(session)
            stream = await repo.get(stream_id, for_update=True)
            if stream is None:
                raise NotFound("The requested live stream does not exist")
            await repo.delete(stream_id)
            await PlaybackIdRepo(session).delete_owned_by(stream_id)
            await emit(self.webhooks, session, "deleted", stream)
        if self.control is not None:
            await self.control.disconnect(stream.stream_key, "live stream deleted")

    async def create_playback_id(self, stream_id: str, policy: PlaybackPolicy) -> PlaybackId:
        """Add a playback ID to the stream."""
        async with self.db.transaction() as session:
            repo = LiveStreamRepo(session)
            stream = await repo.get(stream_id, for_update=True)
            if stream is None:
                raise NotFound("The requested live stream does not exist")
            playback_id = await playback_ids.attach(session, stream, policy)
            await repo.save(stream)
        return playback_id

    async def get_playback_id(self, stream_id: str, playback_id: str) -> PlaybackId:
        """One of the stream's playback IDs."""
        return playback_ids.find(await self.get(stream_id), playback_id)

    async def delete_playback_id(self, stream_id: str, playback_id: str) -> None:
        """Remove a playback ID from the stream."""
        async with self.db.transaction() as session:
            repo = LiveStreamRepo(session)
            stream = await repo.get(stream_id, for_update=True)
            if stream is None:
                raise NotFound("The requested live stream does not exist")
            await playback_ids.detach(session, stream, playback_id)
            await repo.save(stream)

    async def create_simulcast_target(
        self, stream_id: str, request: SimulcastTargetCreate
    ) -> SimulcastTarget:
        """Add a simulcast target; only while the stream is idle, as Mux requires."""
        target = _simulcast_target(request)

        def apply(stream: LiveStream) -> None:
            if stream.status != "idle":
                raise InvalidParameters("simulcast targets can only be added while the live stream is idle")
            if len(stream.simulcast_targets) >= MAX_SIMULCAST_TARGETS:
                raise InvalidParameters(
                    f"a live stream may have at most {MAX_SIMULCAST_TARGETS} simulcast targets"
                )
            stream.simulcast_targets.append(target)

        await self._change(stream_id, apply, event="simulcast_target.created")
        return target

    async def get_simulcast_target(self, stream_id: str, target_id: str) -> SimulcastTarget:
        """One of the stream's simulcast targets."""
        target = (await self.get(stream_id)).simulcast_target(target_id)
        if target is None:
            raise NotFound("The requested simulcast target does not exist")
        return target

    async def delete_simulcast_target(self, stream_id: str, target_id: str) -> None:
        """Remove a simulcast target; only while the stream is idle."""

        def apply(stream: LiveStream) -> None:
            if stream.simulcast_target(target_id) is None:
                raise NotFound("The requested simulcast target does not exist")
            if stream.status != "idle":
                raise InvalidParameters("simulcast targets can only be deleted while the live stream is idle")
            stream.simulcast_targets = [t for t in stream.simulcast_targets if t.id != target_id]

        await self._change(stream_id, apply, event="simulcast_target.deleted")

    async def disable(self, stream_id: str) -> None:
        """Refuse publishes until enabled; a connected encoder is dropped at once."""

        def apply(stream: LiveStream) -> None:
            stream.status = "disabled"

        stream = await self._change(stream_id, apply, event="disabled")
        if self.control is not None:
            await self.control.disconnect(stream.stream_key, "live stream disabled")

    async def enable(self, stream_id: str) -> None:
        """Accept publishes again."""

        def apply(stream: LiveStream) -> None:
            if stream.status == "disabled":
                stream.status = "active" if stream.connected else "idle"

        await self._change(stream_id, apply, event="enabled")

    async def reset_stream_key(self, stream_id: str) -> LiveStream:
        """A new stream key; the old one stops working immediately."""
        old_key = ""

        def apply(stream: LiveStream) -> None:
            nonlocal old_key
            old_key = stream.stream_key
            stream.stream_key = new_id()

        stream = await self._change(stream_id, apply)
        if self.control is not None:
            await self.control.disconnect(old_key, "stream key reset")
        return stream

    async def terminate(self, stream_id: str) -> None:
        """End the current session now; the encoder may publish again right away (Livepeer's terminate)."""

        def apply(stream: LiveStream) -> None:
            stream.last_terminated_at = time.time()

        stream = await self._change(stream_id, apply)
        if self.control is not None:
            await self.control.disconnect(stream.stream_key, "session terminated")

    async def start_pull(self, stream_id: str) -> None:
        """Start ingesting from the stream's configured ``pull`` source."""
        stream = await self.get(stream_id)
        if stream.pull is None:
            raise InvalidParameters("the stream has no pull source configured")
        if stream.status == "disabled":
            raise InvalidParameters("the stream is suspended")
        if self.control is not None:
            await self.control.start_pull(stream)

    async def set_suspended(self, stream_id: str, suspended: bool) -> None:
        """Livepeer's ``suspended`` is Mux's disabled state: refuse ingest and drop the encoder."""
        if suspended:
            await self.disable(stream_id)
        else:
            await self.enable(stream_id)

    async def record_stats(self, stream_id: str, *, segment_seconds: float, segment_bytes: int) -> None:
        """Count a received source segment in the stream's health figures."""

        def apply(stream: LiveStream) -> None:
            stats = stream.stats
            stats.last_seen = time.time()
            stats.source_segments += 1
            stats.source_segments_duration += segment_seconds
            stats.source_bytes += segment_bytes
            stats.ingest_rate = segment_bytes / max(segment_seconds, 0.001)

        with contextlib.suppress(NotFound):
            await self._change(stream_id, apply)

    async def complete(self, stream_id: str) -> None:
        """Signal the end of the broadcast: the recording ends now (Mux's ``complete``)."""
        await self.get(stream_id)
        if self.control is not None:
            await self.control.complete(stream_id)

    async def set_simulcast_status(self, stream_id: str, target_id: str, status: str) -> None:
        """Record a simulcast target's state as the pusher reports it."""
        if status not in ("idle", "starting", "broadcasting", "errored"):
            raise ValueError(f"unknown simulcast status {status!r}")

        def apply(stream: LiveStream) -> None:
            target = stream.simulcast_target(target_id)
            if target is not None:
                target.status = status  # type: ignore[assignment]
                target.error_severity = "normal" if status == "errored" else None

        with contextlib.suppress(NotFound):
            stream = await self._change(stream_id, apply, event=f"simulcast_target.{status}")
            livepeer_event = _MULTISTREAM_EVENTS.get(status)
            if livepeer_event is not None and self.webhooks is not None:
                async with self.db.transaction() as session:
                    payload = {"target": {"id": target_id}, "status": status}
                    await self.webhooks.emit_livepeer(session, livepeer_event, stream, payload)

    async def set_embedded_subtitles(self, stream_id: str, settings: Sequence[SubtitleSetting]) -> LiveStream:
        """Store the embedded (CEA-608) caption settings."""

        def apply(stream: LiveStream) -> None:
            stream.embedded_subtitles = list(settings)

        return await self._change(stream_id, apply)

    async def set_generated_subtitles(
        self, stream_id: str, settings: Sequence[SubtitleSetting]
    ) -> LiveStream:
        """Store the generated caption settings (generation itself is not built yet)."""

        def apply(stream: LiveStream) -> None:
            stream.generated_subtitles = list(settings)

        return await self._change(stream_id, apply)

    async def set_static_renditions(self, stream_id: str, resolutions: Sequence[str]) -> LiveStream:
        """Set (or, with an empty list, clear) the static renditions of recorded assets."""

        def apply(stream: LiveStream) -> None:
            defaults = stream.new_asset_settings or AssetDefaults()
            stream.new_asset_settings = defaults.model_copy(update={"static_renditions": list(resolutions)})

        return await self._change(stream_id, apply)


async def emit(
    webhooks: WebhookService | None, session: AsyncSession, event: str, stream: LiveStream
) -> None:
    """Queue ``video.live_stream.<event>`` in the caller's transaction (when webhooks are configured)."""
    if webhooks is not None:
        target = "simulcast_target" if event.startswith("simulcast_target.") else "live_stream"
        await webhooks.emit_mux(session, f"video.live_stream.{event}", stream, target)


class PublishRefused(Exception):
    """A publish attempt that must be turned away; ``reason`` is ``unknown_key`` or ``disabled``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SessionStart:
    """What the live engine needs to run a session."""

    stream: LiveStream
    asset_id: str
    continued: bool


class LiveSessions:
    """Session state changes driven by the live engine: connect, disconnect, end (each one transaction)."""

    def __init__(self, db: Database, assets: AssetService, jobs: JobQueue) -> None:
        self.db = db
        self.assets = assets
        self.jobs = jobs
        self.webhooks: WebhookService | None = None

    async def begin(self, stream_key: str, protocol: str = "rtmp") -> SessionStart:
        """An encoder connected: continue the session in its reconnect window, or start a new one."""
        async with self.db.transaction() as session:
            repo = LiveStreamRepo(session)
            stream = await repo.by_stream_key(stream_key, for_update=True)
            if stream is None:
                raise PublishRefused("unknown_key", "no live stream has this stream key")
            if stream.status == "disabled":
                raise PublishRefused("disabled", "the live stream is disabled")
            if stream.connected:
                raise PublishRefused("disabled", "another encoder is already publishing to this stream key")
            now = time.time()
            in_window = (
                stream.active_asset_id is not None
                and stream.disconnected_at is not None
                and not stream.completed
                and now - stream.disconnected_at <= stream.reconnect_window
            )
            if in_window and stream.active_asset_id is not None:
                asset_id = stream.active_asset_id
            else:
                asset_id = (await self.assets.add_live_asset(session, stream)).id
                stream.active_asset_id = asset_id
                stream.session_started_at = now
                stream.completed = False
            stream.status = "active"
            stream.connected = True
            stream.disconnected_at = None
            stream.active_ingest_protocol = protocol  # type: ignore[assignment]
            await repo.save(stream)
            for event in ("connected", "recording", "active"):
                await emit(self.webhooks, session, event, stream)
            if self.webhooks is not None:
                await self.webhooks.emit_livepeer(session, "stream.started", stream, {"sessionId": asset_id})
                if not in_window:
                    await self.webhooks.emit_livepeer(
                        session, "recording.started", stream, {"sessionId": asset_id}
                    )
        return SessionStart(stream=stream, asset_id=asset_id, continued=in_window)

    async def disconnected(self, stream_id: str) -> LiveStream | None:
        """The encoder went away; the session waits ``reconnect_window`` seconds before it ends."""
        async with self.db.transaction() as session:
            repo = LiveStreamRepo(session)
            stream = await repo.get(stream_id, for_update=True)
            if stream is None:
                return None
            stream.connected = False
            stream.disconnected_at = time.time()
            await repo.save(stream)
            await emit(self.webhooks, session, "disconnected", stream)
        return stream

    async def mark_completed(self, stream_id: str) -> None:
        """The recording was ended by ``complete``: a reconnect starts a new asset."""
        async with self.db.transaction() as session:
            repo = LiveStreamRepo(session)
            stream = await repo.get(stream_id, for_update=True)
            if stream is not None:
                stream.completed = True
                await repo.save(stream)

    async def end(self, stream_id: str, asset_id: str) -> None:
        """The session is over: the stream goes idle and its recording becomes a VOD asset."""
        async with self.db.transaction() as session:
            repo = LiveStreamRepo(session)
            stream = await repo.get(stream_id, for_update=True)
            if stream is not None and stream.active_asset_id == asset_id:
                if stream.status == "active":
                    stream.status = "idle"
                stream.active_asset_id = None
                stream.connected = False
                stream.disconnected_at = None
                stream.session_started_at = None
                stream.active_ingest_protocol = None
                stream.recent_asset_ids = [*stream.recent_asset_ids, asset_id][-RECENT_ASSETS:]
                await repo.save(stream)
                await emit(self.webhooks, session, "idle", stream)
                if self.webhooks is not None:
                    await self.webhooks.emit_livepeer(session, "stream.idle", stream, {"sessionId": asset_id})
                    await self.webhooks.emit_livepeer(
                        session, "recording.waiting", stream, {"sessionId": asset_id}
                    )
            if asset_id:
                key = job_key(asset_id, "finalize_recording")
                await self.jobs.enqueue(session, FINALIZE_RECORDING_JOB, key, asset_id=asset_id)

    async def recover(self) -> list[tuple[str, str]]:
        """After a restart no encoder is connected: end every session that was live.

        Returns the (stream id, asset id) pairs whose recordings are being finalized.
        """
        ended: list[tuple[str, str]] = []
        async with self.db.read() as session:
            repo = LiveStreamRepo(session)
            ids = [*await repo.ids_with_status("active"), *await repo.ids_with_status("disabled")]
            streams = [s for s in [await repo.get(i) for i in ids] if s is not None]
        for stream in streams:
            if stream.active_asset_id is not None:
                await self.end(stream.id, stream.active_asset_id)
                ended.append((stream.id, stream.active_asset_id))
            elif stream.status == "active":
                await self.end(stream.id, "")
        return ended

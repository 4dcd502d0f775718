"""Asset services: each public method is one complete state change (rows + jobs, one transaction)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from vitascope.domain import playback_ids
from vitascope.domain.inputs import check_input_url, clip_source
from vitascope.domain.models import (
    Asset,
    AssetDefaults,
    AssetMeta,
    EncodingTier,
    IngestType,
    InputSettings,
    LiveStream,
    Master,
    MasterAccess,
    Mp4Support,
    PlaybackId,
    PlaybackPolicy,
    PlaybackTarget,
    Progress,
    ResolutionTier,
    StaticRenditions,
    Track,
    VideoQuality,
    is_primary_input,
)
from vitascope.errors import InvalidParameters, NotFound
from vitascope.ids import new_id
from vitascope.jobs import JobQueue
from vitascope.store.database import Database
from vitascope.store.repos import AssetRepo, PlaybackIdRepo

_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(%|px)?\s*$")
_OPACITY = re.compile(r"^\s*(100|\d{1,2})(\.\d+)?\s*%?\s*$")

if TYPE_CHECKING:
    from vitascope.domain.webhooks import WebhookService

PROCESS_JOB = "asset.process"
TRACK_JOB = "asset.track"
STATIC_RENDITIONS_JOB = "asset.static_renditions"
MASTER_JOB = "asset.master"
PURGE_JOB = "asset.purge"
LADDER_JOB = "asset.ladder"
FINALIZE_RECORDING_JOB = "asset.finalize_recording"

_QUALITY_FOR_TIER: dict[str, VideoQuality] = {"baseline": "basic", "smart": "plus", "premium": "premium"}
_TIER_FOR_QUALITY: dict[str, EncodingTier] = {v: k for k, v in _QUALITY_FOR_TIER.items()}  # type: ignore[misc]


class AssetCreate(BaseModel):
    """What a client asks for when it creates an asset (wire-neutral)."""

    inputs: list[InputSettings]
    playback_policies: list[PlaybackPolicy] = Field(default_factory=list)
    passthrough: str | None = None
    mp4_support: Mp4Support = "none"
    static_renditions: list[str] = Field(default_factory=list)
    normalize_audio: bool = False
    master_access: MasterAccess = "none"
    test: bool = False
    max_resolution_tier: ResolutionTier = "1080p"
    video_quality: VideoQuality | None = None
    encoding_tier: EncodingTier | None = None
    meta: AssetMeta | None = None
    ingest_type: IngestType = "on_demand_url"
    upload_id: str | None = None
    live_stream_id: str | None = None


class TrackCreate(BaseModel):
    """A text or audio track added to a ready asset."""

    url: str
    type: Literal["text", "audio"]
    text_type: Literal["subtitles"] | None = None
    language_code: str
    name: str | None = None
    closed_captions: bool = False
    passthrough: str | None = None


def job_key(asset_id: str, job: str) -> str:
    """The queue key of an asset's job; one of each may be pending at a time."""
    return f"asset:{asset_id}:{job}"


def _check_text(value: str | None, field: str, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise InvalidParameters(f"{field} must be at most {limit} characters")


def _check_meta(meta: AssetMeta | None) -> None:
    if meta is None:
        return
    _check_text(meta.title, "meta.title", 512)
    _check_text(meta.creator_id, "meta.creator_id", 128)
    _check_text(meta.external_id, "meta.external_id", 128)


def _check_overlay(item: InputSettings) -> None:
    settings = item.overlay_settings
    assert settings is not None
    for name in ("vertical_margin", "horizontal_margin", "width", "height"):
        value = getattr(settings, name)
        if value is not None and not _SIZE.match(value):
            raise InvalidParameters(f"overlay_settings.{name} must look like '10%' or '40px'")
    if settings.opacity is not None and not _OPACITY.match(settings.opacity):
        raise InvalidParameters("overlay_settings.opacity must be a percentage such as '80%'")


def _secondary_track(item: InputSettings) -> Track:
    name = item.name or item.language_code or item.type or "track"
    if item.type == "text":
        return Track(
            id=new_id(),
            type="text",
            status="preparing",
            text_type=item.text_type or "subtitles",
            text_source="uploaded",
            language_code=item.language_code,
            name=name,
            closed_captions=bool(item.closed_captions),
            passthrough=item.passthrough,
            source_url=item.url,
        )
    return Track(
        id=new_id(),
        type="audio",
        status="preparing",
        language_code=item.language_code,
        name=name,
        passthrough=item.passthrough,
        primary=False,
        source_url=item.url,
    )


class AssetService:
    """Creates, changes and deletes assets; media work is handed to jobs."""

    def __init__(self, db: Database, jobs: JobQueue, *, allow_private_inputs: bool) -> None:
        self.db = db
        self.jobs = jobs
        self.allow_private_inputs = allow_private_inputs
        self.webhooks: WebhookService | None = None

    async def _emit(self, session: AsyncSession, event: str, obj: Asset | Track) -> None:
        if self.webhooks is not None:
            object_type = "asset" if isinstance(obj, Asset) else "track"
            await self.webhooks.emit_mux(session, f"video.asset.{event}", obj, object_type)

    def _check_inputs(self, inputs: list[InputSettings]) -> None:
        if not inputs:
            raise InvalidParameters("input must contain at least one entry")
        primaries = [item for item in inputs if is_primary_input(item)]
        if len(primaries) != 1:
            raise InvalidParameters("input must contain exactly one video input (the first without a type)")
        if sum(1 for item in inputs if item.overlay_settings is not None) > 1:
            raise InvalidParameters("input may contain at most one overlay image")
        for item in inputs:
            if not item.url:
                raise InvalidParameters("every input needs a url")
            check_input_url(item.url, allow_private=self.allow_private_inputs)
            if item.type == "text" and item.text_type != "subtitles":
                raise InvalidParameters("text inputs need text_type 'subtitles'")
            if item.type in ("text", "audio") and not item.language_code:
                raise InvalidParameters(f"{item.type} inputs need a language_code")
            if item.type in ("text", "audio") and (item.start_time or item.end_time or item.overlay_settings):
                raise InvalidParameters(
                    "start_time, end_time and overlay_settings apply to the video input only"
                )
            if item.start_time is not None and item.start_time < 0:
                raise InvalidParameters("start_time must be zero or more")
            if item.end_time is not None and item.end_time <= (item.start_time or 0):
                raise InvalidParameters("end_time must be greater than start_time")
            _check_text(item.passthrough, "input.passthrough", 255)

    async def create(self, request: AssetCreate, *, asset_id: str | None = None) -> Asset:
        """Create an asset in ``preparing`` and queue its processing.

        ``asset_id`` is given when the source is already in the object store (a finished upload), in
        which case ``request.inputs`` is empty.
        """
        if asset_id is None:
            self._check_inputs(request.inputs)
        _check_text(request.passthrough, "passthrough", 255)
        _check_meta(request.meta)
        quality = request.video_quality or _QUALITY_FOR_TIER[request.encoding_tier or "smart"]
        primary = next((item for item in request.inputs if is_primary_input(item)), InputSettings())
        source_asset_id = clip_source(primary.url or "")
        asset = Asset(
            id=asset_id or new_id(),
            passthrough=request.passthrough,
            mp4_support=request.mp4_support,
            normalize_audio=request.normalize_audio,
            master_access=request.master_access,
            master=Master() if request.master_access == "temporary" else None,
            test=request.test,
            max_resolution_tier=request.max_resolution_tier,
            video_quality=quality,
            encoding_tier=_TIER_FOR_QUALITY[quality],
            meta=request.meta,
            ingest_type="on_demand_clip" if source_asset_id else request.ingest_type,
            source_asset_id=source_asset_id,
            upload_id=request.upload_id,
            live_stream_id=request.live_stream_id,
            inputs=request.inputs or [primary],
            tracks=[_secondary_track(item) for item in request.inputs if item.type in ("text", "audio")],
            static_rendition_requests=request.static_renditions,
            static_renditions=(
                StaticRenditions() if request.mp4_support != "none" or request.static_renditions else None
            ),
        )
        async with self.db.transaction() as session:
            if source_asset_id is not None:
                source = await AssetRepo(session).get(source_asset_id)
                if source is None:
                    raise InvalidParameters(f"input asset {source_asset_id} does not exist")
            for policy in request.playback_policies:
                await playback_ids.attach(session, asset, policy)
            await AssetRepo(session).add(asset)
            await self.jobs.enqueue(session, PROCESS_JOB, job_key(asset.id, "process"), asset_id=asset.id)
            await self._emit(session, "created", asset)
            for track in asset.tracks:
                await self._emit(session, "track.created", track)
        return asset

    async def add_live_asset(self, session: AsyncSession, stream: LiveStream) -> Asset:
        """The asset a live session records into, created inside the caller's transaction."""
        defaults = stream.new_asset_settings or AssetDefaults()
        quality = defaults.video_quality or "plus"
        asset = Asset(
            id=new_id(),
            passthrough=defaults.passthrough,
            mp4_support=defaults.mp4_support,
            static_rendition_requests=defaults.static_renditions,
            static_renditions=(
                StaticRenditions() if defaults.mp4_support != "none" or defaults.static_renditions else None
            ),
            master_access=defaults.master_access,
            master=Master() if defaults.master_access == "temporary" else None,
            normalize_audio=defaults.normalize_audio,
            video_quality=quality,
            encoding_tier=_TIER_FOR_QUALITY[quality],
            max_resolution_tier=defaults.max_resolution_tier,
            meta=defaults.meta,
            ingest_type="live_rtmp",
            live_stream_id=stream.id,
            is_live=True,
            test=stream.test,
            progress=Progress(state="live", progress=0.0),
        )
        for policy in defaults.playback_policies:
            await playback_ids.attach(session, asset, policy)
        await AssetRepo(session).add(asset)
        await self._emit(session, "created", asset)
        return asset

    async def get(self, asset_id: str) -> Asset:
        """The asset, or ``NotFound``."""
        async with self.db.read() as session:
            asset = await AssetRepo(session).get(asset_id)
        if asset is None:
            raise NotFound("The requested asset does not exist")
        return asset

    async def list(
        self,
        *,
        limit: int = 25,
        page: int = 1,
        cursor: str | None = None,
        live_stream_id: str | None = None,
        upload_id: str | None = None,
        source_asset_ids: Sequence[str] | None = None,
    ) -> list[Asset]:
        """Assets newest first, by page or by cursor."""
        async with self.db.read() as session:
            try:
                return await AssetRepo(session).list(
                    limit=limit,
                    page=page,
                    cursor=cursor,
                    live_stream_id=live_stream_id,
                    upload_id=upload_id,
                    source_asset_ids=source_asset_ids,
                )
            except ValueError as exc:
                raise InvalidParameters(str(exc)) from exc

    async def change(
        self, asset_id: str, change: Callable[[Asset], None], *, event: str | None = None
    ) -> Asset:
        """Apply ``change`` to the stored asset under a row lock and save it (emitting ``event``)."""
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                raise NotFound("The requested asset does not exist")
            change(asset)
            await repo.save(asset)
            if event is not None:
                await self._emit(session, event, asset)
        return asset

    async def change_track(self, asset_id: str, track_id: str, change: Callable[[Track], None]) -> None:
        """Change one track and emit ``video.asset.track.<status>`` when its status changed."""
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            track = asset.track(track_id) if asset is not None else None
            if asset is None or track is None:
                return
            before = track.status
            change(track)
            await repo.save(asset)
            if track.status != before:
                await self._emit(session, f"track.{track.status}", track)

    async def mark_errored(self, asset_id: str, change: Callable[[Asset], None]) -> None:
        """The asset failed: apply the error and emit ``video.asset.errored``."""
        with contextlib.suppress(NotFound):
            await self.change(asset_id, change, event="errored")

    async def mark_ready(
        self, asset_id: str, change: Callable[[Asset], None], *, ladder_pending: bool = False
    ) -> None:
        """Apply the pipeline's results, and queue the static renditions and master it asks for.

        With ``ladder_pending`` (a just-in-time asset) the background ladder job is queued instead; it
        queues the static renditions and master once every segment exists.
        """
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                return
            change(asset)
            asset.status = "ready"
            await repo.save(asset)
            await self._emit(session, "ready", asset)
            if asset.live_stream_id is not None and self.webhooks is not None:
                await self.webhooks.emit_livepeer(session, "recording.ready", None, {"sessionId": asset.id})
            if ladder_pending:
                await self.jobs.enqueue(session, LADDER_JOB, job_key(asset_id, "ladder"), asset_id=asset_id)
            else:
                await self.queue_followups(session, asset)

    async def queue_followups(self, session: AsyncSession, asset: Asset) -> None:
        """Queue what a ready asset still owes: static renditions and the master."""
        if asset.static_renditions is not None:
            key = job_key(asset.id, "static_renditions")
            await self.jobs.enqueue(session, STATIC_RENDITIONS_JOB, key, asset_id=asset.id)
        if asset.master is not None:
            await self.jobs.enqueue(session, MASTER_JOB, job_key(asset.id, "master"), asset_id=asset.id)

    async def ladder_done(self, asset_id: str) -> None:
        """The background ladder of a just-in-time asset finished: queue its follow-ups."""
        async with self.db.transaction() as session:
            asset = await AssetRepo(session).get(asset_id)
            if asset is not None:
                await self.queue_followups(session, asset)

    async def update(self, asset_id: str, *, passthrough: str | None, meta: AssetMeta | None) -> Asset:
        """Change the client's own fields (``passthrough``, ``meta``)."""
        _check_text(passthrough, "passthrough", 255)
        _check_meta(meta)

        def apply(asset: Asset) -> None:
            if passthrough is not None:
                asset.passthrough = passthrough
            if meta is not None:
                merged = (asset.meta or AssetMeta()).model_dump()
                merged.update(meta.model_dump(exclude_unset=True))
                asset.meta = AssetMeta(**merged)

        return await self.change(asset_id, apply, event="updated")

    async def delete(self, asset_id: str) -> None:
        """Delete an asset: it stops playing at once; its media is removed in the background."""
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                raise NotFound("The requested asset does not exist")
            await repo.delete(asset_id)
            await self._emit(session, "deleted", asset)
            await PlaybackIdRepo(session).delete_owned_by(asset_id)
            await self.jobs.enqueue(session, PURGE_JOB, job_key(asset_id, "purge"), asset_id=asset_id)
        for job in ("process", "track", "static_renditions", "master"):
            self.jobs.cancel(job_key(asset_id, job))

    async def create_playback_id(self, asset_id: str, policy: PlaybackPolicy) -> PlaybackId:
        """Add a playback ID to an asset."""
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                raise NotFound("The requested asset does not exist")
            playback_id = await playback_ids.attach(session, asset, policy)
            await repo.save(asset)
        return playback_id

    async def get_playback_id(self, asset_id: str, playback_id: str) -> PlaybackId:
        """One of the asset's playback IDs."""
        return playback_ids.find(await self.get(asset_id), playback_id)

    async def delete_playback_id(self, asset_id: str, playback_id: str) -> None:
        """Remove a playback ID; it stops playing at once."""
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                raise NotFound("The requested asset does not exist")
            await playback_ids.detach(session, asset, playback_id)
            await repo.save(asset)

    async def update_mp4_support(self, asset_id: str, mp4_support: Mp4Support) -> Asset:
        """Turn static MP4 renditions on or off; producing them is a job of its own."""
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                raise NotFound("The requested asset does not exist")
            asset.mp4_support = mp4_support
            asset.static_renditions = None if mp4_support == "none" else StaticRenditions()
            await repo.save(asset)
            if mp4_support != "none" and asset.status == "ready":
                await self.jobs.enqueue(
                    session,
                    STATIC_RENDITIONS_JOB,
                    job_key(asset_id, "static_renditions"),
                    asset_id=asset_id,
                )
        return asset

    async def update_master_access(self, asset_id: str, master_access: MasterAccess) -> Asset:
        """Make the master (highest-quality copy) downloadable for 24 hours, or stop that."""
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                raise NotFound("The requested asset does not exist")
            asset.master_access = master_access
            asset.master = Master() if master_access == "temporary" else None
            await repo.save(asset)
            if master_access == "temporary" and asset.status == "ready":
                await self.jobs.enqueue(session, MASTER_JOB, job_key(asset_id, "master"), asset_id=asset_id)
        return asset

    async def create_track(self, asset_id: str, request: TrackCreate) -> Track:
        """Add a subtitle or audio track to a ready asset."""
        check_input_url(request.url, allow_private=self.allow_private_inputs)
        _check_text(request.passthrough, "passthrough", 255)
        if request.type == "text" and request.text_type != "subtitles":
            raise InvalidParameters("text tracks need text_type 'subtitles'")
        item = InputSettings(
            url=request.url,
            type=request.type,
            text_type=request.text_type,
            language_code=request.language_code,
            name=request.name,
            closed_captions=request.closed_captions,
            passthrough=request.passthrough,
        )
        track = _secondary_track(item)
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                raise NotFound("The requested asset does not exist")
            if asset.status != "ready":
                raise InvalidParameters("tracks can only be added to an asset that is ready")
            asset.tracks.append(track)
            await repo.save(asset)
            await self.jobs.enqueue(session, TRACK_JOB, job_key(asset_id, "track"), asset_id=asset_id)
            await self._emit(session, "track.created", track)
        return track

    async def delete_track(self, asset_id: str, track_id: str) -> None:
        """Remove a text or audio track (the primary video and audio tracks stay)."""

        def apply(asset: Asset) -> None:
            track = asset.track(track_id)
            if track is None:
                raise NotFound("The requested track does not exist")
            if track.type == "video" or track.primary:
                raise InvalidParameters("only text and alternate audio tracks can be deleted")
            asset.tracks = [t for t in asset.tracks if t.id != track_id]
            deleted.append(track.model_copy(update={"status": "deleted"}))

        deleted: list[Track] = []
        async with self.db.transaction() as session:
            repo = AssetRepo(session)
            asset = await repo.get(asset_id, for_update=True)
            if asset is None:
                raise NotFound("The requested asset does not exist")
            apply(asset)
            await repo.save(asset)
            await self._emit(session, "track.deleted", deleted[0])

    async def playback_target(self, playback_id: str) -> PlaybackTarget:
        """What a playback ID plays, or ``NotFound``."""
        async with self.db.read() as session:
            target = await PlaybackIdRepo(session).get(playback_id)
        if target is None:
            raise NotFound("The requested playback ID does not exist")
        return target

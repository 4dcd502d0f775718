"""Domain entities. Field names follow Mux's vocabulary, which is the richer of the two wire formats."""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PlaybackPolicy = Literal["public", "signed", "drm"]
AssetStatus = Literal["preparing", "ready", "errored"]
TrackStatus = Literal["preparing", "ready", "errored", "deleted"]
IngestType = Literal["on_demand_url", "on_demand_direct_upload", "on_demand_clip", "live_rtmp", "live_srt"]
Mp4Support = Literal["none", "standard", "capped-1080p", "audio-only", "audio-only,capped-1080p"]
MasterAccess = Literal["none", "temporary"]
ResolutionTier = Literal["1080p", "1440p", "2160p"]
VideoQuality = Literal["basic", "plus", "premium"]
EncodingTier = Literal["smart", "baseline", "premium"]


def now() -> int:
    """Seconds since the epoch, the resolution Mux reports."""
    return int(time.time())


class Entity(BaseModel):
    """Base for stored documents: unknown keys from older versions are kept, not lost."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False)


class PlaybackId(Entity):
    id: str
    policy: PlaybackPolicy = "public"


class OverlaySettings(Entity):
    vertical_align: Literal["top", "middle", "bottom"] = "top"
    vertical_margin: str | None = None
    horizontal_align: Literal["left", "center", "right"] = "left"
    horizontal_margin: str | None = None
    width: str | None = None
    height: str | None = None
    opacity: str | None = None


class InputSettings(Entity):
    """One entry of an asset's ``input`` list, as the client gave it."""

    url: str | None = None
    overlay_settings: OverlaySettings | None = None
    start_time: float | None = None
    end_time: float | None = None
    type: Literal["video", "audio", "text"] | None = None
    text_type: Literal["subtitles"] | None = None
    language_code: str | None = None
    name: str | None = None
    closed_captions: bool | None = None
    passthrough: str | None = None


def is_primary_input(item: InputSettings) -> bool:
    """True for the input that carries the asset's video (not a track, not a watermark)."""
    return item.type in (None, "video") and item.overlay_settings is None


class Track(Entity):
    id: str
    type: Literal["video", "audio", "text"]
    status: TrackStatus = "ready"
    duration: float | None = None
    max_width: int | None = None
    max_height: int | None = None
    max_frame_rate: float | None = None
    max_channels: int | None = None
    max_channel_layout: str | None = None
    text_type: Literal["subtitles"] | None = None
    text_source: str | None = None
    language_code: str | None = None
    name: str | None = None
    closed_captions: bool | None = None
    passthrough: str | None = None
    primary: bool | None = None
    # Internal: where the track's media lives and the input it came from.
    source_url: str | None = None
    error: str | None = None


class StaticRenditionFile(Entity):
    name: str
    ext: Literal["mp4", "m4a"]
    status: Literal["ready", "preparing", "skipped", "errored"] = "preparing"
    width: int | None = None
    height: int | None = None
    bitrate: int | None = None
    filesize: str | None = None


class StaticRenditions(Entity):
    status: Literal["ready", "preparing", "disabled", "errored"] = "preparing"
    files: list[StaticRenditionFile] = Field(default_factory=list)


class Master(Entity):
    status: Literal["ready", "preparing", "errored"] = "preparing"


class AssetErrors(Entity):
    type: str
    messages: list[str]


class AssetMeta(Entity):
    title: str | None = None
    creator_id: str | None = None
    external_id: str | None = None


class Progress(Entity):
    state: Literal["ingesting", "transcoding", "completed", "live", "errored"] = "ingesting"
    progress: float = 0.0


class VideoRendition(Entity):
    """An HLS variant that was produced (internal)."""

    name: str
    width: int
    height: int
    bandwidth: int
    average_bandwidth: int
    codecs: str
    frame_rate: float | None = None


class RecordingTime(Entity):
    started_at: str
    duration: float
    type: Literal["content", "slate"] = "content"


class InputTrackInfo(Entity):
    type: Literal["video", "audio"]
    duration: float | None = None
    encoding: str | None = None
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    sample_rate: int | None = None
    channels: int | None = None


class InputFileInfo(Entity):
    container_format: str
    tracks: list[InputTrackInfo] = Field(default_factory=list)


class Asset(Entity):
    """A video on demand, from any source (URL, upload, clip, live recording)."""

    id: str
    created_at: int = Field(default_factory=now)
    status: AssetStatus = "preparing"
    duration: float | None = None
    max_stored_resolution: str | None = None
    resolution_tier: str | None = None
    max_resolution_tier: ResolutionTier = "1080p"
    encoding_tier: EncodingTier = "smart"
    video_quality: VideoQuality = "plus"
    max_stored_frame_rate: float | None = None
    aspect_ratio: str | None = None
    playback_ids: list[PlaybackId] = Field(default_factory=list)
    tracks: list[Track] = Field(default_factory=list)
    errors: AssetErrors | None = None
    upload_id: str | None = None
    is_live: bool = False
    passthrough: str | None = None
    live_stream_id: str | None = None
    master_access: MasterAccess = "none"
    master: Master | None = None
    mp4_support: Mp4Support = "none"
    source_asset_id: str | None = None
    normalize_audio: bool = False
    static_renditions: StaticRenditions | None = None
    test: bool = False
    ingest_type: IngestType = "on_demand_url"
    meta: AssetMeta | None = None
    progress: Progress = Field(default_factory=Progress)
    recording_times: list[RecordingTime] = Field(default_factory=list)
    # Internal state, never rendered.
    inputs: list[InputSettings] = Field(default_factory=list)
    input_info: list[InputFileInfo] = Field(default_factory=list)
    renditions: list[VideoRendition] = Field(default_factory=list)
    static_rendition_requests: list[str] = Field(default_factory=list)
    # Just-in-time assets: segment boundaries fixed at planning; segments may be produced on request.
    segment_plan: list[float] | None = None
    audio_codecs: str | None = None

    def to_doc(self) -> dict[str, Any]:
        """The JSON document stored in the database."""
        return self.model_dump(mode="json", exclude_none=False, round_trip=True)

    @property
    def primary_input(self) -> InputSettings | None:
        """The input that carries the video (the first one without a track type or overlay)."""
        return next((i for i in self.inputs if is_primary_input(i)), None)

    @property
    def overlay_input(self) -> InputSettings | None:
        """The watermark image input (Mux: an input entry with ``overlay_settings``)."""
        return next((i for i in self.inputs if i.overlay_settings is not None), None)

    def track(self, track_id: str) -> Track | None:
        """The track with this id, if the asset has it."""
        return next((t for t in self.tracks if t.id == track_id), None)


class AccessToken(Entity):
    id: str
    name: str = ""
    created_at: int = Field(default_factory=now)


class PlaybackTarget(Entity):
    """What a playback ID plays."""

    id: str
    policy: PlaybackPolicy
    owner_type: Literal["asset", "live_stream"]
    owner_id: str


LiveStreamStatus = Literal["idle", "active", "disabled"]
LatencyMode = Literal["low", "reduced", "standard"]
SimulcastStatus = Literal["idle", "starting", "broadcasting", "errored"]


class AssetDefaults(Entity):
    """Settings applied to every asset a live stream records (Mux's ``new_asset_settings``)."""

    playback_policies: list[PlaybackPolicy] = Field(default_factory=list)
    passthrough: str | None = None
    mp4_support: Mp4Support = "none"
    static_renditions: list[str] = Field(default_factory=list)
    master_access: MasterAccess = "none"
    normalize_audio: bool = False
    video_quality: VideoQuality | None = None
    max_resolution_tier: ResolutionTier = "1080p"
    meta: AssetMeta | None = None


class SimulcastTarget(Entity):
    id: str
    url: str
    stream_key: str | None = None
    passthrough: str | None = None
    name: str | None = None
    profile: str = "source"
    video_only: bool = False
    status: SimulcastStatus = "idle"
    error_severity: Literal["normal", "fatal"] | None = None


class SubtitleSetting(Entity):
    name: str | None = None
    passthrough: str | None = None
    language_code: str | None = None
    language_channel: str | None = None
    transcription_vocabulary_ids: list[str] | None = None


class LiveStreamMeta(Entity):
    title: str | None = None


class TranscodeProfile(Entity):
    """One rung of a stream's live ladder (Livepeer's ``profiles``)."""

    name: str
    width: int
    height: int
    bitrate: int
    fps: int = 0
    fps_den: int | None = None
    gop: str | None = None
    profile: str | None = None
    quality: int | None = None
    encoder: str | None = None


class PullSource(Entity):
    """Where a stream pulls its ingest from instead of waiting for a publisher."""

    source: str
    headers: dict[str, str] | None = None


class AccessWebhook(Entity):
    """A ``webhook`` playback policy: who decides whether an access key may watch."""

    webhook_id: str
    context: dict[str, Any] | None = None
    refresh_interval: float = 600.0


class SessionStats(Entity):
    """What the current (or last) session has received, for stream health views."""

    last_seen: float | None = None
    source_segments: int = 0
    source_segments_duration: float = 0.0
    source_bytes: int = 0
    ingest_rate: float = 0.0


class LiveStream(Entity):
    """A live stream: an ingest key, its playback IDs, and a recorded asset per session."""

    id: str
    created_at: int = Field(default_factory=now)
    stream_key: str
    status: LiveStreamStatus = "idle"
    active_asset_id: str | None = None
    recent_asset_ids: list[str] = Field(default_factory=list)
    playback_ids: list[PlaybackId] = Field(default_factory=list)
    new_asset_settings: AssetDefaults | None = None
    passthrough: str | None = None
    audio_only: bool = False
    embedded_subtitles: list[SubtitleSetting] = Field(default_factory=list)
    generated_subtitles: list[SubtitleSetting] = Field(default_factory=list)
    reconnect_window: float = 60.0
    use_slate_for_standard_latency: bool = False
    reconnect_slate_url: str | None = None
    latency_mode: LatencyMode = "standard"
    simulcast_targets: list[SimulcastTarget] = Field(default_factory=list)
    test: bool = False
    max_continuous_duration: int = 43200
    meta: LiveStreamMeta | None = None
    active_ingest_protocol: Literal["rtmp", "srt"] | None = None
    name: str | None = None
    record: bool = True
    profiles: list[TranscodeProfile] | None = None
    user_tags: dict[str, Any] | None = None
    pull: PullSource | None = None
    stats: SessionStats = Field(default_factory=SessionStats)
    last_terminated_at: float | None = None
    access_webhook: AccessWebhook | None = None
    # Internal session state.
    connected: bool = False
    session_started_at: float | None = None
    disconnected_at: float | None = None
    completed: bool = False

    def simulcast_target(self, target_id: str) -> SimulcastTarget | None:
        """The simulcast target with this id, if any."""
        return next((t for t in self.simulcast_targets if t.id == target_id), None)

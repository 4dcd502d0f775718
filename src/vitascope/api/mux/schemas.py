"""Mux Video v1 wire format: request models (validated as Mux does) and response rendering."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from vitascope.domain.models import (
    Asset,
    AssetDefaults,
    AssetMeta,
    EncodingTier,
    Entity,
    InputSettings,
    LiveStream,
    MasterAccess,
    Mp4Support,
    PlaybackId,
    ResolutionTier,
    SimulcastTarget,
    Track,
    VideoQuality,
)
from vitascope.domain.uploads import Upload

Policy = Literal["public", "signed"]


def _listify(value: Any) -> Any:
    # Mux accepts a single value where a list is documented ("input": "https://...").
    if value is None or isinstance(value, list):
        return value
    return [value]


def _input_entry(value: Any) -> Any:
    return {"url": value} if isinstance(value, str) else value


class Request(BaseModel):
    """Base of request bodies: unknown fields are ignored as Mux does, types are checked."""

    model_config = ConfigDict(extra="ignore")


class MuxInput(Request, InputSettings):
    generated_subtitles: list[dict[str, Any]] | None = None


MuxInputList = Annotated[
    list[Annotated[MuxInput, BeforeValidator(_input_entry)]] | None, BeforeValidator(_listify)
]
PolicyList = Annotated[list[Policy] | None, BeforeValidator(_listify)]


class AdvancedPolicy(Request):
    policy: Policy
    drm_configuration_id: str | None = None


class StaticRenditionRequest(Request):
    resolution: Literal[
        "highest", "audio-only", "2160p", "1440p", "1080p", "720p", "540p", "480p", "360p", "270p"
    ]
    passthrough: str | None = None


class CreateAssetRequest(Request):
    input: MuxInputList = None
    inputs: MuxInputList = None
    playback_policy: PolicyList = None
    playback_policies: PolicyList = None
    advanced_playback_policies: list[AdvancedPolicy] | None = None
    per_title_encode: bool | None = None
    passthrough: str | None = None
    mp4_support: Mp4Support | None = None
    normalize_audio: bool = False
    master_access: MasterAccess = "none"
    test: bool = False
    max_resolution_tier: ResolutionTier = "1080p"
    encoding_tier: EncodingTier | None = None
    video_quality: VideoQuality | None = None
    static_renditions: list[StaticRenditionRequest] | None = None
    meta: AssetMeta | None = None
    copy_overlays: bool = True

    def policies(self) -> list[Policy]:
        """Every playback policy asked for, under any of Mux's three spellings."""
        found: list[Policy] = [*(self.playback_policy or []), *(self.playback_policies or [])]
        found += [p.policy for p in self.advanced_playback_policies or []]
        return found


class UpdateAssetRequest(Request):
    passthrough: str | None = None
    meta: AssetMeta | None = None


class CreatePlaybackIdRequest(Request):
    policy: Policy = "public"
    drm_configuration_id: str | None = None


class CreateTrackRequest(Request):
    url: str
    type: Literal["text", "audio"]
    text_type: Literal["subtitles"] | None = None
    language_code: str
    name: str | None = None
    closed_captions: bool = False
    passthrough: str | None = None


class Mp4SupportRequest(Request):
    mp4_support: Literal["none", "standard", "capped-1080p", "audio-only", "audio-only,capped-1080p"]


class MasterAccessRequest(Request):
    master_access: MasterAccess


class ListQuery(BaseModel):
    limit: int = Field(25, ge=1, le=100)
    page: int = Field(1, ge=1)


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def playback_id_json(playback_id: PlaybackId) -> dict[str, Any]:
    """A playback ID as Mux renders it."""
    return {"id": playback_id.id, "policy": playback_id.policy}


def track_json(track: Track) -> dict[str, Any]:
    """A track without our internal bookkeeping fields."""
    return _drop_none(track.model_dump(mode="json", exclude={"source_url", "error"}))


def asset_json(asset: Asset, *, master_url: str | None = None) -> dict[str, Any]:
    """An asset exactly as Mux's API returns it."""
    data: dict[str, Any] = {
        "id": asset.id,
        "created_at": str(asset.created_at),
        "status": asset.status,
        "duration": asset.duration,
        "max_stored_resolution": asset.max_stored_resolution,
        "resolution_tier": asset.resolution_tier,
        "max_resolution_tier": asset.max_resolution_tier,
        "encoding_tier": asset.encoding_tier,
        "video_quality": asset.video_quality,
        "max_stored_frame_rate": asset.max_stored_frame_rate,
        "aspect_ratio": asset.aspect_ratio,
        "playback_ids": [playback_id_json(p) for p in asset.playback_ids] or None,
        "tracks": [track_json(t) for t in asset.tracks] or None,
        "errors": asset.errors.model_dump() if asset.errors else None,
        "upload_id": asset.upload_id,
        "is_live": asset.is_live if asset.live_stream_id else None,
        "passthrough": asset.passthrough,
        "live_stream_id": asset.live_stream_id,
        "master_access": asset.master_access,
        "mp4_support": asset.mp4_support,
        "source_asset_id": asset.source_asset_id,
        "normalize_audio": asset.normalize_audio,
        "test": asset.test or None,
        "ingest_type": asset.ingest_type,
        "meta": _drop_none(asset.meta.model_dump()) if asset.meta else None,
        "progress": asset.progress.model_dump(),
        "recording_times": [t.model_dump() for t in asset.recording_times] or None,
    }
    if asset.master is not None:
        data["master"] = _drop_none({"status": asset.master.status, "url": master_url})
    if asset.static_renditions is not None:
        data["static_renditions"] = {
            "status": asset.static_renditions.status,
            "files": [_drop_none(f.model_dump(mode="json")) for f in asset.static_renditions.files],
        }
    return _drop_none(data)


def to_input_settings(item: MuxInput) -> InputSettings:
    """The domain's view of one input entry."""
    return InputSettings.model_validate(item.model_dump(exclude={"generated_subtitles"}))


# -- live streams -------------------------------------------------------------------------------


class NewAssetSettings(Request):
    """``new_asset_settings``: a create-asset request without inputs."""

    playback_policy: PolicyList = None
    playback_policies: PolicyList = None
    advanced_playback_policies: list[AdvancedPolicy] | None = None
    passthrough: str | None = None
    mp4_support: Mp4Support | None = None
    normalize_audio: bool = False
    master_access: MasterAccess = "none"
    max_resolution_tier: ResolutionTier = "1080p"
    encoding_tier: EncodingTier | None = None
    video_quality: VideoQuality | None = None
    static_renditions: list[StaticRenditionRequest] | None = None
    meta: AssetMeta | None = None
    input: Any = None
    inputs: Any = None
    test: bool | None = None
    per_title_encode: bool | None = None
    copy_overlays: bool | None = None

    def to_defaults(self) -> AssetDefaults:
        """The domain's asset defaults."""
        policies = [*(self.playback_policy or []), *(self.playback_policies or [])]
        policies += [p.policy for p in self.advanced_playback_policies or []]
        quality = self.video_quality
        if quality is None and self.encoding_tier is not None:
            quality = {"baseline": "basic", "smart": "plus", "premium": "premium"}[self.encoding_tier]  # type: ignore[assignment]
        return AssetDefaults(
            playback_policies=list(policies),
            passthrough=self.passthrough,
            mp4_support=self.mp4_support or "none",
            static_renditions=[r.resolution for r in self.static_renditions or []],
            master_access=self.master_access,
            normalize_audio=self.normalize_audio,
            video_quality=quality,
            max_resolution_tier=self.max_resolution_tier,
            meta=self.meta,
        )


class SimulcastTargetRequest(Request):
    url: str
    stream_key: str | None = None
    passthrough: str | None = None


class SubtitleSettingRequest(Request):
    name: str | None = None
    passthrough: str | None = None
    language_code: str | None = "en"
    language_channel: Literal["cc1", "cc2", "cc3", "cc4"] | None = None
    transcription_vocabulary_ids: list[str] | None = None


class LiveStreamMetaRequest(Request):
    title: str | None = Field(default=None, max_length=512)


class CreateLiveStreamRequest(Request):
    playback_policy: PolicyList = None
    playback_policies: PolicyList = None
    advanced_playback_policies: list[AdvancedPolicy] | None = None
    new_asset_settings: NewAssetSettings | None = None
    reconnect_window: float | None = None
    use_slate_for_standard_latency: bool = False
    reconnect_slate_url: str | None = None
    passthrough: str | None = None
    audio_only: bool = False
    embedded_subtitles: list[SubtitleSettingRequest] | None = None
    generated_subtitles: list[SubtitleSettingRequest] | None = None
    reduced_latency: bool | None = None
    low_latency: bool | None = None
    latency_mode: Literal["low", "reduced", "standard"] | None = None
    test: bool = False
    simulcast_targets: list[SimulcastTargetRequest] | None = None
    max_continuous_duration: int = 43200
    meta: LiveStreamMetaRequest | None = None

    def policies(self) -> list[Policy]:
        """Every playback policy asked for, under any of Mux's three spellings."""
        found: list[Policy] = [*(self.playback_policy or []), *(self.playback_policies or [])]
        found += [p.policy for p in self.advanced_playback_policies or []]
        return found

    def resolved_latency_mode(self) -> Literal["low", "reduced", "standard"]:
        """``latency_mode``, or what the deprecated booleans imply."""
        if self.latency_mode is not None:
            return self.latency_mode
        if self.low_latency:
            return "low"
        if self.reduced_latency:
            return "reduced"
        return "standard"


class UpdateNewAssetSettings(Request):
    mp4_support: Mp4Support | None = None
    master_access: MasterAccess | None = None
    video_quality: VideoQuality | None = None
    meta: AssetMeta | None = None


class UpdateLiveStreamRequest(Request):
    passthrough: str | None = None
    latency_mode: Literal["low", "reduced", "standard"] | None = None
    reconnect_window: float | None = None
    use_slate_for_standard_latency: bool | None = None
    reconnect_slate_url: str | None = None
    max_continuous_duration: int | None = None
    new_asset_settings: UpdateNewAssetSettings | None = None
    meta: LiveStreamMetaRequest | None = None


class EmbeddedSubtitlesRequest(Request):
    embedded_subtitles: list[SubtitleSettingRequest] = Field(default_factory=list)


class GeneratedSubtitlesRequest(Request):
    generated_subtitles: list[SubtitleSettingRequest] = Field(default_factory=list)


class StaticRenditionsRequest(Request):
    static_renditions: list[StaticRenditionRequest] = Field(default_factory=list)


def asset_defaults_json(defaults: AssetDefaults) -> dict[str, Any]:
    """``new_asset_settings`` as Mux echoes it (a create-asset request)."""
    data: dict[str, Any] = {
        "playback_policies": list(defaults.playback_policies) or None,
        "passthrough": defaults.passthrough,
        "mp4_support": defaults.mp4_support if defaults.mp4_support != "none" else None,
        "master_access": defaults.master_access if defaults.master_access != "none" else None,
        "video_quality": defaults.video_quality,
        "normalize_audio": defaults.normalize_audio or None,
        "max_resolution_tier": defaults.max_resolution_tier,
        "static_renditions": [{"resolution": r} for r in defaults.static_renditions] or None,
        "meta": _drop_none(defaults.meta.model_dump()) if defaults.meta else None,
    }
    return _drop_none(data)


def simulcast_target_json(target: SimulcastTarget) -> dict[str, Any]:
    """A simulcast target as Mux renders it."""
    return _drop_none(target.model_dump(mode="json"))


def live_stream_json(stream: LiveStream) -> dict[str, Any]:
    """A live stream exactly as Mux's API returns it."""
    data: dict[str, Any] = {
        "id": stream.id,
        "created_at": str(stream.created_at),
        "stream_key": stream.stream_key,
        "status": stream.status,
        "active_asset_id": stream.active_asset_id,
        "recent_asset_ids": stream.recent_asset_ids or None,
        "playback_ids": [playback_id_json(p) for p in stream.playback_ids] or None,
        "new_asset_settings": (
            asset_defaults_json(stream.new_asset_settings) if stream.new_asset_settings else None
        ),
        "passthrough": stream.passthrough,
        "audio_only": stream.audio_only or None,
        "embedded_subtitles": [_drop_none(s.model_dump()) for s in stream.embedded_subtitles] or None,
        "generated_subtitles": [_drop_none(s.model_dump()) for s in stream.generated_subtitles] or None,
        "reconnect_window": stream.reconnect_window,
        "use_slate_for_standard_latency": stream.use_slate_for_standard_latency,
        "reconnect_slate_url": stream.reconnect_slate_url,
        "reduced_latency": stream.latency_mode == "reduced" or None,
        "low_latency": stream.latency_mode == "low" or None,
        "latency_mode": stream.latency_mode,
        "simulcast_targets": [simulcast_target_json(t) for t in stream.simulcast_targets] or None,
        "test": stream.test or None,
        "max_continuous_duration": stream.max_continuous_duration,
        "active_ingest_protocol": stream.active_ingest_protocol if stream.connected else None,
        "meta": _drop_none(stream.meta.model_dump()) if stream.meta else None,
    }
    return _drop_none(data)


def render_entity(obj: Entity) -> dict[str, Any]:
    """Any domain object a Mux webhook can carry, in Mux's format."""
    if isinstance(obj, Asset):
        return asset_json(obj)
    if isinstance(obj, LiveStream):
        return live_stream_json(obj)
    if isinstance(obj, Track):
        return track_json(obj)
    if isinstance(obj, SimulcastTarget):
        return simulcast_target_json(obj)
    if isinstance(obj, Upload):
        return _drop_none(obj.model_dump(mode="json", exclude={"livepeer_name"}))
    return obj.model_dump(mode="json", exclude_none=True)

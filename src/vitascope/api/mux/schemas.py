"""Mux Video v1 wire format: request models (validated as Mux does) and response rendering."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from vitascope.domain.models import (
    Asset,
    AssetMeta,
    EncodingTier,
    InputSettings,
    MasterAccess,
    Mp4Support,
    PlaybackId,
    ResolutionTier,
    Track,
    VideoQuality,
)

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

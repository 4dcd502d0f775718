"""Livepeer Studio wire format (camelCase, bare objects): request models and stream rendering."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from vitascope.domain.models import Entity, LiveStream, PullSource, SimulcastTarget, TranscodeProfile


class Request(BaseModel):
    """camelCase on the wire; unknown fields are ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Profile(Request):
    name: str
    width: int
    height: int
    bitrate: int
    fps: int = 0
    fps_den: int | None = None
    quality: int | None = None
    gop: str | None = None
    profile: Literal["H264Baseline", "H264Main", "H264High", "H264ConstrainedHigh"] | None = None
    encoder: Literal["H.264", "HEVC", "VP8", "VP9"] | None = None

    def to_domain(self) -> TranscodeProfile:
        return TranscodeProfile(**self.model_dump())


class Pull(Request):
    source: str
    headers: dict[str, str] | None = None


class PlaybackPolicy(Request):
    type: Literal["public", "jwt", "webhook"]
    webhook_id: str | None = None
    webhook_context: dict[str, Any] | None = None
    refresh_interval: float | None = None
    allowed_origins: list[str] | None = None


class TargetSpec(Request):
    name: str | None = None
    url: str


class Target(Request):
    profile: str = "source"
    video_only: bool = False
    id: str | None = None
    spec: TargetSpec | None = None


class Multistream(Request):
    targets: list[Target] = Field(default_factory=list)


class NewStream(Request):
    name: str = Field(min_length=1, max_length=500)
    pull: Pull | None = None
    playback_policy: PlaybackPolicy | None = None
    profiles: list[Profile] | None = None
    record: bool = False
    multistream: Multistream | None = None
    user_tags: dict[str, Any] | None = None
    creator_id: Any = None


class StreamPatch(Request):
    record: bool | None = None
    suspended: bool | None = None
    multistream: Multistream | None = None
    playback_policy: PlaybackPolicy | None = None
    profiles: list[Profile] | None = None
    user_tags: dict[str, Any] | None = None
    creator_id: Any = None


DEFAULT_PROFILES = [
    Profile(name="240p0", fps=0, bitrate=250_000, width=426, height=240),
    Profile(name="360p0", fps=0, bitrate=800_000, width=640, height=360),
    Profile(name="480p0", fps=0, bitrate=1_600_000, width=854, height=480),
    Profile(name="720p0", fps=0, bitrate=3_000_000, width=1280, height=720),
]


def pull_to_domain(pull: Pull | None) -> PullSource | None:
    return None if pull is None else PullSource(source=pull.source, headers=pull.headers)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000)


def target_json(target: SimulcastTarget) -> dict[str, Any]:
    """A multistream target reference as Livepeer lists it on a stream."""
    return {"id": target.id, "profile": target.profile, "videoOnly": target.video_only}


def render_entity(obj: Entity) -> dict[str, Any]:
    """A live stream as Livepeer webhooks carry it."""
    if isinstance(obj, LiveStream):
        return stream_json(obj)
    return obj.model_dump(mode="json", by_alias=True, exclude_none=True)


def playback_policy_json(stream: LiveStream) -> dict[str, Any] | None:
    """Livepeer's ``playbackPolicy`` for a stream."""
    if stream.access_webhook is not None:
        hook = stream.access_webhook
        policy = {"type": "webhook", "webhookId": hook.webhook_id, "webhookContext": hook.context,
                  "refreshInterval": hook.refresh_interval}  # fmt: skip
        return {k: v for k, v in policy.items() if v is not None}
    if not stream.playback_ids:
        return None
    return {"type": "jwt" if stream.playback_ids[0].policy == "signed" else "public"}


def stream_json(stream: LiveStream) -> dict[str, Any]:
    """A live stream as Livepeer Studio returns it."""
    playback_id = stream.playback_ids[0].id if stream.playback_ids else None
    stats = stream.stats
    data: dict[str, Any] = {
        "id": stream.id,
        "kind": "stream",
        "name": stream.name or (stream.meta.title if stream.meta and stream.meta.title else stream.id),
        "streamKey": stream.stream_key,
        "playbackId": playback_id,
        "createdAt": stream.created_at * 1000,
        "isActive": stream.status == "active" and stream.connected,
        "isHealthy": (stream.status == "active" and stream.connected) or None,
        "issues": None,
        "lastSeen": _ms(stats.last_seen),
        "sourceSegments": stats.source_segments,
        "sourceSegmentsDuration": round(stats.source_segments_duration, 3),
        "sourceBytes": stats.source_bytes,
        "ingestRate": round(stats.ingest_rate, 1),
        "transcodedSegments": 0,
        "transcodedSegmentsDuration": 0,
        "transcodedBytes": 0,
        "outgoingRate": 0,
        "record": stream.record,
        "suspended": stream.status == "disabled",
        "profiles": [
            {k: v for k, v in Profile(**p.model_dump()).model_dump(by_alias=True).items() if v is not None}
            for p in (stream.profiles or [])
        ],
        "multistream": {"targets": [target_json(t) for t in stream.simulcast_targets]},
        "userTags": stream.user_tags,
        "pull": stream.pull.model_dump(exclude_none=True) if stream.pull else None,
        "playbackPolicy": playback_policy_json(stream),
        "lastTerminatedAt": _ms(stream.last_terminated_at),
    }
    return {key: value for key, value in data.items() if value is not None}

"""Playlists served to players, built from what the pipeline stored (pure functions)."""

from __future__ import annotations

import math

from vitascope.domain.models import Asset
from vitascope.media import hls

_TIER_HEIGHTS = {
    "270p": 270,
    "360p": 360,
    "480p": 480,
    "540p": 540,
    "720p": 720,
    "1080p": 1080,
    "1440p": 1440,
    "2160p": 2160,
}


def resolution_limit(value: str | None, field: str) -> int | None:
    """Parse ``max_resolution``/``min_resolution`` (``720p`` ...); raises ``ValueError`` when unknown."""
    if value is None:
        return None
    if value not in _TIER_HEIGHTS:
        raise ValueError(f"{field} must be one of {', '.join(_TIER_HEIGHTS)}")
    return _TIER_HEIGHTS[value]


def master(
    asset: Asset,
    playback_id: str,
    *,
    query: str = "",
    max_height: int | None = None,
    min_height: int | None = None,
    default_subtitles_lang: str | None = None,
) -> str:
    """The multivariant playlist: every rung in range, with subtitles and alternate audio groups.

    URIs are relative to ``/stream/{playback_id}.m3u8``, so they start with the playback ID.
    """
    suffix = f"?{query}" if query else ""
    media: list[hls.MediaEntry] = []
    text = [t for t in asset.tracks if t.type == "text" and t.status == "ready"]
    alternates = [t for t in asset.tracks if t.type == "audio" and not t.primary and t.status == "ready"]
    primary_audio = next((t for t in asset.tracks if t.type == "audio" and t.primary), None)
    audio_group = "audio" if alternates else None
    if alternates and primary_audio is not None:
        media.append(
            hls.MediaEntry(
                type="AUDIO",
                group_id="audio",
                name=primary_audio.name or primary_audio.language_code or "Default",
                language=primary_audio.language_code,
                uri=None,
                default=True,
                autoselect=True,
            )
        )
    media += [
        hls.MediaEntry(
            type="AUDIO",
            group_id="audio",
            name=track.name or track.language_code or track.id,
            language=track.language_code,
            uri=f"{playback_id}/audio/{track.id}/index.m3u8{suffix}",
            default=False,
            autoselect=True,
        )
        for track in alternates
    ]
    media += [
        hls.MediaEntry(
            type="SUBTITLES",
            group_id="subs",
            name=track.name or track.language_code or track.id,
            language=track.language_code,
            uri=f"{playback_id}/text/{track.id}.m3u8{suffix}",
            default=default_subtitles_lang is not None and track.language_code == default_subtitles_lang,
            autoselect=True,
        )
        for track in text
    ]
    renditions = [
        r
        for r in asset.renditions
        if not r.height
        or (
            (max_height is None or min(r.width, r.height) <= max_height)
            and (min_height is None or min(r.width, r.height) >= min_height)
        )
    ] or asset.renditions[-1:]
    variants = [
        hls.VariantEntry(
            uri=f"{playback_id}/hls/{r.name}/index.m3u8{suffix}",
            bandwidth=r.bandwidth,
            average_bandwidth=r.average_bandwidth,
            width=r.width or None,
            height=r.height or None,
            codecs=r.codecs,
            frame_rate=r.frame_rate,
            audio_group=audio_group,
            subtitles_group="subs" if text else None,
        )
        for r in renditions
    ]
    return hls.master_playlist(variants, media)


def subtitles(duration: float, vtt_uri: str) -> str:
    """A subtitle media playlist: one WebVTT segment spanning the asset."""
    return hls.subtitle_playlist(max(duration, 0.001), vtt_uri)


def with_query(playlist: str, query: str) -> str:
    """Carry the request's query (a playback token, for instance) onto every segment URI."""
    if not query:
        return playlist
    return hls.rewrite_uris(playlist, lambda uri: f"{uri}{'&' if '?' in uri else '?'}{query}")


def clip(playlist: str, start: float | None, end: float | None) -> str:
    """Keep the segments overlapping ``[start, end)`` (Mux's ``asset_start_time``/``asset_end_time``)."""
    if start is None and end is None:
        return playlist
    lines = playlist.splitlines()
    header: list[str] = []
    body: list[str] = []
    position = 0.0
    pending: list[str] = []
    longest = 0.0
    for line in lines:
        if line.startswith("#EXTINF:"):
            pending.append(line)
            continue
        if pending and line and not line.startswith("#"):
            duration = float(pending[0].split(":", 1)[1].split(",")[0])
            keep = (end is None or position < end) and (start is None or position + duration > start)
            if keep:
                body += [*pending, line]
                longest = max(longest, duration)
            position += duration
            pending = []
            continue
        if line.startswith("#EXT-X-TARGETDURATION"):
            continue
        if line.startswith("#EXT-X-ENDLIST"):
            continue
        if pending:
            pending.append(line)
        elif not body:
            header.append(line)
    header.append(f"#EXT-X-TARGETDURATION:{max(1, math.ceil(longest))}")
    return "\n".join([*header, *body, "#EXT-X-ENDLIST", ""])

"""HLS text: master playlists, playlist statistics, codec strings, URI rewriting."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av


@dataclass(frozen=True)
class VariantEntry:
    """One ``#EXT-X-STREAM-INF`` line and its URI."""

    uri: str
    bandwidth: int
    average_bandwidth: int
    width: int | None
    height: int | None
    codecs: str
    frame_rate: float | None
    audio_group: str | None = None
    subtitles_group: str | None = None


@dataclass(frozen=True)
class MediaEntry:
    """One ``#EXT-X-MEDIA`` line (an audio or subtitles rendition)."""

    type: str
    group_id: str
    name: str
    language: str | None
    uri: str | None
    default: bool
    autoselect: bool


def _quoted(value: str) -> str:
    return '"' + value.replace('"', "'").replace("\n", " ") + '"'


def master_playlist(variants: list[VariantEntry], media: list[MediaEntry]) -> str:
    """A multivariant playlist, highest variant first."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:4", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for entry in media:
        attrs = [f"TYPE={entry.type}", f"GROUP-ID={_quoted(entry.group_id)}", f"NAME={_quoted(entry.name)}"]
        if entry.language:
            attrs.append(f"LANGUAGE={_quoted(entry.language)}")
        attrs += [
            f"DEFAULT={'YES' if entry.default else 'NO'}",
            f"AUTOSELECT={'YES' if entry.autoselect else 'NO'}",
        ]
        if entry.type == "SUBTITLES":
            attrs.append("FORCED=NO")
        if entry.uri is not None:
            attrs.append(f"URI={_quoted(entry.uri)}")
        lines.append("#EXT-X-MEDIA:" + ",".join(attrs))
    for variant in variants:
        attrs = [
            f"BANDWIDTH={variant.bandwidth}",
            f"AVERAGE-BANDWIDTH={variant.average_bandwidth}",
            f"CODECS={_quoted(variant.codecs)}",
        ]
        if variant.width and variant.height:
            attrs.append(f"RESOLUTION={variant.width}x{variant.height}")
        if variant.frame_rate:
            attrs.append(f"FRAME-RATE={variant.frame_rate:.3f}")
        if variant.audio_group:
            attrs.append(f"AUDIO={_quoted(variant.audio_group)}")
        if variant.subtitles_group:
            attrs.append(f"SUBTITLES={_quoted(variant.subtitles_group)}")
        attrs.append("CLOSED-CAPTIONS=NONE")
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attrs), variant.uri]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class PlaylistStats:
    peak_bandwidth: int
    average_bandwidth: int
    duration: float
    segments: int


def _entries(text: str) -> list[tuple[float, str]]:
    entries: list[tuple[float, str]] = []
    duration: float | None = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXTINF:"):
            duration = float(line[len("#EXTINF:") :].split(",")[0])
        elif line and not line.startswith("#") and duration is not None:
            entries.append((duration, line))
            duration = None
    return entries


def playlist_stats(playlist_path: Path) -> PlaylistStats:
    """Bit rates (peak over segments, and average) and duration of a media playlist, from file sizes."""
    entries = _entries(playlist_path.read_text())
    if not entries:
        raise ValueError(f"{playlist_path} lists no segments")
    total_bits = 0
    peak = 0.0
    total_duration = 0.0
    for duration, uri in entries:
        bits = (playlist_path.parent / uri.split("?")[0]).stat().st_size * 8
        total_bits += bits
        total_duration += duration
        if duration >= 0.5:
            peak = max(peak, bits / duration)
    average = total_bits / total_duration if total_duration else 0.0
    return PlaylistStats(
        peak_bandwidth=math.ceil(max(peak, average)),
        average_bandwidth=math.ceil(average),
        duration=total_duration,
        segments=len(entries),
    )


def _avc_string(data: bytes) -> str | None:
    """``avc1.PPCCLL`` from the first SPS NAL unit in Annex B data."""
    start = 0
    while True:
        found = data.find(b"\x00\x00\x01", start)
        if found < 0 or found + 6 >= len(data):
            return None
        if data[found + 3] & 0x1F == 7:
            profile, compatibility, level = data[found + 4], data[found + 5], data[found + 6]
            return f"avc1.{profile:02x}{compatibility:02x}{level:02x}"
        start = found + 3


def probe_codecs(segment_path: Path) -> str:
    """The ``CODECS`` attribute for a segment: ``avc1.640028,mp4a.40.2`` and the like."""
    codecs: list[str] = []
    with av.open(str(segment_path)) as container:
        if container.streams.video:
            avc = None
            for packet in container.demux(container.streams.video[0]):
                if packet.size:
                    avc = _avc_string(bytes(packet))
                    break
            codecs.append(avc or "avc1.640028")
        if container.streams.audio:
            codecs.append("mp4a.40.2")
    return ",".join(codecs)


def source_codecs(path: Path) -> str | None:
    """``avc1.PPCCLL`` from an H.264 source's decoder configuration (mp4/mov extradata), if it has one."""
    with av.open(str(path)) as container:
        if not container.streams.video:
            return None
        extradata = container.streams.video[0].codec_context.extradata
    if not extradata or len(extradata) < 4:
        return None
    if extradata[0] == 1:  # avcC record: profile, compatibility, level follow the version byte
        return f"avc1.{extradata[1]:02x}{extradata[2]:02x}{extradata[3]:02x}"
    return _avc_string(bytes(extradata))


def subtitle_playlist(duration: float, uri: str) -> str:
    """A media playlist with one WebVTT segment covering the whole asset."""
    return "\n".join(
        [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{max(1, math.ceil(duration))}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            f"#EXTINF:{duration:.3f},",
            uri,
            "#EXT-X-ENDLIST",
            "",
        ]
    )


def rewrite_uris(playlist_text: str, transform: Callable[[str], str]) -> str:
    """Apply ``transform`` to every URI line (segment or variant) of a playlist."""
    lines = [
        transform(line) if line.strip() and not line.startswith("#") else line
        for line in playlist_text.splitlines()
    ]
    return "\n".join(lines) + ("\n" if playlist_text.endswith("\n") else "")

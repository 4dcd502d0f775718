"""Where an asset's objects live in the object store."""

from __future__ import annotations


def asset_prefix(asset_id: str) -> str:
    """Everything of one asset sits below this prefix."""
    return f"assets/{asset_id}"


def source_key(asset_id: str) -> str:
    """The input file as fetched (kept for clips and re-processing)."""
    return f"assets/{asset_id}/source"


def hls_prefix(asset_id: str) -> str:
    """HLS renditions: ``{prefix}/{rendition}/index.m3u8`` and ``{n}.ts``."""
    return f"assets/{asset_id}/hls"


def audio_track_prefix(asset_id: str, track_id: str) -> str:
    """An alternate audio track's HLS playlist and segments."""
    return f"assets/{asset_id}/audio/{track_id}"


def text_track_key(asset_id: str, track_id: str) -> str:
    """A subtitle track as WebVTT."""
    return f"assets/{asset_id}/text/{track_id}.vtt"


def static_key(asset_id: str, name: str) -> str:
    """A static MP4/M4A rendition."""
    return f"assets/{asset_id}/static/{name}"


def master_key(asset_id: str) -> str:
    """The master MP4 offered by master access."""
    return f"assets/{asset_id}/master.mp4"

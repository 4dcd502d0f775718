"""Subtitle files: accept WebVTT or SRT, store WebVTT."""

from __future__ import annotations

import io

import webvtt


def to_webvtt(data: bytes, filename_hint: str) -> str:
    """Return the subtitles as WebVTT; raises ``ValueError`` when they are neither WebVTT nor SRT."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    name = filename_hint.rsplit("/", 1)[-1] or "subtitles"
    try:
        form = "vtt" if text.lstrip().startswith("WEBVTT") else "srt"
        captions = webvtt.WebVTT.from_buffer(io.StringIO(text), format=form)
    except Exception as exc:
        raise ValueError(f"{name} is not a valid WebVTT or SRT file") from exc
    if captions is None or not len(captions):
        raise ValueError(f"{name} is not a valid WebVTT or SRT file")
    return str(captions.content)

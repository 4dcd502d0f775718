"""Probing media files with PyAV (synchronous: callers run it in a thread)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av

_TEXT_FORMATS = {"tty", "srt", "webvtt", "ass", "subviewer", "microdvd", "mpl2", "jacosub"}


class ProbeError(ValueError):
    """The file is not usable media; the message says why."""


@dataclass(frozen=True)
class VideoInfo:
    index: int
    codec: str
    width: int
    height: int
    frame_rate: float
    pix_fmt: str | None
    bit_rate: int | None
    profile: str | None
    rotation: int


@dataclass(frozen=True)
class AudioInfo:
    index: int
    codec: str
    channels: int
    channel_layout: str | None
    sample_rate: int
    bit_rate: int | None
    language: str | None


@dataclass(frozen=True)
class MediaInfo:
    container: str
    duration: float
    bit_rate: int | None
    video: VideoInfo | None
    audio: tuple[AudioInfo, ...]
    size: int

    @property
    def has_video(self) -> bool:
        return self.video is not None

    @property
    def has_audio(self) -> bool:
        return bool(self.audio)


def _frame_rate(stream: av.video.stream.VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and float(rate) > 0 and math.isfinite(float(rate)):
            return float(rate)
    return 0.0


def probe(path: str | Path) -> MediaInfo:
    """Describe a media file: container, duration, the first video stream and every audio stream."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ProbeError(f"input file cannot be read: {exc.strerror}") from exc
    if size == 0:
        raise ProbeError("input file is empty")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise ProbeError(f"input is not a media file: {exc}") from exc
    with container:
        name = container.format.name
        # FFmpeg opens plain text as an "ansi art" video and pictures as one-frame videos; neither is media.
        if name in _TEXT_FORMATS:
            raise ProbeError("input is not a media file: it looks like text")
        if name == "image2" or name.endswith("_pipe"):
            raise ProbeError("input is a still image, not audio or video")
        video: VideoInfo | None = None
        audio: list[AudioInfo] = []
        durations: list[float] = []
        for stream in container.streams:
            if stream.duration is not None and stream.time_base is not None:
                durations.append(float(stream.duration * stream.time_base))
            if isinstance(stream, av.video.stream.VideoStream) and video is None:
                vctx = stream.codec_context
                if (vctx.width or 0) <= 0 or stream.disposition & av.stream.Disposition.attached_pic:
                    continue
                video = VideoInfo(
                    index=stream.index,
                    codec=vctx.name,
                    width=vctx.width,
                    height=vctx.height,
                    frame_rate=_frame_rate(stream),
                    pix_fmt=vctx.pix_fmt,
                    bit_rate=vctx.bit_rate or None,
                    profile=vctx.profile,
                    rotation=0,
                )
            elif isinstance(stream, av.audio.stream.AudioStream):
                actx = stream.codec_context
                layout = actx.layout
                audio.append(
                    AudioInfo(
                        index=stream.index,
                        codec=actx.name,
                        channels=actx.channels or (len(layout.channels) if layout else 0),
                        channel_layout=layout.name if layout is not None else None,
                        sample_rate=actx.sample_rate or 0,
                        bit_rate=actx.bit_rate or None,
                        language=stream.metadata.get("language") if stream.metadata else None,
                    )
                )
        if video is None and not audio:
            raise ProbeError("input has no audio or video streams")
        duration = float(container.duration) / 1e6 if container.duration else max(durations, default=0.0)
        if not duration or duration <= 0 or not math.isfinite(duration):
            raise ProbeError("input has zero duration")
        return MediaInfo(
            container=container.format.name,
            duration=duration,
            bit_rate=container.bit_rate or None,
            video=video,
            audio=tuple(a for a in audio if a.channels > 0) or tuple(audio),
            size=size,
        )


def keyframe_times(path: str | Path) -> list[float]:
    """Presentation times of the first video stream's keyframes, found by demuxing without decoding."""
    times: list[float] = []
    with av.open(str(path)) as container:
        if not container.streams.video:
            return times
        for packet in container.demux(container.streams.video[0]):
            if packet.pts is not None and packet.time_base is not None and packet.is_keyframe:
                times.append(float(packet.pts * packet.time_base))
    return sorted(times)

"""Choosing the renditions of an asset from its source (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vitascope.media.probe import MediaInfo

# (name, short side, long side, video bitrate in bit/s), highest first.
RUNGS: tuple[tuple[str, int, int, int], ...] = (
    ("2160p", 2160, 3840, 14_000_000),
    ("1440p", 1440, 2560, 8_000_000),
    ("1080p", 1080, 1920, 5_000_000),
    ("720p", 720, 1280, 3_000_000),
    ("480p", 480, 854, 1_200_000),
    ("360p", 360, 640, 600_000),
)
TIER_SHORT_SIDE = {"1080p": 1080, "1440p": 1440, "2160p": 2160}
QUALITY_FACTOR = {"basic": 0.75, "plus": 1.0, "premium": 1.4}
MAX_FRAME_RATE = 60.0
_COPYABLE_PIX_FMTS = ("yuv420p", "yuvj420p")


@dataclass(frozen=True)
class Rendition:
    """One video rung: its output size and bitrate, and whether the source is copied as is."""

    name: str
    width: int
    height: int
    video_bitrate: int
    max_frame_rate: float
    copy_video: bool


@dataclass(frozen=True)
class LadderPlan:
    """Every rung (highest first) and how audio is handled; empty ``video`` means audio-only."""

    video: tuple[Rendition, ...]
    audio_copy: bool
    audio_bitrate: int
    has_audio: bool
    segment_seconds: float
    preset: str


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _scaled(width: int, height: int, short: int) -> tuple[int, int]:
    """Scale so the short side is ``short``, keeping the aspect ratio, with even dimensions."""
    if min(width, height) <= short:
        return _even(width), _even(height)
    factor = short / min(width, height)
    return _even(width * factor), _even(height * factor)


def _bitrate(nominal: int, width: int, height: int, rung_pixels: int, quality: str) -> int:
    pixels = width * height
    factor = min(1.0, pixels / rung_pixels) if rung_pixels else 1.0
    return int(nominal * factor * QUALITY_FACTOR.get(quality, 1.0))


def plan_ladder(
    info: MediaInfo,
    *,
    max_resolution_tier: str = "1080p",
    video_quality: str = "plus",
    force_encode: bool = False,
    segment_seconds: float = 4.0,
) -> LadderPlan:
    """The renditions for this source: never upscaled, capped by the tier, the top one remuxed if it fits."""
    audio_copy = not force_encode and bool(info.audio) and all(a.codec == "aac" for a in info.audio)
    preset = "medium" if video_quality == "premium" else "veryfast"
    base = {"audio_copy": audio_copy, "audio_bitrate": 128_000, "has_audio": bool(info.audio),
            "segment_seconds": segment_seconds, "preset": preset}  # fmt: skip
    source = info.video
    if source is None:
        return LadderPlan(video=(), **base)  # type: ignore[arg-type]
    cap = TIER_SHORT_SIDE.get(max_resolution_tier, 1080)
    source_short = min(source.width, source.height)
    top_short = min(source_short, cap)
    frame_rate = min(source.frame_rate or 30.0, MAX_FRAME_RATE)
    fits = source_short <= cap and source.width % 2 == 0 and source.height % 2 == 0
    copy_top = (
        not force_encode
        and source.codec == "h264"
        and (source.pix_fmt or "") in _COPYABLE_PIX_FMTS
        and fits
        and source.rotation == 0
        and 0 < (source.frame_rate or 0) <= MAX_FRAME_RATE
    )
    renditions: list[Rendition] = []
    top_width, top_height = _scaled(source.width, source.height, top_short)
    top_rung = next((r for r in RUNGS if r[1] <= top_short), RUNGS[-1])
    top_name = next((r[0] for r in RUNGS if r[1] == top_short), f"{top_short}p")
    renditions.append(
        Rendition(
            name=top_name,
            width=top_width,
            height=top_height,
            video_bitrate=_bitrate(
                top_rung[3], top_width, top_height, top_rung[1] * top_rung[2], video_quality
            ),
            max_frame_rate=frame_rate,
            copy_video=copy_top,
        )
    )
    for name, short, long, bitrate in RUNGS:
        if short >= top_short:
            continue
        width, height = _scaled(source.width, source.height, short)
        renditions.append(
            Rendition(
                name=name,
                width=width,
                height=height,
                video_bitrate=_bitrate(bitrate, width, height, short * long, video_quality),
                max_frame_rate=frame_rate,
                copy_video=False,
            )
        )
    return LadderPlan(video=tuple(renditions), **base)  # type: ignore[arg-type]


def resolution_tier(width: int, height: int) -> str:
    """Mux's ``resolution_tier`` for the stored top resolution."""
    short = min(width, height)
    if short <= 0:
        return "audio-only"
    if short <= 720:
        return "720p"
    if short <= 1080:
        return "1080p"
    if short <= 1440:
        return "1440p"
    return "2160p"


def max_stored_resolution(width: int, height: int) -> str:
    """Mux's deprecated ``max_stored_resolution`` (SD, HD, FHD, UHD)."""
    short = min(width, height)
    if short <= 0:
        return "Audio only"
    if short < 720:
        return "SD"
    if short < 1080:
        return "HD"
    if short == 1080:
        return "FHD"
    return "UHD"


def aspect_ratio(width: int, height: int) -> str:
    """``16:9`` style, reduced by the greatest common divisor."""
    divisor = math.gcd(width, height) or 1
    return f"{width // divisor}:{height // divisor}"

"""ffmpeg argv builders (pure functions: data in, argument list out; never a shell string)."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from vitascope.media.ladder import LadderPlan

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|px)?\s*$")
# A banner across the bottom of test assets (drawtext would need font files the static build lacks).
TEST_WATERMARK = (
    "drawbox=x=0:y=ih*7/8:w=iw:h=ih/8:color=black@0.6:t=fill,"
    "drawbox=x=iw/40:y=ih*29/32:w=iw/6:h=ih/16:color=red@0.8:t=fill"
)


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class OverlaySpec:
    """A watermark image and where it goes, in Mux's terms (sizes are ``"10%"`` or ``"40px"``)."""

    image: str
    frame_width: int
    frame_height: int
    vertical_align: str = "top"
    vertical_margin: str | None = None
    horizontal_align: str = "left"
    horizontal_margin: str | None = None
    width: str | None = None
    height: str | None = None
    opacity: str | None = None


def _pixels(value: str | None, whole: int) -> int | None:
    """``"5%"`` of ``whole`` or ``"20px"`` as pixels; ``None`` when unset; ``ValueError`` if malformed."""
    if value is None or value == "":
        return None
    match = _SIZE.match(value)
    if match is None:
        raise ValueError(f"overlay size {value!r} must look like '10%' or '40px'")
    number = float(match.group(1))
    return round(whole * number / 100) if match.group(2) == "%" else round(number)


def overlay_filter(spec: OverlaySpec, base: str, image: str, out: str) -> str:
    """Filter graph placing the image input over the video as Mux's ``overlay_settings`` describe."""
    width = _pixels(spec.width, spec.frame_width)
    height = _pixels(spec.height, spec.frame_height)
    scale = f"scale={width or -1}:{height or -1}" if (width or height) else "null"
    opacity = spec.opacity.strip().rstrip("%") if spec.opacity else "100"
    alpha = max(0.0, min(1.0, float(opacity) / 100))
    x_margin = _pixels(spec.horizontal_margin, spec.frame_width) or 0
    y_margin = _pixels(spec.vertical_margin, spec.frame_height) or 0
    x = {"left": f"{x_margin}", "center": "(W-w)/2", "right": f"W-w-{x_margin}"}[spec.horizontal_align]
    y = {"top": f"{y_margin}", "middle": "(H-h)/2", "bottom": f"H-h-{y_margin}"}[spec.vertical_align]
    return (
        f"[{image}]{scale},format=rgba,colorchannelmixer=aa={_num(alpha)}[wm];"
        f"[{base}][wm]overlay=x={x}:y={y}:format=auto:shortest=1[{out}]"
    )


def hls_ladder_argv(
    ffmpeg: str,
    source: str,
    plan: LadderPlan,
    out_dir: str,
    *,
    start_time: float | None = None,
    end_time: float | None = None,
    overlay: OverlaySpec | None = None,
    normalize_audio: bool = False,
    test: bool = False,
) -> list[str]:
    """One ffmpeg run producing every rendition as an MPEG-TS HLS VOD playlist.

    Output: ``{out_dir}/{rendition}/index.m3u8`` and ``{n}.ts`` (``audio/`` for audio-only assets).
    Encoded rungs get a keyframe exactly every ``segment_seconds``, so segment boundaries follow from the
    duration alone.
    """
    argv = [ffmpeg]
    if source.endswith(".m3u8"):
        # A live recording's playlist: read it from its first segment, not from the live edge.
        argv += ["-live_start_index", "0"]
    if start_time:
        argv += ["-ss", _num(start_time)]
    if end_time is not None:
        argv += ["-to", _num(end_time)]
    if test:
        argv += ["-t", "10"]
    argv += ["-i", source]
    if overlay is not None:
        argv += ["-loop", "1", "-i", overlay.image]
    seg = _num(plan.segment_seconds)
    encoded = [r for r in plan.video if not r.copy_video]
    graph: list[str] = []
    if encoded:
        base = "0:v:0"
        chain_parts: list[str] = []
        if overlay is not None:
            graph.append(overlay_filter(overlay, base, "1:v", "ov"))
            base = "ov"
        if test:
            chain_parts.append(TEST_WATERMARK)
        splits = "".join(f"[s{i}]" for i in range(len(encoded)))
        prefix = ",".join(chain_parts) + "," if chain_parts else ""
        graph.append(f"[{base}]{prefix}split={len(encoded)}{splits}")
        for i, rendition in enumerate(encoded):
            fps = f",fps={_num(rendition.max_frame_rate)}" if rendition.max_frame_rate < 60 else ""
            graph.append(f"[s{i}]scale={rendition.width}:{rendition.height},setsar=1{fps}[v{i}]")
    outputs = plan.video or ()
    audio_filter = "loudnorm=I=-24:TP=-2:LRA=7" if normalize_audio else None
    count = max(1, len(outputs))
    if plan.has_audio and audio_filter:
        labels = "".join(f"[a{i}]" for i in range(count))
        graph.append(f"[0:a:0]{audio_filter},asplit={count}{labels}")
    if graph:
        argv += ["-filter_complex", ";".join(graph)]
    audio_codec = (
        ["-c:a", "copy"]
        if plan.audio_copy and not normalize_audio and not (start_time or test)
        else ["-c:a", "aac", "-b:a", str(plan.audio_bitrate), "-ac", "2"]
    )
    hls = ["-f", "hls", "-hls_time", seg, "-hls_playlist_type", "vod", "-hls_flags", "independent_segments",
           "-hls_segment_type", "mpegts", "-start_number", "0"]  # fmt: skip
    if not outputs:
        audio_map = "[a0]" if audio_filter else "0:a:0"
        return [*argv, "-map", audio_map, "-c:a", "aac", "-b:a", str(plan.audio_bitrate), "-ac", "2", *hls,
                "-hls_segment_filename", f"{out_dir}/audio/%d.ts", f"{out_dir}/audio/index.m3u8"]  # fmt: skip
    encoded_index = 0
    for i, rendition in enumerate(outputs):
        if rendition.copy_video:
            argv += ["-map", "0:v:0", "-c:v", "copy"]
        else:
            bitrate = rendition.video_bitrate
            argv += [
                "-map", f"[v{encoded_index}]", "-c:v", "libx264", "-preset", plan.preset,
                "-profile:v", "high", "-pix_fmt", "yuv420p", "-b:v", str(bitrate),
                "-maxrate", str(int(bitrate * 1.5)), "-bufsize", str(bitrate * 2), "-sc_threshold", "0",
                "-force_key_frames", f"expr:gte(t,n_forced*{seg})",
            ]  # fmt: skip
            encoded_index += 1
        if plan.has_audio:
            argv += ["-map", f"[a{i}]" if audio_filter else "0:a:0", *audio_codec]
        argv += [*hls, "-hls_segment_filename", f"{out_dir}/{rendition.name}/%d.ts",
                 f"{out_dir}/{rendition.name}/index.m3u8"]  # fmt: skip
    return argv


def audio_track_hls_argv(
    ffmpeg: str, source: str, out_dir: str, *, segment_seconds: float = 4.0
) -> list[str]:
    """An alternate audio track as AAC in MPEG-TS HLS: ``{out_dir}/index.m3u8``."""
    return [ffmpeg, "-i", source, "-map", "0:a:0", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
            "-f", "hls", "-hls_time", _num(segment_seconds), "-hls_playlist_type", "vod",
            "-hls_segment_type", "mpegts", "-start_number", "0",
            "-hls_segment_filename", f"{out_dir}/%d.ts", f"{out_dir}/index.m3u8"]  # fmt: skip


def mp4_argv(ffmpeg: str, playlist: str, out_path: str) -> list[str]:
    """Remux an HLS rendition into a progressive-download MP4 (no re-encode)."""
    return [ffmpeg, "-i", playlist, "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy",
            "-bsf:a", "aac_adtstoasc", "-movflags", "+faststart", "-f", "mp4", out_path]  # fmt: skip


def m4a_argv(ffmpeg: str, playlist: str, out_path: str) -> list[str]:
    """The audio of an HLS rendition as an M4A file (no re-encode)."""
    return [ffmpeg, "-i", playlist, "-map", "0:a:0", "-vn", "-c:a", "copy", "-bsf:a", "aac_adtstoasc",
            "-movflags", "+faststart", "-f", "ipod", out_path]  # fmt: skip


_IMAGE_CODECS = {"jpg": ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p"], "png": ["-c:v", "png"],
                 "webp": ["-c:v", "libwebp", "-quality", "80"]}  # fmt: skip


def _geometry(width: int | None, height: int | None, fit_mode: str) -> list[str]:
    if width is None and height is None:
        return []
    if width is None or height is None:
        return [f"scale={width or -2}:{height or -2}"]
    if fit_mode == "stretch":
        return [f"scale={width}:{height}"]
    if fit_mode in ("crop", "smartcrop"):
        return [f"scale={width}:{height}:force_original_aspect_ratio=increase", f"crop={width}:{height}"]
    if fit_mode == "pad":
        return [
            f"scale={width}:{height}:force_original_aspect_ratio=decrease",
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black",
        ]
    return [f"scale={width}:{height}:force_original_aspect_ratio=decrease"]


def _orientation(rotate: int, flip_v: bool, flip_h: bool) -> list[str]:
    filters = {90: ["transpose=1"], 180: ["hflip", "vflip"], 270: ["transpose=2"]}.get(rotate, [])
    if flip_v:
        filters.append("vflip")
    if flip_h:
        filters.append("hflip")
    return filters


def thumbnail_argv(
    ffmpeg: str,
    source: str,
    *,
    time: float,
    width: int | None,
    height: int | None,
    fit_mode: str = "preserve",
    fmt: str = "jpg",
    rotate: int = 0,
    flip_v: bool = False,
    flip_h: bool = False,
) -> list[str]:
    """One frame at ``time`` as an image on ``pipe:1``, sized and fitted as Mux's thumbnail API does."""
    filters = [*_orientation(rotate, flip_v, flip_h), *_geometry(width, height, fit_mode)]
    argv = [ffmpeg, "-ss", _num(time), "-i", source, "-frames:v", "1", "-an"]
    if filters:
        argv += ["-vf", ",".join(filters)]
    return [*argv, *_IMAGE_CODECS[fmt], "-f", "image2pipe", "pipe:1"]


def animated_argv(
    ffmpeg: str,
    source: str,
    *,
    start: float,
    end: float,
    width: int | None,
    height: int | None,
    fps: int,
    fmt: str = "gif",
) -> list[str]:
    """An animated GIF or WebP of ``[start, end)`` on ``pipe:1``."""
    size = f"scale={width or -2}:{height or -2}:flags=lanczos"
    if width is None and height is None:
        size = "scale=320:-2:flags=lanczos"
    argv = [ffmpeg, "-ss", _num(start), "-t", _num(end - start), "-i", source, "-an"]
    if fmt == "gif":
        graph = f"fps={fps},{size},split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse"
        return [*argv, "-filter_complex", graph, "-loop", "0", "-f", "gif", "pipe:1"]
    return [*argv, "-vf", f"fps={fps},{size}", "-c:v", "libwebp_anim", "-loop", "0", "-quality", "70",
            "-f", "webp", "pipe:1"]  # fmt: skip


@dataclass(frozen=True)
class StoryboardLayout:
    """Where each tile of a storyboard sprite sits, and the time it shows."""

    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int
    interval: float
    duration: float

    def tiles(self) -> list[tuple[float, int, int]]:
        """(start time, x, y) of every tile."""
        return [
            (i * self.interval, (i % self.columns) * self.tile_width, (i // self.columns) * self.tile_height)
            for i in range(self.count)
        ]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryboardLayout:
        return cls(**data)


def storyboard_argv(
    ffmpeg: str,
    source: str,
    *,
    duration: float,
    width: int,
    height: int,
    out_path: str,
    tile_width: int = 256,
    max_tiles: int = 100,
    columns: int = 10,
) -> tuple[list[str], StoryboardLayout]:
    """A JPEG sprite of evenly spaced frames, and its layout."""
    count = max(1, min(max_tiles, math.ceil(duration)))
    interval = duration / count
    tile_height = max(2, round(tile_width * height / max(width, 1) / 2) * 2)
    cols = min(columns, count)
    rows = math.ceil(count / cols)
    layout = StoryboardLayout(tile_width, tile_height, cols, rows, count, interval, duration)
    graph = f"fps=1/{_num(interval)}:start_time=0,scale={tile_width}:{tile_height},tile={cols}x{rows}"
    argv = [
        ffmpeg,
        "-i",
        source,
        "-an",
        "-vf",
        graph,
        "-frames:v",
        "1",
        "-q:v",
        "4",
        "-update",
        "1",
        out_path,
    ]
    return argv, layout


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def storyboard_vtt(layout: StoryboardLayout, image_url: str) -> str:
    """WebVTT cues pointing at sprite regions (``url#xywh=x,y,w,h``), as Mux's storyboard.vtt."""
    lines = ["WEBVTT", ""]
    for start, x, y in layout.tiles():
        end = min(layout.duration, start + layout.interval)
        lines += [
            f"{_vtt_time(start)} --> {_vtt_time(end)}",
            f"{image_url}#xywh={x},{y},{layout.tile_width},{layout.tile_height}",
            "",
        ]
    return "\n".join(lines)


def storyboard_json(layout: StoryboardLayout, image_url: str) -> dict[str, Any]:
    """The JSON form of the storyboard, as Mux's storyboard.json."""
    return {
        "url": image_url,
        "tile_width": layout.tile_width,
        "tile_height": layout.tile_height,
        "duration": layout.duration,
        "tiles": [{"start": round(start, 3), "x": x, "y": y} for start, x, y in layout.tiles()],
    }

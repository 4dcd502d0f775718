"""Just-in-time VOD: a segment plan fixed from the probe, and ffmpeg argv that honour it (pure).

Every rung cuts at the same boundaries. Encoded rungs get keyframes forced there and no B-frames, and every
run keeps the source's timestamps (``-copyts``, no negative-timestamp shifting), so one segment produced on
its own is timed exactly like the same segment cut from a continuous background run.
"""

from __future__ import annotations

import itertools
import math

from vitascope.media.ladder import LadderPlan, Rendition

MIN_TAIL = 0.5
JIT_PRESET = "ultrafast"


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def segment_plan(
    duration: float, frame_rate: float, keyframes: list[float] | None, target: float = 4.0
) -> list[float]:
    """Segment boundaries ``[0, b1, ..., duration]``.

    With ``keyframes`` (a remuxed source) cuts fall on source keyframes at least ``target`` apart; otherwise
    on a ``target`` grid snapped to whole frames.
    """
    bounds = [0.0]
    if keyframes:
        for time in keyframes:
            if time - bounds[-1] >= target - 1e-3 and duration - time >= MIN_TAIL:
                bounds.append(time)
    else:
        rate = frame_rate if frame_rate > 0 else 30.0
        time = target
        while duration - time >= MIN_TAIL:
            bounds.append(round(time * rate) / rate)
            time += target
    return [*bounds, duration]


def plan_playlist(bounds: list[float]) -> str:
    """The VOD media playlist of a plan: written once, before any segment exists."""
    durations = [b - a for a, b in itertools.pairwise(bounds)]
    target = max(1, math.ceil(max(durations)))
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}", "#EXT-X-MEDIA-SEQUENCE:0",
             "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-INDEPENDENT-SEGMENTS"]  # fmt: skip
    for index, duration in enumerate(durations):
        lines += [f"#EXTINF:{duration:.6f},", f"{index}.ts"]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def h264_level(rendition: Rendition) -> str:
    """A fixed level per rung, so CODECS can be written before encoding."""
    short = min(rendition.width, rendition.height)
    return "4.0" if short > 720 else "3.1" if short > 480 else "3.0"


def codecs_for(rendition: Rendition, source_codecs: str | None, has_audio: bool) -> str:
    """The ``CODECS`` attribute of a planned rung."""
    if rendition.copy_video and source_codecs:
        video = source_codecs
    else:
        video = "avc1.6400" + {"4.0": "28", "3.1": "1f", "3.0": "1e"}[h264_level(rendition)]
    return f"{video},mp4a.40.2" if has_audio else video


def _video_args(
    rendition: Rendition, plan: LadderPlan, keyframes: str, preset: str | None = None
) -> list[str]:
    if rendition.copy_video:
        return ["-c:v", "copy"]
    bitrate = rendition.video_bitrate
    return [
        "-vf", f"scale={rendition.width}:{rendition.height},setsar=1",
        "-c:v", "libx264", "-preset", preset or plan.preset, "-profile:v", "high",
        "-level:v", h264_level(rendition), "-pix_fmt", "yuv420p", "-bf", "0", "-b:v", str(bitrate),
        "-maxrate", str(int(bitrate * 1.5)), "-bufsize", str(bitrate * 2), "-sc_threshold", "0",
        "-force_key_frames", keyframes,
    ]  # fmt: skip


def _audio_args(plan: LadderPlan) -> list[str]:
    if not plan.has_audio:
        return []
    if plan.audio_copy:
        return ["-map", "0:a:0", "-c:a", "copy"]
    return ["-map", "0:a:0", "-c:a", "aac", "-b:a", str(plan.audio_bitrate), "-ac", "2"]


def ladder_argv(
    ffmpeg: str, source: str, plan: LadderPlan, renditions: list[Rendition], out_dir: str, bounds: list[float]
) -> list[str]:
    """One run cutting ``renditions`` at the plan's boundaries into ``{out_dir}/{name}/{n}.ts``.

    Each rendition's ``segments.csv`` lists the segments that are complete.
    """
    inner = ",".join(_num(b) for b in bounds[1:-1])
    argv = [ffmpeg, "-copyts", "-i", source]
    for rendition in renditions:
        argv += ["-map", "0:v:0", *_video_args(rendition, plan, inner or "0"), *_audio_args(plan)]
        argv += ["-avoid_negative_ts", "disabled", "-f", "segment", "-segment_format", "mpegts"]
        if inner:
            argv += ["-segment_times", inner]
        else:
            argv += ["-segment_time", "86400"]
        argv += ["-segment_list", f"{out_dir}/{rendition.name}/segments.csv", "-segment_list_type", "csv",
                 "-reset_timestamps", "0", f"{out_dir}/{rendition.name}/%d.ts"]  # fmt: skip
    return argv


def segment_argv(
    ffmpeg: str,
    source: str,
    plan: LadderPlan,
    rendition: Rendition,
    bounds: list[float],
    index: int,
    out: str,
) -> list[str]:
    """Produce segment ``index`` of one rung on its own (when a player asks before the background run).

    A viewer is waiting, so it is encoded with the fastest preset; the ladder's copy replaces it later with
    the same timing.
    """
    start, end = bounds[index], bounds[index + 1]
    return [
        ffmpeg, "-copyts", "-ss", _num(start), "-t", _num(end - start), "-i", source,
        "-map", "0:v:0", *_video_args(rendition, plan, _num(start), JIT_PRESET), *_audio_args(plan),
        "-avoid_negative_ts", "disabled", "-f", "mpegts", out,
    ]  # fmt: skip

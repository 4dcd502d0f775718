"""ffmpeg argv for live packaging: FLV on stdin, one segmented MPEG-TS output per rendition (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveRendition:
    """A live rung: the source passed through (``height`` None) or a transcode to ``height``."""

    name: str
    height: int | None
    video_bitrate: int
    audio_bitrate: int = 128_000
    width: int | None = None
    fps: float = 0.0

    @property
    def passthrough(self) -> bool:
        return self.height is None


def _video_filter(rendition: LiveRendition) -> str:
    scale = f"scale={rendition.width or -2}:{rendition.height}"
    return f"{scale},fps={rendition.fps:g}" if rendition.fps > 0 else scale


def live_segment_argv(
    ffmpeg: str,
    renditions: list[LiveRendition],
    out_dir: str,
    *,
    segment_seconds: float,
    start_number: int = 0,
) -> list[str]:
    """Read FLV from ``pipe:0``; write ``{out_dir}/{name}/{n}.ts`` and a CSV list of finished segments.

    Transcoded rungs put keyframes where the source has them, so every rendition cuts at the same
    boundaries and players can switch between them cleanly; frames keep the source's timestamps
    (RTMP's millisecond clock would otherwise make ffmpeg guess 60 fps and duplicate frames).
    """
    # Every reader of the hub starts with the sequence headers, so ffmpeg has the codec parameters at
    # once: a long probe would only hold back (and then permanently delay) every segment.
    argv = [ffmpeg, "-fflags", "+genpts", "-analyzeduration", "0", "-probesize", "32", "-fpsprobesize", "0",
            "-f", "flv", "-i", "pipe:0"]  # fmt: skip
    for rendition in renditions:
        argv += ["-map", "0:v:0?", "-map", "0:a:0?"]
        if rendition.passthrough:
            argv += ["-c", "copy"]
        else:
            bitrate = rendition.video_bitrate
            argv += [
                "-vf", _video_filter(rendition),
                "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
                "-profile:v", "high", "-pix_fmt", "yuv420p",
                "-b:v", str(bitrate), "-maxrate", str(int(bitrate * 1.2)), "-bufsize", str(bitrate * 2),
                "-force_key_frames", "source", "-sc_threshold", "0", "-fps_mode", "passthrough",
                "-c:a", "aac", "-b:a", str(rendition.audio_bitrate), "-ac", "2",
            ]  # fmt: skip
        argv += [
            "-f", "segment", "-segment_format", "mpegts", "-segment_time", f"{segment_seconds:g}",
            "-segment_list", f"{out_dir}/{rendition.name}/segments.csv", "-segment_list_type", "csv",
            "-segment_list_flags", "+live", "-segment_start_number", str(start_number),
            "-reset_timestamps", "0",
            f"{out_dir}/{rendition.name}/%d.ts",
        ]  # fmt: skip
    return argv

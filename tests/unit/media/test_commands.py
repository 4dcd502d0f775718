"""Golden argv tests for the ffmpeg command builders, and real runs that decode their output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import pytest

from vitascope.media import commands
from vitascope.media.ladder import LadderPlan, Rendition
from vitascope.media.live import LiveRendition, live_segment_argv

PLAN = LadderPlan(
    video=(
        Rendition("720p", 1280, 720, 3_000_000, 30.0, True),
        Rendition("360p", 640, 360, 600_000, 30.0, False),
    ),
    audio_copy=True,
    audio_bitrate=128_000,
    has_audio=True,
    segment_seconds=4.0,
    preset="veryfast",
)


def test_hls_ladder_argv_golden() -> None:
    assert commands.hls_ladder_argv("ffmpeg", "in.mp4", PLAN, "out") == [
        "ffmpeg", "-i", "in.mp4",
        "-filter_complex", "[0:v:0]split=1[s0];[s0]scale=640:360,setsar=1,fps=30[v0]",
        "-map", "0:v:0", "-c:v", "copy", "-map", "0:a:0", "-c:a", "copy",
        "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_flags", "independent_segments",
        "-hls_segment_type", "mpegts", "-start_number", "0",
        "-hls_segment_filename", "out/720p/%d.ts", "out/720p/index.m3u8",
        "-map", "[v0]", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-b:v", "600000", "-maxrate", "900000", "-bufsize", "1200000", "-sc_threshold", "0",
        "-force_key_frames", "expr:gte(t,n_forced*4)", "-map", "0:a:0", "-c:a", "copy",
        "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_flags", "independent_segments",
        "-hls_segment_type", "mpegts", "-start_number", "0",
        "-hls_segment_filename", "out/360p/%d.ts", "out/360p/index.m3u8",
    ]  # fmt: skip


def test_clip_test_and_normalize_options() -> None:
    argv = commands.hls_ladder_argv("ffmpeg", "in.mp4", PLAN, "out", start_time=1.5, end_time=4, test=True,
                                    normalize_audio=True)  # fmt: skip
    assert argv[:8] == ["ffmpeg", "-ss", "1.5", "-to", "4", "-t", "10", "-i"]
    graph = argv[argv.index("-filter_complex") + 1]
    assert "drawbox" in graph and "loudnorm" in graph and "asplit=2[a0][a1]" in graph
    assert argv[argv.index("[a0]") + 1 : argv.index("[a0]") + 7] == [
        "-c:a",
        "aac",
        "-b:a",
        "128000",
        "-ac",
        "2",
    ]


def test_overlay_filter_positions() -> None:
    spec = commands.OverlaySpec("logo.png", 1920, 1080, vertical_align="bottom", vertical_margin="10%",
                                horizontal_align="right", horizontal_margin="20px", width="10%", opacity="50%")  # fmt: skip
    graph = commands.overlay_filter(spec, "0:v:0", "1:v", "ov")
    assert graph == (
        "[1:v]scale=192:-1,format=rgba,colorchannelmixer=aa=0.5[wm];"
        "[0:v:0][wm]overlay=x=W-w-20:y=H-h-108:format=auto:shortest=1[ov]"
    )
    with pytest.raises(ValueError):
        commands.overlay_filter(commands.OverlaySpec("l.png", 10, 10, width="ten"), "a", "b", "c")


@pytest.mark.parametrize(
    ("fit", "expected"),
    [
        ("preserve", "scale=100:100:force_original_aspect_ratio=decrease"),
        ("stretch", "scale=100:100"),
        ("crop", "scale=100:100:force_original_aspect_ratio=increase,crop=100:100"),
        (
            "pad",
            "scale=100:100:force_original_aspect_ratio=decrease,pad=100:100:(ow-iw)/2:(oh-ih)/2:color=black",
        ),
    ],
)
def test_thumbnail_fit_modes(fit: str, expected: str) -> None:
    argv = commands.thumbnail_argv("ffmpeg", "in.m3u8", time=2, width=100, height=100, fit_mode=fit)
    assert argv[argv.index("-vf") + 1] == expected
    assert argv[-3:] == ["-f", "image2pipe", "pipe:1"]


def test_storyboard_layout_and_vtt() -> None:
    argv, layout = commands.storyboard_argv(
        "ffmpeg", "in", duration=25, width=1920, height=1080, out_path="s.jpg"
    )
    assert (layout.count, layout.columns, layout.rows, layout.tile_height) == (25, 10, 3, 144)
    vtt = commands.storyboard_vtt(layout, "http://x/s.jpg")
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhttp://x/s.jpg#xywh=0,0,256,144")
    assert "00:00:24.000 --> 00:00:25.000\nhttp://x/s.jpg#xywh=1024,288,256,144" in vtt
    assert commands.StoryboardLayout.from_json(layout.to_json()) == layout
    assert "tile=10x3" in argv[argv.index("-vf") + 1]


def test_live_segment_argv_golden() -> None:
    rungs = [LiveRendition("360p", 360, 600_000, 96_000)]
    argv = live_segment_argv("ffmpeg", rungs, "out", segment_seconds=2, start_number=5)
    assert argv == [
        "ffmpeg", "-fflags", "+genpts", "-analyzeduration", "0", "-probesize", "32", "-fpsprobesize", "0",
        "-f", "flv", "-i", "pipe:0", "-map", "0:v:0?", "-map", "0:a:0?",
        "-vf", "scale=-2:360", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
        "-profile:v", "high", "-pix_fmt", "yuv420p", "-b:v", "600000", "-maxrate", "720000", "-bufsize", "1200000",
        "-force_key_frames", "source", "-sc_threshold", "0", "-fps_mode", "passthrough",
        "-c:a", "aac", "-b:a", "96000", "-ac", "2",
        "-f", "segment", "-segment_format", "mpegts", "-segment_time", "2",
        "-segment_list", "out/360p/segments.csv", "-segment_list_type", "csv", "-segment_list_flags", "+live",
        "-segment_start_number", "5", "-reset_timestamps", "0", "out/360p/%d.ts",
    ]  # fmt: skip


@pytest.mark.slow
def test_ladder_run_keyframes_on_segment_boundaries(tmp_path: Path) -> None:
    """Encoded rungs cut exactly every segment_seconds: the plan follows from the duration alone."""
    from vitascope.media.ffmpeg import ffmpeg_exe

    source = tmp_path / "in.mp4"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                    "-t", "9", "-c:v", "libx264", "-preset", "ultrafast", "-g", "300", str(source)], check=True)  # fmt: skip
    plan = LadderPlan(
        (Rendition("360p", 640, 360, 600_000, 30.0, False),), False, 128_000, False, 4.0, "ultrafast"
    )
    (tmp_path / "out" / "360p").mkdir(parents=True)
    subprocess.run([*commands.hls_ladder_argv(ffmpeg_exe(), str(source), plan, str(tmp_path / "out")),
                    "-loglevel", "error"], check=True)  # fmt: skip
    playlist = (tmp_path / "out" / "360p" / "index.m3u8").read_text()
    durations = [
        float(line[8:].split(",")[0]) for line in playlist.splitlines() if line.startswith("#EXTINF:")
    ]
    assert durations == pytest.approx([4.0, 4.0, 1.0], abs=0.04)
    frames = 0
    for index in range(3):
        with av.open(str(tmp_path / "out" / "360p" / f"{index}.ts")) as container:
            decoded = list(container.decode(video=0))
            assert decoded[0].key_frame
            frames += len(decoded)
    assert frames == 270

"""The just-in-time segment plan and the argv that honour it (pure)."""

from __future__ import annotations

import pytest

from vitascope.media import jit
from vitascope.media.ladder import LadderPlan, Rendition

COPY = Rendition("1080p", 1920, 1080, 5_000_000, 30.0, True)
LOW = Rendition("360p", 640, 360, 600_000, 30.0, False)
PLAN = LadderPlan((COPY, LOW), audio_copy=True, audio_bitrate=128_000, has_audio=True, segment_seconds=4.0,
                  preset="veryfast")  # fmt: skip


def test_plan_on_source_keyframes() -> None:
    keyframes = [0.0, 2.0, 3.0, 6.0, 8.0, 9.5, 12.0, 19.8]
    assert jit.segment_plan(20.0, 30.0, keyframes) == [0.0, 6.0, 12.0, 20.0]  # 19.8 would leave a 0.2 s tail


def test_plan_on_a_frame_grid() -> None:
    assert jit.segment_plan(10.0, 29.97, None) == pytest.approx([0.0, 4.004, 8.008, 10.0], abs=1e-3)
    assert jit.segment_plan(4.2, 30.0, None) == [0.0, 4.2]


def test_plan_playlist_is_complete_before_media_exists() -> None:
    text = jit.plan_playlist([0.0, 6.0, 12.0, 13.5])
    assert "#EXT-X-TARGETDURATION:6" in text and text.rstrip().endswith("#EXT-X-ENDLIST")
    assert [line for line in text.splitlines() if line.endswith(".ts")] == ["0.ts", "1.ts", "2.ts"]
    assert "#EXTINF:1.500000," in text


def test_codecs_are_known_before_encoding() -> None:
    assert jit.codecs_for(LOW, None, True) == "avc1.64001e,mp4a.40.2"
    assert jit.codecs_for(COPY, "avc1.640028", False) == "avc1.640028"


def test_ladder_and_single_segment_argv_share_timing_flags() -> None:
    bounds = [0.0, 6.0, 12.0, 20.0]
    ladder = jit.ladder_argv("ffmpeg", "src.mp4", PLAN, [LOW], "out", bounds)
    single = jit.segment_argv("ffmpeg", "src.mp4", PLAN, LOW, bounds, 1, "seg.ts")
    for argv in (ladder, single):
        assert (
            argv[1] == "-copyts"
            and "-bf" in argv
            and argv[argv.index("-avoid_negative_ts") + 1] == "disabled"
        )
    assert ladder[ladder.index("-segment_times") + 1] == "6,12"
    assert ladder[ladder.index("-force_key_frames") + 1] == "6,12"
    assert single[:8] == ["ffmpeg", "-copyts", "-ss", "6", "-t", "6", "-i", "src.mp4"]
    assert single[single.index("-force_key_frames") + 1] == "6"
    copy = jit.ladder_argv("ffmpeg", "src.mp4", PLAN, [COPY], "out", bounds)
    assert copy[copy.index("-map") + 2 : copy.index("-map") + 4] == ["-c:v", "copy"]

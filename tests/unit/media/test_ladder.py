"""Ladder planning from probed sources (pure)."""

from __future__ import annotations

import pytest

from vitascope.media.ladder import aspect_ratio, max_stored_resolution, plan_ladder, resolution_tier
from vitascope.media.probe import AudioInfo, MediaInfo, VideoInfo


def source(
    width: int, height: int, codec: str = "h264", fps: float = 30.0, audio: str | None = "aac"
) -> MediaInfo:
    video = VideoInfo(0, codec, width, height, fps, "yuv420p", 5_000_000, "High", 0)
    tracks = (AudioInfo(1, audio, 2, "stereo", 48000, 128000, None),) if audio else ()
    return MediaInfo("mov,mp4", 60.0, 5_000_000, video, tracks, 1000)


def rungs(info: MediaInfo, **kwargs: object) -> list[tuple[str, int, int, bool]]:
    plan = plan_ladder(info, **kwargs)  # type: ignore[arg-type]
    return [(r.name, r.width, r.height, r.copy_video) for r in plan.video]


def test_1080p_h264_remuxes_top_and_encodes_the_rest() -> None:
    assert rungs(source(1920, 1080)) == [
        ("1080p", 1920, 1080, True),
        ("720p", 1280, 720, False),
        ("480p", 854, 480, False),
        ("360p", 640, 360, False),
    ]
    assert plan_ladder(source(1920, 1080)).audio_copy


def test_4k_is_capped_by_the_tier_unless_asked() -> None:
    assert rungs(source(3840, 2160))[0] == ("1080p", 1920, 1080, False)
    assert rungs(source(3840, 2160), max_resolution_tier="2160p")[0] == ("2160p", 3840, 2160, True)
    assert len(rungs(source(3840, 2160), max_resolution_tier="2160p")) == 6


def test_small_and_portrait_sources_are_never_upscaled() -> None:
    assert rungs(source(640, 360)) == [("360p", 640, 360, True)]
    assert rungs(source(320, 240)) == [("240p", 320, 240, True)]
    portrait = rungs(source(1080, 1920))
    assert portrait[0] == ("1080p", 1080, 1920, True)
    assert portrait[1] == ("720p", 720, 1280, False)


def test_non_h264_or_forced_sources_are_encoded() -> None:
    assert rungs(source(1280, 720, codec="vp9"))[0][3] is False
    assert rungs(source(1280, 720), force_encode=True)[0][3] is False
    assert not plan_ladder(source(1280, 720, audio="opus")).audio_copy
    assert rungs(source(1280, 720, fps=120))[0][3] is False


def test_quality_scales_bitrates_and_audio_only() -> None:
    basic = plan_ladder(source(1920, 1080), video_quality="basic").video[1].video_bitrate
    premium = plan_ladder(source(1920, 1080), video_quality="premium").video[1].video_bitrate
    assert basic < 3_000_000 < premium
    audio_only = MediaInfo(
        "mp3", 10.0, None, None, (AudioInfo(0, "mp3", 2, "stereo", 44100, None, None),), 10
    )
    plan = plan_ladder(audio_only)
    assert plan.video == () and plan.has_audio and not plan.audio_copy


@pytest.mark.parametrize(
    ("width", "height", "tier", "stored", "ratio"),
    [
        (1920, 1080, "1080p", "FHD", "16:9"),
        (1280, 720, "720p", "HD", "16:9"),
        (640, 480, "720p", "SD", "4:3"),
        (3840, 2160, "2160p", "UHD", "16:9"),
        (1080, 1920, "1080p", "FHD", "9:16"),
        (0, 0, "audio-only", "Audio only", ""),
    ],
)
def test_mux_resolution_fields(width: int, height: int, tier: str, stored: str, ratio: str) -> None:
    assert resolution_tier(width, height) == tier
    assert max_stored_resolution(width, height) == stored
    if width:
        assert aspect_ratio(width, height) == ratio

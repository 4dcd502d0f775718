"""Playlists served to players (pure)."""

from __future__ import annotations

from vitascope.domain.models import Asset, Track, VideoRendition
from vitascope.playback import playlists

VARIANT = (
    "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n"
    + "".join(f"#EXTINF:4.000000,\n{i}.ts\n" for i in range(5))
    + "#EXT-X-ENDLIST\n"
)


def asset() -> Asset:
    return Asset(
        id="a",
        renditions=[
            VideoRendition(
                name="1080p",
                width=1920,
                height=1080,
                bandwidth=5_500_000,
                average_bandwidth=5_000_000,
                codecs="avc1.640028,mp4a.40.2",
                frame_rate=30.0,
            ),
            VideoRendition(
                name="360p",
                width=640,
                height=360,
                bandwidth=700_000,
                average_bandwidth=600_000,
                codecs="avc1.64001e,mp4a.40.2",
                frame_rate=30.0,
            ),
        ],
        tracks=[
            Track(id="t1", type="text", language_code="en", name="English", status="ready"),
            Track(id="t2", type="text", language_code="fr", name="French", status="preparing"),
            Track(id="au", type="audio", primary=True, language_code="en"),
            Track(id="dub", type="audio", primary=False, language_code="es", name="Spanish", status="ready"),
        ],
    )


def test_master_lists_rungs_groups_and_carries_query() -> None:
    text = playlists.master(asset(), "pb", query="token=abc", default_subtitles_lang="en")
    assert text.count("#EXT-X-STREAM-INF") == 2
    assert (
        "RESOLUTION=1920x1080" in text and "FRAME-RATE=30.000" in text and "AVERAGE-BANDWIDTH=5000000" in text
    )
    assert 'URI="pb/text/t1.m3u8?token=abc"' in text and "t2" not in text
    assert 'TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES' in text
    assert 'URI="pb/audio/dub/index.m3u8?token=abc"' in text and 'AUDIO="audio"' in text
    assert "pb/hls/360p/index.m3u8?token=abc" in text


def test_resolution_limits() -> None:
    capped = playlists.master(asset(), "pb", max_height=720)
    assert "1920x1080" not in capped and "640x360" in capped
    floor = playlists.master(asset(), "pb", min_height=1080)
    assert "640x360" not in floor
    nothing = playlists.master(asset(), "pb", max_height=270)
    assert "640x360" in nothing  # never an empty playlist: the lowest rung stays


def test_clip_and_query_rewrite() -> None:
    clipped = playlists.clip(VARIANT, 5, 11)
    assert [line for line in clipped.splitlines() if line.endswith(".ts")] == ["1.ts", "2.ts"]
    assert clipped.rstrip().endswith("#EXT-X-ENDLIST")
    assert "1.ts?token=x" in playlists.with_query(VARIANT, "token=x")

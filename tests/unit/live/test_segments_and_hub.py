"""Live segment indexes, playlists rendered from them, and the hub's fan-out."""

from __future__ import annotations

import asyncio

from vitascope.live.hub import AUDIO, VIDEO, Hub, Tag
from vitascope.live.segments import RenditionIndex, parse_playlist, parse_segment_csv, render_playlist
from vitascope.media.flv import flv_header, flv_tag


def test_csv_parsing_ignores_partial_lines() -> None:
    text = "0.ts,0.000000,2.002000\n1.ts,2.002000,4.004000\n2.ts,4.0"
    assert parse_segment_csv(text) == [("0.ts", 2.002), ("1.ts", 2.002)]


def test_event_and_vod_playlists_round_trip_with_discontinuity() -> None:
    index = RenditionIndex("source")
    index.add(2.0)
    index.add(2.0)
    index.add(1.5, discontinuity=True)
    event = index.playlist(ended=False)
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in event and "#EXT-X-ENDLIST" not in event
    assert event.count("#EXT-X-DISCONTINUITY\n") == 1
    vod = index.playlist(ended=True)
    assert vod.rstrip().endswith("#EXT-X-ENDLIST") and "#EXT-X-PLAYLIST-TYPE:VOD" in vod
    assert parse_playlist(vod) == index.segments


def test_live_window_keeps_sequence_numbers() -> None:
    index = RenditionIndex("source")
    for i in range(10):
        index.add(2.0, discontinuity=i == 3)
    window = render_playlist(index.segments, ended=False, window=4)
    assert "#EXT-X-MEDIA-SEQUENCE:6" in window
    assert "#EXT-X-DISCONTINUITY-SEQUENCE:1" in window
    assert [line for line in window.splitlines() if line.endswith(".ts")] == ["6.ts", "7.ts", "8.ts", "9.ts"]


def test_flv_tag_layout() -> None:
    tag = flv_tag(9, 0x01020304, b"abc")
    assert tag[:11] == bytes([9, 0, 0, 3, 2, 3, 4, 1, 0, 0, 0])
    assert tag[11:14] == b"abc" and int.from_bytes(tag[14:], "big") == 14
    assert flv_header(has_audio=True, has_video=True)[:5] == b"FLV\x01\x05"


async def test_hub_primes_late_readers_and_starts_them_on_a_keyframe() -> None:
    hub = Hub()
    config = Tag(VIDEO, 0, bytes([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1F]))
    hub.write(config)
    hub.write(Tag(AUDIO, 0, bytes([0xAF, 0, 0x12, 0x10])))
    hub.write(Tag(VIDEO, 0, bytes([0x17, 1, 0, 0, 0]) + b"key"))
    reader = hub.subscribe()
    hub.write(Tag(VIDEO, 40, bytes([0x27, 1, 0, 0, 0]) + b"inter"))  # skipped: not a keyframe yet
    hub.write(Tag(AUDIO, 40, bytes([0xAF, 1]) + b"aac"))  # skipped: waiting for video keyframe
    hub.write(Tag(VIDEO, 2000, bytes([0x17, 1, 0, 0, 0]) + b"key2"))
    hub.close()
    chunks = []
    while (chunk := await asyncio.wait_for(reader.read(), 1)) is not None:
        chunks.append(chunk)
    assert chunks[0].startswith(b"FLV")
    payloads = [c[11:-4] for c in chunks[1:]]
    assert payloads == [config.payload, bytes([0xAF, 0, 0x12, 0x10]), bytes([0x17, 1, 0, 0, 0]) + b"key2"]


async def test_slow_reader_is_dropped_not_buffered_forever() -> None:
    hub = Hub()
    reader = hub.subscribe(max_bytes=1000)
    hub.write(Tag(VIDEO, 0, bytes([0x17, 1, 0, 0, 0]) + b"x" * 400))
    hub.write(Tag(VIDEO, 40, bytes([0x27, 1, 0, 0, 0]) + b"x" * 400))
    hub.write(Tag(VIDEO, 80, bytes([0x27, 1, 0, 0, 0]) + b"x" * 400))
    assert reader.dropped
    other = hub.subscribe()
    hub.write(Tag(VIDEO, 120, bytes([0x17, 1, 0, 0, 0]) + b"k"))
    assert not other.dropped

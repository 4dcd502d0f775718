"""Real media through the running server: transcode, HLS playback decoded with PyAV, images, MP4s."""

from __future__ import annotations

import io
import time
from pathlib import Path

import av
import httpx
import m3u8
import pytest

from tests.conftest import Server, wait_for_asset

pytestmark = pytest.mark.slow


def decode_frames(data: bytes) -> tuple[int, float, int]:
    """Decode a media file from memory: (video frames, duration in seconds, audio frames)."""
    with av.open(io.BytesIO(data)) as container:
        video = audio = 0
        first = last = None
        for frame in container.decode(*container.streams):
            if isinstance(frame, av.VideoFrame):
                video += 1
                if frame.time is not None:
                    first = frame.time if first is None else min(first, frame.time)
                    last = frame.time if last is None else max(last, frame.time)
            else:
                audio += 1
        duration = (last - first) if first is not None and last is not None else 0.0
    return video, duration, audio


def walk_hls(client: httpx.Client, playback_id: str) -> dict[str, tuple[int, float]]:
    """Fetch the master playlist and every variant's segments; decoded (frames, seconds) per rendition."""
    master_response = client.get(f"/stream/{playback_id}.m3u8")
    assert master_response.status_code == 200
    assert master_response.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    master = m3u8.loads(master_response.text, uri=f"{client.base_url}/stream/{playback_id}.m3u8")
    results: dict[str, tuple[int, float]] = {}
    for playlist in master.playlists:
        info = playlist.stream_info
        assert info.bandwidth and info.average_bandwidth and info.codecs
        variant_url = playlist.absolute_uri
        variant = m3u8.loads(client.get(variant_url).text, uri=variant_url)
        assert variant.is_endlist
        frames = 0
        for seg in variant.segments:
            response = client.get(seg.absolute_uri)
            assert response.status_code == 200, seg.absolute_uri
            count, _, _ = decode_frames(response.content)
            frames += count
        total = sum(seg.duration for seg in variant.segments)
        results[f"{info.resolution[1] if info.resolution else 'audio'}"] = (frames, total)
    return results


def create(client: httpx.Client, body: dict[str, object]) -> dict[str, object]:
    response = client.post("/video/v1/assets", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()["data"]
    return data


def test_h264_asset_plays_as_adaptive_hls(media_server: Server, file_server: str) -> None:
    with media_server.client() as client:
        asset = create(
            client,
            {
                "input": [
                    {"url": f"{file_server}/h264_720p.mp4"},
                    {
                        "url": f"{file_server}/subs.srt",
                        "type": "text",
                        "text_type": "subtitles",
                        "language_code": "en",
                        "name": "English",
                    },
                    {
                        "url": f"{file_server}/dub.m4a",
                        "type": "audio",
                        "language_code": "fr",
                        "name": "French",
                    },
                ],
                "playback_policy": ["public"],
                "mp4_support": "audio-only,capped-1080p",
                "master_access": "temporary",
            },
        )
        ready = wait_for_asset(client, str(asset["id"]))
        assert ready["status"] == "ready", ready
        assert ready["duration"] == pytest.approx(6.0, abs=0.2)
        assert ready["resolution_tier"] == "720p"
        assert ready["max_stored_frame_rate"] == pytest.approx(30.0, abs=0.1)
        assert ready["aspect_ratio"] == "16:9"
        kinds = sorted(t["type"] for t in ready["tracks"])  # type: ignore[union-attr]
        assert kinds == ["audio", "audio", "text", "video"]
        assert all(t["status"] == "ready" for t in ready["tracks"])  # type: ignore[union-attr]
        playback_id = ready["playback_ids"][0]["id"]  # type: ignore[index]

        master_text = client.get(f"/stream/{playback_id}.m3u8").text
        assert "TYPE=SUBTITLES" in master_text and 'LANGUAGE="en"' in master_text
        assert "TYPE=AUDIO" in master_text and 'LANGUAGE="fr"' in master_text
        assert "FRAME-RATE=" in master_text and "AVERAGE-BANDWIDTH=" in master_text

        renditions = walk_hls(client, playback_id)
        assert set(renditions) == {"720", "480", "360"}
        for frames, seconds in renditions.values():
            assert seconds == pytest.approx(6.0, abs=0.2)
            assert frames == pytest.approx(180, abs=3)

        capped = client.get(f"/video/v1/assets/{asset['id']}").json()["data"]
        deadline = time.monotonic() + 60
        while capped["static_renditions"]["status"] != "ready" or capped["master"]["status"] != "ready":
            assert time.monotonic() < deadline, capped
            time.sleep(0.3)
            capped = client.get(f"/video/v1/assets/{asset['id']}").json()["data"]
        names = {f["name"] for f in capped["static_renditions"]["files"]}
        assert names == {"capped-1080p.mp4", "audio.m4a"}

        mp4 = client.get(f"/stream/{playback_id}/capped-1080p.mp4")
        assert mp4.status_code == 200 and mp4.headers["content-type"] == "video/mp4"
        frames, seconds, audio_frames = decode_frames(mp4.content)
        assert frames == pytest.approx(180, abs=3) and audio_frames > 0
        ranged = client.get(f"/stream/{playback_id}/capped-1080p.mp4", headers={"Range": "bytes=0-99"})
        assert ranged.status_code == 206 and len(ranged.content) == 100
        assert ranged.content == mp4.content[:100]

        m4a = client.get(f"/stream/{playback_id}/audio.m4a")
        frames, _, audio_frames = decode_frames(m4a.content)
        assert frames == 0 and audio_frames > 0

        master_download = httpx.get(capped["master"]["url"], timeout=60)
        assert master_download.status_code == 200
        assert decode_frames(master_download.content)[0] == pytest.approx(180, abs=3)

        vtt_playlist = m3u8.loads(client.get(f"/stream/{playback_id}/text/{_text_track(ready)}.m3u8").text)
        vtt = client.get(f"/stream/{playback_id}/text/{vtt_playlist.segments[0].uri}").text
        assert vtt.startswith("WEBVTT") and "Hello" in vtt

        # Deleting the asset stops playback at once.
        assert client.delete(f"/video/v1/assets/{asset['id']}").status_code == 204
        assert client.get(f"/stream/{playback_id}.m3u8").status_code == 404
        assert client.get(f"/stream/{playback_id}/capped-1080p.mp4").status_code == 404


def _text_track(asset: dict[str, object]) -> str:
    return next(str(t["id"]) for t in asset["tracks"] if t["type"] == "text")  # type: ignore[union-attr]


def test_vp9_webm_is_reencoded_and_images_render(media_server: Server, file_server: str) -> None:
    with media_server.client() as client:
        asset = create(client, {"input": f"{file_server}/vp9.webm", "playback_policy": "public"})
        ready = wait_for_asset(client, str(asset["id"]))
        assert ready["status"] == "ready", ready
        assert ready["duration"] == pytest.approx(4.0, abs=0.2)
        playback_id = ready["playback_ids"][0]["id"]  # type: ignore[index]
        renditions = walk_hls(client, playback_id)
        assert set(renditions) == {"360"}
        frames, _ = renditions["360"]
        assert frames == pytest.approx(100, abs=3)

        thumb = client.get(f"/image/{playback_id}/thumbnail.jpg", params={"time": 1, "width": 200})
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
        with av.open(io.BytesIO(thumb.content)) as image:
            frame = next(image.decode(video=0))
            assert (frame.width, frame.height) == (200, 112) or frame.width == 200
        for ext in ("png", "webp"):
            response = client.get(
                f"/image/{playback_id}/thumbnail.{ext}",
                params={"width": 100, "height": 100, "fit_mode": "pad"},
            )
            assert response.status_code == 200
            with av.open(io.BytesIO(response.content)) as image:
                frame = next(image.decode(video=0))
                assert (frame.width, frame.height) == (100, 100)

        gif = client.get(f"/image/{playback_id}/animated.gif", params={"start": 0, "end": 2, "fps": 10})
        assert gif.status_code == 200 and gif.content[:3] == b"GIF"
        with av.open(io.BytesIO(gif.content)) as image:
            frames = list(image.decode(video=0))
            assert len(frames) >= 15 and frames[0].width == 320

        vtt = client.get(f"/image/{playback_id}/storyboard.vtt")
        assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT") and "#xywh=" in vtt.text
        sprite_url = vtt.text.split("\n")[3].split("#")[0]
        sprite = httpx.get(sprite_url, timeout=30)
        assert sprite.status_code == 200 and sprite.headers["content-type"] == "image/jpeg"

        # Host-based routing, as stream.mux.com / image.mux.com serve it.
        via_host = client.get(f"/{playback_id}.m3u8", headers={"Host": "stream.example.com"})
        assert via_host.status_code == 200 and via_host.text.startswith("#EXTM3U")
        via_image = client.get(f"/{playback_id}/thumbnail.jpg", headers={"Host": "image.example.com"})
        assert via_image.status_code == 200 and via_image.headers["content-type"] == "image/jpeg"

        bad = client.get(f"/image/{playback_id}/thumbnail.jpg", params={"fit_mode": "squish"})
        assert bad.status_code == 400 and bad.json()["code"] == 3
        assert (
            client.get(f"/image/{playback_id}/animated.gif", params={"start": 0, "end": 30}).status_code
            == 400
        )


def test_not_media_input_errors_and_server_stays_healthy(media_server: Server, file_server: str) -> None:
    with media_server.client() as client:
        bad = create(client, {"input": f"{file_server}/not_media.mp4"})
        missing = create(client, {"input": f"{file_server}/does-not-exist.mp4"})
        for asset in (bad, missing):
            done = wait_for_asset(client, str(asset["id"]))
            assert done["status"] == "errored"
            errors = done["errors"]
            assert errors["type"] == "invalid_input" and errors["messages"][0]  # type: ignore[index]
        assert "404" in done["errors"]["messages"][0]  # type: ignore[index]
        assert client.get("/healthz").status_code == 200


def test_clip_start_end_and_test_asset(media_server: Server, file_server: str) -> None:
    with media_server.client() as client:
        clipped = create(
            client,
            {
                "input": [{"url": f"{file_server}/h264_720p.mp4", "start_time": 1, "end_time": 4}],
                "playback_policy": ["public"],
                "max_resolution_tier": "1080p",
                "video_quality": "basic",
            },
        )
        ready = wait_for_asset(client, str(clipped["id"]))
        assert ready["status"] == "ready", ready
        assert ready["duration"] == pytest.approx(3.0, abs=0.2)
        renditions = walk_hls(client, ready["playback_ids"][0]["id"])  # type: ignore[index]
        assert renditions["720"][0] == pytest.approx(90, abs=3)

        # A clip of an existing asset by mux://assets/{id}.
        source_id = clipped["id"]
        again = create(
            client,
            {
                "input": [{"url": f"mux://assets/{source_id}", "start_time": 0, "end_time": 2}],
                "playback_policy": ["public"],
            },
        )
        done = wait_for_asset(client, str(again["id"]))
        assert done["status"] == "ready", done
        assert done["ingest_type"] == "on_demand_clip" and done["source_asset_id"] == source_id


def test_tracks_added_and_deleted_on_ready_asset(media_server: Server, file_server: str) -> None:
    with media_server.client() as client:
        asset = create(client, {"input": f"{file_server}/h264_720p.mp4", "playback_policy": ["public"]})
        assert wait_for_asset(client, str(asset["id"]))["status"] == "ready"
        track = client.post(
            f"/video/v1/assets/{asset['id']}/tracks",
            json={
                "url": f"{file_server}/subs.vtt",
                "type": "text",
                "text_type": "subtitles",
                "language_code": "fr",
                "name": "Français",
            },
        )
        assert track.status_code == 201, track.text
        track_id = track.json()["data"]["id"]
        deadline = time.monotonic() + 30
        while True:
            data = client.get(f"/video/v1/assets/{asset['id']}").json()["data"]
            status = next(t["status"] for t in data["tracks"] if t["id"] == track_id)
            if status != "preparing" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert status == "ready"
        playback_id = data["playback_ids"][0]["id"]
        assert 'LANGUAGE="fr"' in client.get(f"/stream/{playback_id}.m3u8").text
        assert client.delete(f"/video/v1/assets/{asset['id']}/tracks/{track_id}").status_code == 204
        assert 'LANGUAGE="fr"' not in client.get(f"/stream/{playback_id}.m3u8").text
        client.delete(f"/video/v1/assets/{asset['id']}")
        gone = client.post(
            f"/video/v1/assets/{asset['id']}/tracks",
            json={
                "url": f"{file_server}/subs.vtt",
                "type": "text",
                "text_type": "subtitles",
                "language_code": "fr",
            },
        )
        assert gone.status_code == 404 and gone.json()["error"]["type"] == "not_found"


def _long_input(media_dir: Path) -> Path:
    from tests.conftest import ffmpeg

    path = media_dir / "long_1080p.mp4"
    if not path.exists():
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine", "-t", "20",
               "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac",
               "-shortest", str(path))  # fmt: skip
    return path


def test_crash_mid_transcode_resumes(tmp_path: Path, file_server: str, media_dir: Path) -> None:
    """Kill -9 the server during a one-pass transcode; after a restart the asset still becomes ready."""
    _long_input(media_dir)
    server = Server(data_dir=tmp_path / "crash", database=None)
    server.start()
    try:
        with server.client() as client:
            # Clipping takes the one-pass ladder (not just in time), so there is a transcode to interrupt.
            body = {
                "input": [{"url": f"{file_server}/long_1080p.mp4", "start_time": 0.5}],
                "playback_policy": ["public"],
            }
            asset = create(client, body)
            deadline = time.monotonic() + 60
            while True:
                data = client.get(f"/video/v1/assets/{asset['id']}").json()["data"]
                if data["progress"]["state"] == "transcoding" or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert data["status"] == "preparing"
        server.stop(kill=True)
        server.start()
        with server.client() as client:
            ready = wait_for_asset(client, str(asset["id"]), timeout=180)
            assert ready["status"] == "ready", ready
            assert ready["duration"] == pytest.approx(19.5, abs=0.2)
            renditions = walk_hls(client, ready["playback_ids"][0]["id"])  # type: ignore[index]
            assert set(renditions) == {"1080", "720", "480", "360"}
            assert renditions["1080"][0] == pytest.approx(585, abs=3)
    finally:
        server.stop()


def _playlists(client: httpx.Client, playback_id: str) -> dict[str, str]:
    master = client.get(f"/stream/{playback_id}.m3u8").text
    parsed = m3u8.loads(master, uri=f"{client.base_url}/stream/{playback_id}.m3u8")
    return {"master": master, **{p.uri: client.get(p.absolute_uri).text for p in parsed.playlists}}


def test_just_in_time_ready_and_every_segment_plays(
    tmp_path: Path, file_server: str, media_dir: Path
) -> None:
    """Ready before the ladder exists; a player walking every rung (and seeking to the end) gets it all;
    the playlists never change; a crash during the background ladder loses nothing."""
    _long_input(media_dir)
    server = Server(data_dir=tmp_path / "jit", database=None)
    server.start()
    try:
        with server.client() as client:
            started = time.monotonic()
            asset = create(client, {"input": f"{file_server}/long_1080p.mp4", "playback_policy": ["public"],
                                    "mp4_support": "capped-1080p"})  # fmt: skip
            ready = wait_for_asset(client, str(asset["id"]), timeout=60)
            ready_after = time.monotonic() - started
            assert ready["status"] == "ready" and ready["duration"] == pytest.approx(20.0, abs=0.1)
            assert ready_after < 5, ready_after
            playback_id = ready["playback_ids"][0]["id"]  # type: ignore[index]
            at_ready = _playlists(client, playback_id)
            # A seek to the very end of the lowest rung right after ready is served (made on request).
            low = m3u8.loads(at_ready[f"{playback_id}/hls/360p/index.m3u8"])
            last = client.get(f"/stream/{playback_id}/hls/360p/{low.segments[-1].uri}")
            assert last.status_code == 200 and decode_frames(last.content)[0] == pytest.approx(
                round(low.segments[-1].duration * 30), abs=1
            )
        server.stop(kill=True)  # in the middle of the background ladder
        server.start()
        with server.client() as client:
            renditions = walk_hls(client, playback_id)
            assert set(renditions) == {"1080", "720", "480", "360"}
            for frames, seconds in renditions.values():
                assert frames == 600 and seconds == pytest.approx(20.0, abs=0.05)
            deadline = time.monotonic() + 120
            while (
                client.get(f"/video/v1/assets/{asset['id']}").json()["data"]["static_renditions"]["status"]
                != "ready"
            ):
                assert time.monotonic() < deadline, "the background ladder never finished"
                time.sleep(0.5)
            assert _playlists(client, playback_id) == at_ready
            mp4 = client.get(f"/stream/{playback_id}/capped-1080p.mp4")
            assert decode_frames(mp4.content)[0] == pytest.approx(600, abs=2)
    finally:
        server.stop()


def test_watermark_loudness_and_test_assets(media_server: Server, file_server: str) -> None:
    with media_server.client() as client:
        marked = create(
            client,
            {
                "input": [
                    {"url": f"{file_server}/h264_720p.mp4"},
                    {
                        "url": f"{file_server}/logo.png",
                        "overlay_settings": {
                            "vertical_align": "bottom",
                            "vertical_margin": "5%",
                            "horizontal_align": "right",
                            "horizontal_margin": "20px",
                            "width": "25%",
                            "opacity": "100%",
                        },
                    },
                ],
                "normalize_audio": True,
                "playback_policy": ["public"],
            },
        )
        short = create(
            client, {"input": f"{file_server}/h264_13s.mp4", "test": True, "playback_policy": ["public"]}
        )
        ready = wait_for_asset(client, str(marked["id"]))
        assert ready["status"] == "ready", ready
        assert ready["normalize_audio"] is True
        playback_id = ready["playback_ids"][0]["id"]  # type: ignore[index]
        # The logo is pure red: the bottom-right corner of a frame must be red, the top-left must not.
        thumb = client.get(f"/image/{playback_id}/thumbnail.png", params={"time": 1})
        with av.open(io.BytesIO(thumb.content)) as image:
            frame = next(image.decode(video=0)).reformat(format="rgb24")
        plane = bytes(frame.planes[0])

        def pixel(x: float, y: float) -> tuple[int, ...]:
            offset = int(y * frame.height) * frame.planes[0].line_size + int(x * frame.width) * 3
            return tuple(plane[offset : offset + 3])

        red, green, blue = pixel(0.9, 0.93)
        assert red > 200 and green < 60 and blue < 60, (red, green, blue)
        red, green, blue = pixel(0.05, 0.05)
        assert not (red > 200 and green < 60 and blue < 60)

        done = wait_for_asset(client, str(short["id"]))
        assert done["status"] == "ready" and done["test"] is True
        assert done["duration"] == pytest.approx(10.0, abs=0.2)

        # Deleting a playback ID stops it at once, while the asset's other playback IDs keep playing.
        extra = client.post(
            f"/video/v1/assets/{marked['id']}/playback-ids", json={"policy": "public"}
        ).json()["data"]
        assert client.get(f"/stream/{extra['id']}.m3u8").status_code == 200
        assert client.delete(f"/video/v1/assets/{marked['id']}/playback-ids/{extra['id']}").status_code == 204
        assert client.get(f"/stream/{extra['id']}.m3u8").status_code == 404
        assert client.get(f"/stream/{playback_id}.m3u8").status_code == 200

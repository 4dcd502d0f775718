"""The RTMP server against a real ffmpeg publisher and misbehaving clients."""

from __future__ import annotations

import asyncio
import io
import os

import av

from vitascope.ingest.rtmp import PublishRejected, RtmpServer
from vitascope.media.ffmpeg import ffmpeg_exe
from vitascope.media.flv import flv_header, flv_tag


class RecordingPublisher:
    def __init__(self) -> None:
        self.tags: list[tuple[int, int, bytes]] = []
        self.metadata: dict[str, object] | None = None
        self.closed: list[str] = []
        self.done = asyncio.Event()

    async def on_metadata(self, metadata: dict[str, object]) -> None:
        self.metadata = metadata

    async def on_video(self, timestamp_ms: int, payload: bytes) -> None:
        self.tags.append((9, timestamp_ms, payload))

    async def on_audio(self, timestamp_ms: int, payload: bytes) -> None:
        self.tags.append((8, timestamp_ms, payload))

    async def close(self, reason: str) -> None:
        self.closed.append(reason)
        self.done.set()


class Handler:
    def __init__(self) -> None:
        self.publishers: dict[str, RecordingPublisher] = {}

    async def start_publish(self, app: str, stream_key: str, peer: str) -> RecordingPublisher:
        if stream_key == "refused":
            raise PublishRejected("NetStream.Publish.BadName", "unknown key")
        publisher = RecordingPublisher()
        self.publishers[stream_key] = publisher
        return publisher


async def publish(port: int, key: str, seconds: float) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
        "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac",
        "-f", "flv", f"rtmp://127.0.0.1:{port}/app/{key}",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def test_publish_receives_media_that_decodes() -> None:
    handler = Handler()
    server = RtmpServer("127.0.0.1", 0, handler, idle_timeout=2.0)
    await server.start()
    try:
        process = await publish(server.port, "key1", 3)
        assert await asyncio.wait_for(process.wait(), 30) == 0
        publisher = handler.publishers["key1"]
        await asyncio.wait_for(publisher.done.wait(), 10)
    finally:
        await server.close()
    assert len(publisher.closed) == 1
    assert publisher.metadata is not None and publisher.metadata.get("width") == 320.0
    video = [t for t in publisher.tags if t[0] == 9]
    audio = [t for t in publisher.tags if t[0] == 8]
    assert video[0][2][0] & 0x0F == 7 and video[0][2][1] == 0  # AVC sequence header first
    assert (audio[0][2][0] >> 4) == 10 and audio[0][2][1] == 0  # AAC sequence header first
    assert [t[1] for t in video] == sorted(t[1] for t in video)
    flv = flv_header(has_audio=True, has_video=True) + b"".join(
        flv_tag(k, ts, p) for k, ts, p in publisher.tags
    )
    with av.open(io.BytesIO(flv), format="flv") as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert 70 <= frames <= 76


async def test_misbehaving_clients_cost_only_their_connection() -> None:
    handler = Handler()
    server = RtmpServer("127.0.0.1", 0, handler, idle_timeout=1.0)
    await server.start()
    try:
        good = await publish(server.port, "good", 4)
        garbage_reader, garbage = await asyncio.open_connection("127.0.0.1", server.port)
        garbage.write(b"\x03" + os.urandom(1536) + os.urandom(1536) + os.urandom(4096))
        half_reader, half = await asyncio.open_connection("127.0.0.1", server.port)
        half.write(b"\x03" + b"\x00" * 100)
        wrong_reader, wrong = await asyncio.open_connection("127.0.0.1", server.port)
        wrong.write(b"\x06" + b"\x00" * 1536)
        for reader in (garbage_reader, half_reader, wrong_reader):
            await asyncio.wait_for(reader.read(), 15)  # the server closes each one
        refused = await publish(server.port, "refused", 2)
        assert await asyncio.wait_for(refused.wait(), 30) != 0
        assert await asyncio.wait_for(good.wait(), 30) == 0
        for writer in (garbage, half, wrong):
            writer.close()
    finally:
        await server.close()
    assert set(handler.publishers) == {"good"}
    assert len([t for t in handler.publishers["good"].tags if t[0] == 9]) > 90


async def test_disconnect_drops_a_live_publisher_and_two_publish_at_once() -> None:
    handler = Handler()
    server = RtmpServer("127.0.0.1", 0, handler, idle_timeout=5.0)
    await server.start()
    try:
        first = await publish(server.port, "one", 30)
        second = await publish(server.port, "two", 3)
        for _ in range(200):
            if server.active_keys() == {"one", "two"}:
                break
            await asyncio.sleep(0.05)
        assert server.active_keys() == {"one", "two"}
        assert server.disconnect("one")
        await asyncio.wait_for(handler.publishers["one"].done.wait(), 10)
        await asyncio.wait_for(first.wait(), 15)
        assert await asyncio.wait_for(second.wait(), 30) == 0
    finally:
        await server.close()
    assert handler.publishers["one"].closed and handler.publishers["two"].closed

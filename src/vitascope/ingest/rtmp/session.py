"""One RTMP connection: handshake, commands, and media handed to a publisher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from typing import Any

from vitascope.ingest.rtmp import amf
from vitascope.ingest.rtmp.chunk import (
    ACKNOWLEDGEMENT,
    AUDIO,
    COMMAND_AMF0,
    COMMAND_AMF3,
    DATA_AMF0,
    DATA_AMF3,
    SET_CHUNK_SIZE,
    SET_PEER_BANDWIDTH,
    USER_CONTROL,
    VIDEO,
    WINDOW_ACK_SIZE,
    ChunkReader,
    ChunkWriter,
    Message,
)
from vitascope.ingest.rtmp.handshake import HANDSHAKE_SIZE, server_response
from vitascope.ingest.rtmp.ports import Publisher, PublishHandler, PublishRejected

log = logging.getLogger(__name__)

WINDOW = 2_500_000
OUT_CHUNK_SIZE = 4096
HANDSHAKE_TIMEOUT = 5.0
_CONTROL_CSID, _COMMAND_CSID = 2, 3
_STREAM_BEGIN, _PING_REQUEST, _PING_RESPONSE = 0, 6, 7


class SessionClosed(Exception):
    """The connection ends (client left, protocol error, or we dropped it)."""


class RtmpSession:
    """Serves one client connection until it closes or is dropped."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        publishers: PublishHandler,
        *,
        idle_timeout: float,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.publishers = publishers
        self.idle_timeout = idle_timeout
        self.chunks = ChunkReader()
        self.out = ChunkWriter()
        self.app = ""
        self.stream_key: str | None = None
        self.publisher: Publisher | None = None
        self.received = 0
        self.acknowledged = 0
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)

    async def run(self) -> None:
        """Handshake, then read and handle messages until the connection ends."""
        try:
            async with asyncio.timeout(HANDSHAKE_TIMEOUT):
                await self._handshake()
            while True:
                async with asyncio.timeout(self.idle_timeout):
                    data = await self.reader.read(65536)
                if not data:
                    break
                self.received += len(data)
                for message in self.chunks.feed(data):
                    await self._handle(message)
                await self._acknowledge()
        except TimeoutError:
            log.info("rtmp %s: timed out", self.peer)
        except (ValueError, SessionClosed, ConnectionError, asyncio.IncompleteReadError) as exc:
            log.info("rtmp %s: closing: %s", self.peer, exc or type(exc).__name__)
        finally:
            await self._end_publish("connection closed")
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()

    async def _handshake(self) -> None:
        c0c1 = await self.reader.readexactly(1 + HANDSHAKE_SIZE)
        self.writer.write(server_response(c0c1))
        await self.writer.drain()
        await self.reader.readexactly(HANDSHAKE_SIZE)

    async def _acknowledge(self) -> None:
        if self.received - self.acknowledged >= WINDOW:
            self.acknowledged = self.received
            await self._send(_CONTROL_CSID, ACKNOWLEDGEMENT, 0, struct.pack(">I", self.received & 0xFFFFFFFF))

    async def _send(self, csid: int, type_id: int, stream_id: int, payload: bytes) -> None:
        self.writer.write(self.out.write(csid, Message(type_id, stream_id, 0, payload)))
        await self.writer.drain()

    async def _command(self, stream_id: int, *values: Any) -> None:
        await self._send(_COMMAND_CSID, COMMAND_AMF0, stream_id, amf.encode_all(*values))

    async def _status(self, level: str, code: str, description: str) -> None:
        info = {"level": level, "code": code, "description": description}
        await self._command(1, "onStatus", 0, None, info)

    async def _handle(self, message: Message) -> None:
        if message.type_id in (AUDIO, VIDEO):
            if self.publisher is None:
                return
            if message.type_id == VIDEO:
                await self.publisher.on_video(message.timestamp, message.payload)
            else:
                await self.publisher.on_audio(message.timestamp, message.payload)
        elif message.type_id in (COMMAND_AMF0, COMMAND_AMF3):
            payload = message.payload[1:] if message.type_id == COMMAND_AMF3 else message.payload
            values = amf.decode_all(payload)
            if len(values) < 2 or not isinstance(values[0], str):
                raise ValueError("malformed RTMP command")
            await self._on_command(values[0], values[1], values[2:], message.stream_id)
        elif message.type_id in (DATA_AMF0, DATA_AMF3):
            payload = message.payload[1:] if message.type_id == DATA_AMF3 else message.payload
            values = amf.decode_all(payload)
            if values and values[0] == "@setDataFrame":
                values = values[1:]
            is_metadata = len(values) >= 2 and values[0] == "onMetaData" and isinstance(values[1], dict)
            if is_metadata and self.publisher is not None:
                await self.publisher.on_metadata(values[1])
        elif message.type_id == USER_CONTROL and len(message.payload) >= 6:
            event = struct.unpack(">H", message.payload[:2])[0]
            if event == _PING_REQUEST:
                reply = struct.pack(">H", _PING_RESPONSE) + message.payload[2:6]
                await self._send(_CONTROL_CSID, USER_CONTROL, 0, reply)

    async def _on_command(self, name: str, transaction: Any, args: list[Any], stream_id: int) -> None:
        if name == "connect":
            properties = args[0] if args and isinstance(args[0], dict) else {}
            self.app = str(properties.get("app", ""))
            await self._send(_CONTROL_CSID, WINDOW_ACK_SIZE, 0, struct.pack(">I", WINDOW))
            await self._send(_CONTROL_CSID, SET_PEER_BANDWIDTH, 0, struct.pack(">IB", WINDOW, 2))
            await self._send(_CONTROL_CSID, SET_CHUNK_SIZE, 0, struct.pack(">I", OUT_CHUNK_SIZE))
            self.out.chunk_size = OUT_CHUNK_SIZE
            await self._command(
                0,
                "_result",
                transaction,
                {"fmsVer": "FMS/3,0,1,123", "capabilities": 31},
                {"level": "status", "code": "NetConnection.Connect.Success",
                 "description": "Connection succeeded.", "objectEncoding": 0},
            )  # fmt: skip
        elif name == "createStream":
            await self._command(0, "_result", transaction, None, 1)
        elif name in ("releaseStream", "FCPublish"):
            if name == "FCPublish" and len(args) > 1:
                await self._command(0, "onFCPublish", 0, None, {"code": "NetStream.Publish.Start"})
            await self._command(0, "_result", transaction, None, None)
        elif name == "publish":
            await self._publish(args)
        elif name in ("FCUnpublish", "deleteStream", "closeStream"):
            await self._end_publish("unpublished")
        elif name not in ("getStreamLength", "_checkbw", "@setDataFrame"):
            log.debug("rtmp %s: ignoring command %s", self.peer, name)

    async def _publish(self, args: list[Any]) -> None:
        if self.publisher is not None:
            raise SessionClosed("a second publish on one connection")
        raw_name = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
        stream_key = raw_name.split("?", 1)[0]
        try:
            if not stream_key:
                raise PublishRejected("NetStream.Publish.BadName", "no stream key")
            self.publisher = await self.publishers.start_publish(self.app, stream_key, self.peer)
        except PublishRejected as exc:
            log.info("rtmp %s: publish refused: %s", self.peer, exc.description)
            await self._status("error", exc.code, exc.description)
            raise SessionClosed(f"publish refused ({exc.code})") from None
        self.stream_key = stream_key
        await self._send(_CONTROL_CSID, USER_CONTROL, 0, struct.pack(">HI", _STREAM_BEGIN, 1))
        await self._status("status", "NetStream.Publish.Start", f"{stream_key} is now published.")

    async def _end_publish(self, reason: str) -> None:
        publisher, self.publisher = self.publisher, None
        if publisher is not None:
            await publisher.close(reason)

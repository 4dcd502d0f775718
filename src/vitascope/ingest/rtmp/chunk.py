"""The RTMP chunk stream: reassembling messages from chunks, and splitting messages into chunks (pure)."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

DEFAULT_CHUNK_SIZE = 128
MAX_CHUNK_SIZE = 1 << 24
MAX_MESSAGE_SIZE = 16 * 1024 * 1024
MAX_PARTIAL_MESSAGES = 64
EXTENDED = 0xFFFFFF

SET_CHUNK_SIZE, ABORT, ACKNOWLEDGEMENT, USER_CONTROL = 1, 2, 3, 4
WINDOW_ACK_SIZE, SET_PEER_BANDWIDTH = 5, 6
AUDIO, VIDEO = 8, 9
DATA_AMF3, COMMAND_AMF3, DATA_AMF0, COMMAND_AMF0 = 15, 17, 18, 20


@dataclass(frozen=True)
class Message:
    """A complete RTMP message."""

    type_id: int
    stream_id: int
    timestamp: int
    payload: bytes


@dataclass
class _ChunkStream:
    timestamp: int = 0
    delta: int = 0
    length: int = 0
    type_id: int = 0
    stream_id: int = 0
    extended: bool = False
    started: bool = False
    partial: bytearray = field(default_factory=bytearray)


class ChunkReader:
    """Feed bytes in, get complete messages out; malformed or oversized input raises ``ValueError``."""

    def __init__(self, max_message_size: int = MAX_MESSAGE_SIZE) -> None:
        self.chunk_size = DEFAULT_CHUNK_SIZE
        self.max_message_size = max_message_size
        self._buffer = bytearray()
        self._streams: dict[int, _ChunkStream] = {}

    @property
    def buffered(self) -> int:
        """Bytes held: unparsed input plus partially assembled messages."""
        return len(self._buffer) + sum(len(s.partial) for s in self._streams.values())

    def feed(self, data: bytes) -> list[Message]:
        """Add received bytes; returns the messages they completed."""
        self._buffer += data
        messages: list[Message] = []
        while True:
            message, consumed = self._parse_chunk()
            if consumed == 0:
                break
            del self._buffer[:consumed]
            if message is None:
                continue
            if message.type_id == SET_CHUNK_SIZE:
                self._set_chunk_size(message.payload)
            elif message.type_id == ABORT and len(message.payload) >= 4:
                aborted = self._streams.get(struct.unpack(">I", message.payload[:4])[0])
                if aborted is not None:
                    aborted.partial = bytearray()
            messages.append(message)
        return messages

    def _set_chunk_size(self, payload: bytes) -> None:
        if len(payload) < 4:
            raise ValueError("set chunk size message is truncated")
        size = struct.unpack(">I", payload[:4])[0] & 0x7FFFFFFF
        if not 1 <= size <= MAX_CHUNK_SIZE:
            raise ValueError(f"invalid chunk size {size}")
        self.chunk_size = size

    def _parse_chunk(self) -> tuple[Message | None, int]:
        """Parse one chunk from the buffer: (completed message or None, bytes consumed; 0 = need more)."""
        buf = self._buffer
        if not buf:
            return None, 0
        fmt = buf[0] >> 6
        csid = buf[0] & 0x3F
        pos = 1
        if csid == 0:
            if len(buf) < 2:
                return None, 0
            csid = 64 + buf[1]
            pos = 2
        elif csid == 1:
            if len(buf) < 3:
                return None, 0
            csid = 64 + buf[1] + buf[2] * 256
            pos = 3
        header_size = (11, 7, 3, 0)[fmt]
        if len(buf) < pos + header_size:
            return None, 0
        stream = self._streams.get(csid)
        if stream is None:
            if fmt != 0 and fmt != 1:
                raise ValueError(f"chunk stream {csid} starts without a full message header")
            if len(self._streams) >= MAX_PARTIAL_MESSAGES:
                raise ValueError("too many chunk streams")
            stream = _ChunkStream()
        header = buf[pos : pos + header_size]
        pos += header_size
        timestamp_field = int.from_bytes(header[0:3], "big") if fmt <= 2 else 0
        extended = timestamp_field == EXTENDED if fmt <= 2 else stream.extended
        if extended:
            if len(buf) < pos + 4:
                return None, 0
            timestamp_field = struct.unpack(">I", buf[pos : pos + 4])[0]
            pos += 4
        starting = not stream.partial
        length, type_id, stream_id = stream.length, stream.type_id, stream.stream_id
        if fmt <= 1:
            length = int.from_bytes(header[3:6], "big")
            type_id = header[6]
            if length > self.max_message_size:
                raise ValueError(f"message of {length} bytes exceeds the {self.max_message_size} byte limit")
        if fmt == 0:
            stream_id = struct.unpack("<I", header[7:11])[0]
        needed = min(self.chunk_size, length - len(stream.partial))
        if len(buf) < pos + needed:
            return None, 0
        # Only now, with the whole chunk available, commit the header to the stream's state.
        if fmt == 0:
            stream.timestamp = timestamp_field
            stream.delta = 0
        elif fmt in (1, 2):
            stream.delta = timestamp_field
            if starting:
                stream.timestamp = (stream.timestamp + stream.delta) & 0xFFFFFFFF
        elif starting and stream.started:
            stream.timestamp = (stream.timestamp + stream.delta) & 0xFFFFFFFF
        stream.length, stream.type_id, stream.stream_id = length, type_id, stream_id
        stream.extended = extended
        stream.started = True
        self._streams[csid] = stream
        stream.partial += buf[pos : pos + needed]
        pos += needed
        if len(stream.partial) < stream.length:
            return None, pos
        payload = bytes(stream.partial)
        stream.partial = bytearray()
        return Message(stream.type_id, stream.stream_id, stream.timestamp, payload), pos


class ChunkWriter:
    """Splits outgoing messages into chunks of the negotiated size."""

    def __init__(self) -> None:
        self.chunk_size = DEFAULT_CHUNK_SIZE

    def write(self, csid: int, message: Message) -> bytes:
        """The chunks of one message: a type-0 header first, type-3 continuations after."""
        if not 2 <= csid <= 63:
            raise ValueError("only one-byte chunk stream ids are written")
        timestamp = message.timestamp & 0xFFFFFFFF
        extended = timestamp >= EXTENDED
        header = bytes([csid]) + (EXTENDED if extended else timestamp).to_bytes(3, "big")
        header += len(message.payload).to_bytes(3, "big") + bytes([message.type_id])
        header += struct.pack("<I", message.stream_id)
        ext = struct.pack(">I", timestamp) if extended else b""
        out = bytearray(header + ext)
        payload = message.payload
        for offset in range(0, max(len(payload), 1), self.chunk_size):
            if offset:
                out += bytes([0xC0 | csid]) + ext
            out += payload[offset : offset + self.chunk_size]
        return bytes(out)

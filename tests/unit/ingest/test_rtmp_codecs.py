"""RTMP wire codecs on bytes: AMF0, handshake, chunk stream (including malformed and fuzzed input)."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vitascope.ingest.rtmp import amf
from vitascope.ingest.rtmp.chunk import ChunkReader, ChunkWriter, Message
from vitascope.ingest.rtmp.handshake import HANDSHAKE_SIZE, server_response


def test_amf_round_trip() -> None:
    values = [
        "connect",
        1.0,
        {"app": "live", "tcUrl": "rtmp://x/live", "n": 3.5, "ok": True},
        None,
        [1.0, "a"],
    ]
    assert amf.decode_all(amf.encode_all(*values)) == values


def test_amf_ecma_array_and_long_string() -> None:
    ecma = (
        bytes([amf.ECMA_ARRAY]) + struct.pack(">I", 1) + b"\x00\x05width" + amf.encode(640) + b"\x00\x00\x09"
    )
    assert amf.decode_all(ecma) == [{"width": 640.0}]
    long_text = "x" * 70000
    assert amf.decode_all(amf.encode(long_text)) == [long_text]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01\x02", "truncated"),
        (b"\x02\x00\x10ab", "truncated"),
        (b"\x03\x00\x01a", "truncated"),
        (b"\x0d", "unsupported AMF0 marker"),
        (b"\x0a\xff\xff\xff\xff", "too long"),
        (b"\x03" + b"\x00\x01a\x03" * 40, "nested too deeply"),
    ],
)
def test_amf_malformed(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        amf.decode_all(data)


@given(st.binary(max_size=512))
@settings(max_examples=400, deadline=None)
def test_amf_fuzz_only_value_errors(data: bytes) -> None:
    with contextlib.suppress(ValueError):
        amf.decode_all(data)


def test_handshake() -> None:
    c1 = bytes(range(256)) * 6
    response = server_response(b"\x03" + c1)
    assert len(response) == 1 + 2 * HANDSHAKE_SIZE
    assert response[0] == 3
    s2 = response[1 + HANDSHAKE_SIZE :]
    assert s2[:4] == c1[:4] and s2[8:] == c1[8:]
    with pytest.raises(ValueError, match="unsupported RTMP version 6"):
        server_response(b"\x06" + c1)
    with pytest.raises(ValueError, match="1537 bytes"):
        server_response(b"\x03" + c1[:100])


def test_chunks_round_trip_across_sizes_and_interleaving() -> None:
    writer = ChunkWriter()
    writer.chunk_size = 100
    big = Message(9, 1, 1234, bytes(range(256)) * 3)
    small = Message(8, 1, 1240, b"audio")
    data = writer.write(6, big) + writer.write(4, small)
    reader = ChunkReader()
    reader.chunk_size = 100
    got: list[Message] = []
    for i in range(0, len(data), 7):  # arbitrary TCP segmentation
        got += reader.feed(data[i : i + 7])
    assert got == [big, small]
    assert reader.buffered == 0


def test_set_chunk_size_applies_to_following_chunks() -> None:
    writer = ChunkWriter()
    set_size = writer.write(2, Message(1, 0, 0, struct.pack(">I", 4096)))
    writer.chunk_size = 4096
    media = writer.write(6, Message(9, 1, 0, b"v" * 3000))
    messages = ChunkReader().feed(set_size + media)
    assert [m.type_id for m in messages] == [1, 9]
    assert messages[1].payload == b"v" * 3000


def test_extended_timestamp_and_deltas() -> None:
    writer = ChunkWriter()
    message = Message(9, 1, 0x1234567, b"x" * 10)
    data = writer.write(6, message)
    # A type-1 header (delta 40, same stream) for the next message on the same chunk stream.
    data += bytes([0x40 | 6]) + (40).to_bytes(3, "big") + (3).to_bytes(3, "big") + bytes([9]) + b"abc"
    # A type-3 header starting a new message reuses the last delta.
    data += bytes([0xC0 | 6]) + b"def"
    got = ChunkReader().feed(data)
    assert [m.timestamp for m in got] == [0x1234567, 0x1234567 + 40, 0x1234567 + 80]
    assert [m.payload for m in got] == [b"x" * 10, b"abc", b"def"]


def test_malformed_chunks_raise_value_error() -> None:
    with pytest.raises(ValueError, match="without a full message header"):
        ChunkReader().feed(bytes([0xC0 | 5]) + b"data")
    too_big = bytes([0x06]) + b"\x00\x00\x00" + (4096).to_bytes(3, "big") + b"\x09" + b"\x01\x00\x00\x00"
    with pytest.raises(ValueError, match="exceeds"):
        ChunkReader(max_message_size=1024).feed(too_big)
    bad_size = ChunkWriter().write(2, Message(1, 0, 0, struct.pack(">I", 0)))
    with pytest.raises(ValueError, match="invalid chunk size"):
        ChunkReader().feed(bad_size)


def test_truncated_chunk_waits_for_more() -> None:
    data = ChunkWriter().write(6, Message(9, 1, 5, b"payload"))
    reader = ChunkReader()
    assert reader.feed(data[:-3]) == []
    assert reader.feed(data[-3:]) == [Message(9, 1, 5, b"payload")]


@given(st.binary(max_size=2048))
@settings(max_examples=400, deadline=None)
def test_chunk_reader_fuzz_only_value_errors(data: bytes) -> None:
    reader = ChunkReader(max_message_size=64 * 1024)
    try:
        for i in range(0, len(data), 97):
            reader.feed(data[i : i + 97])
    except ValueError:
        return
    assert reader.buffered <= len(data)

"""AMF0 encoding and decoding (pure; malformed input raises ``ValueError``)."""

from __future__ import annotations

import struct
from typing import Any

NUMBER, BOOLEAN, STRING, OBJECT, NULL, UNDEFINED = 0x00, 0x01, 0x02, 0x03, 0x05, 0x06
ECMA_ARRAY, OBJECT_END, STRICT_ARRAY, DATE, LONG_STRING = 0x08, 0x09, 0x0A, 0x0B, 0x0C
_MAX_DEPTH = 16
_MAX_ITEMS = 65536


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise ValueError("AMF0 data is truncated")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack(">H", self.take(2))[0]
        return value

    def u32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def string(self, size: int) -> str:
        return self.take(size).decode("utf-8", errors="replace")


def _properties(reader: _Reader, depth: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    while True:
        key = reader.string(reader.u16())
        if key == "" and reader.pos < len(reader.data) and reader.data[reader.pos] == OBJECT_END:
            reader.pos += 1
            return found
        if len(found) >= _MAX_ITEMS:
            raise ValueError("AMF0 object has too many properties")
        found[key] = _value(reader, depth + 1)


def _value(reader: _Reader, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("AMF0 data is nested too deeply")
    marker = reader.u8()
    if marker == NUMBER:
        return struct.unpack(">d", reader.take(8))[0]
    if marker == BOOLEAN:
        return reader.u8() != 0
    if marker == STRING:
        return reader.string(reader.u16())
    if marker == LONG_STRING:
        return reader.string(reader.u32())
    if marker == OBJECT:
        return _properties(reader, depth)
    if marker == ECMA_ARRAY:
        reader.u32()  # the count is a hint; properties end with the object-end marker
        return _properties(reader, depth)
    if marker == STRICT_ARRAY:
        count = reader.u32()
        if count > _MAX_ITEMS:
            raise ValueError("AMF0 strict array is too long")
        return [_value(reader, depth + 1) for _ in range(count)]
    if marker == DATE:
        millis = struct.unpack(">d", reader.take(8))[0]
        reader.take(2)
        return millis
    if marker in (NULL, UNDEFINED):
        return None
    raise ValueError(f"unsupported AMF0 marker 0x{marker:02x}")


def decode_all(data: bytes) -> list[Any]:
    """Every AMF0 value in ``data``, in order."""
    reader = _Reader(bytes(data))
    values = []
    while reader.pos < len(reader.data):
        values.append(_value(reader, 0))
    return values


def _encode_string_body(value: str) -> bytes:
    raw = value.encode()
    return struct.pack(">H", len(raw)) + raw


def encode(value: Any) -> bytes:
    """One value as AMF0 (numbers, booleans, strings, ``None``, dicts as objects, lists as strict arrays)."""
    if value is None:
        return bytes([NULL])
    if isinstance(value, bool):
        return bytes([BOOLEAN, 1 if value else 0])
    if isinstance(value, int | float):
        return bytes([NUMBER]) + struct.pack(">d", float(value))
    if isinstance(value, str):
        raw = value.encode()
        if len(raw) > 0xFFFF:
            return bytes([LONG_STRING]) + struct.pack(">I", len(raw)) + raw
        return bytes([STRING]) + _encode_string_body(value)
    if isinstance(value, dict):
        body = b"".join(_encode_string_body(str(k)) + encode(v) for k, v in value.items())
        return bytes([OBJECT]) + body + b"\x00\x00" + bytes([OBJECT_END])
    if isinstance(value, list | tuple):
        return bytes([STRICT_ARRAY]) + struct.pack(">I", len(value)) + b"".join(encode(v) for v in value)
    raise TypeError(f"cannot encode {type(value).__name__} as AMF0")


def encode_all(*values: Any) -> bytes:
    """Several values, concatenated (a command message body)."""
    return b"".join(encode(v) for v in values)

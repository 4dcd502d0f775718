"""FLV container writing (the format RTMP media messages already use), for piping live media to ffmpeg."""

from __future__ import annotations

import struct

_HEADER_SIZE = 9


def flv_header(*, has_audio: bool, has_video: bool) -> bytes:
    """The FLV file header followed by the zero ``PreviousTagSize0``."""
    flags = (0x04 if has_audio else 0) | (0x01 if has_video else 0)
    return b"FLV" + bytes([1, flags]) + struct.pack(">I", _HEADER_SIZE) + b"\x00\x00\x00\x00"


def flv_tag(tag_type: int, timestamp_ms: int, payload: bytes) -> bytes:
    """One FLV tag (audio 8, video 9, script 18) with its trailing ``PreviousTagSize``."""
    if not 0 <= len(payload) < 1 << 24:
        raise ValueError("FLV tag payload must be smaller than 16 MiB")
    timestamp = timestamp_ms & 0xFFFFFFFF
    header = (
        bytes([tag_type])
        + len(payload).to_bytes(3, "big")
        + (timestamp & 0xFFFFFF).to_bytes(3, "big")
        + bytes([timestamp >> 24])
        + b"\x00\x00\x00"
    )
    return header + payload + struct.pack(">I", len(header) + len(payload))

"""The RTMP simple handshake (pure)."""

from __future__ import annotations

import os
import struct
import time

VERSION = 3
HANDSHAKE_SIZE = 1536


def server_response(c0c1: bytes) -> bytes:
    """S0 + S1 + S2 for a client's C0 + C1; raises ``ValueError`` for anything but RTMP version 3."""
    if len(c0c1) != 1 + HANDSHAKE_SIZE:
        raise ValueError("RTMP handshake C0+C1 must be 1537 bytes")
    if c0c1[0] != VERSION:
        raise ValueError(f"unsupported RTMP version {c0c1[0]}")
    c1 = c0c1[1:]
    s1 = struct.pack(">II", int(time.monotonic() * 1000) & 0xFFFFFFFF, 0) + os.urandom(HANDSHAKE_SIZE - 8)
    # S2 echoes C1: the client's time, our read time, and its random bytes.
    s2 = c1[:4] + struct.pack(">I", int(time.monotonic() * 1000) & 0xFFFFFFFF) + c1[8:]
    return bytes([VERSION]) + s1 + s2

"""H.264/AAC conversions from FLV framing to MPEG-TS framing (pure)."""

from __future__ import annotations

import pytest

from vitascope.media.avc import START_CODE, adts_frame, parse_aac_config, parse_avc_config, to_annex_b

SPS = bytes([0x67, 0x64, 0x00, 0x1F, 0xAC])
PPS = bytes([0x68, 0xEE, 0x3C, 0x80])
RECORD = (
    bytes([1, 0x64, 0x00, 0x1F, 0xFF, 0xE1])
    + len(SPS).to_bytes(2, "big")
    + SPS
    + bytes([1])
    + len(PPS).to_bytes(2, "big")
    + PPS
)


def test_avc_config_and_annex_b() -> None:
    config = parse_avc_config(RECORD)
    assert config.length_size == 4 and config.sps == (SPS,) and config.pps == (PPS,)
    nal = bytes([0x65, 1, 2, 3])
    packet = len(nal).to_bytes(4, "big") + nal + (2).to_bytes(4, "big") + b"\x41\x9a"
    assert to_annex_b(packet, config, keyframe=False) == START_CODE + nal + START_CODE + b"\x41\x9a"
    assert to_annex_b(packet, config, keyframe=True).startswith(
        START_CODE + SPS + START_CODE + PPS + START_CODE + nal
    )
    with pytest.raises(ValueError, match="past the end"):
        to_annex_b((99).to_bytes(4, "big") + b"\x65", config, keyframe=False)


@pytest.mark.parametrize("record", [b"", bytes([2, 0, 0, 0, 0, 0]), RECORD[:8]])
def test_malformed_avc_config(record: bytes) -> None:
    with pytest.raises(ValueError):
        parse_avc_config(record)


def test_aac_config_and_adts() -> None:
    config = parse_aac_config(bytes([0x12, 0x10]))  # AAC-LC, 44.1 kHz, stereo
    assert (config.object_type, config.sample_rate, config.channels) == (2, 44100, 2)
    frame = adts_frame(b"\x01" * 10, config)
    assert frame[:2] == b"\xff\xf1" and len(frame) == 17
    assert ((frame[3] & 0x03) << 11 | frame[4] << 3 | frame[5] >> 5) == 17  # frame length field
    with pytest.raises(ValueError):
        parse_aac_config(b"\x00")

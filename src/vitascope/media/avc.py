"""H.264 and AAC as RTMP/FLV carries them, converted to what MPEG-TS needs (pure)."""

from __future__ import annotations

from dataclasses import dataclass

START_CODE = b"\x00\x00\x00\x01"
_SAMPLE_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


@dataclass(frozen=True)
class AvcConfig:
    """An AVCDecoderConfigurationRecord: NAL length size and the parameter sets."""

    length_size: int
    sps: tuple[bytes, ...]
    pps: tuple[bytes, ...]


def parse_avc_config(record: bytes) -> AvcConfig:
    """Parse an AVCDecoderConfigurationRecord; raises ``ValueError`` when it is malformed."""
    try:
        if record[0] != 1:
            raise ValueError("AVC configuration record has an unknown version")
        length_size = (record[4] & 0x03) + 1
        pos = 6
        sps: list[bytes] = []
        for _ in range(record[5] & 0x1F):
            size = int.from_bytes(record[pos : pos + 2], "big")
            sps.append(bytes(record[pos + 2 : pos + 2 + size]))
            pos += 2 + size
        pps: list[bytes] = []
        count = record[pos]
        pos += 1
        for _ in range(count):
            size = int.from_bytes(record[pos : pos + 2], "big")
            pps.append(bytes(record[pos + 2 : pos + 2 + size]))
            pos += 2 + size
    except IndexError as exc:
        raise ValueError("AVC configuration record is truncated") from exc
    if pos > len(record) or not sps:
        raise ValueError("AVC configuration record is truncated")
    return AvcConfig(length_size, tuple(sps), tuple(pps))


def to_annex_b(data: bytes, config: AvcConfig, *, keyframe: bool) -> bytes:
    """Length-prefixed NAL units → start-code prefixed, with SPS/PPS ahead of every keyframe."""
    out = bytearray()
    if keyframe:
        for nal in (*config.sps, *config.pps):
            out += START_CODE + nal
    pos = 0
    size_bytes = config.length_size
    while pos + size_bytes <= len(data):
        size = int.from_bytes(data[pos : pos + size_bytes], "big")
        pos += size_bytes
        if size > len(data) - pos:
            raise ValueError("NAL unit length runs past the end of the packet")
        out += START_CODE + data[pos : pos + size]
        pos += size
    return bytes(out)


@dataclass(frozen=True)
class AacConfig:
    """The AudioSpecificConfig fields an ADTS header repeats."""

    object_type: int
    frequency_index: int
    channels: int

    @property
    def sample_rate(self) -> int:
        return _SAMPLE_RATES[self.frequency_index] if self.frequency_index < len(_SAMPLE_RATES) else 44100


def parse_aac_config(data: bytes) -> AacConfig:
    """Parse an AudioSpecificConfig; raises ``ValueError`` when it is too short or invalid."""
    if len(data) < 2:
        raise ValueError("AAC configuration is truncated")
    object_type = data[0] >> 3
    frequency_index = ((data[0] & 0x07) << 1) | (data[1] >> 7)
    channels = (data[1] >> 3) & 0x0F
    if object_type == 0 or frequency_index > 12:
        raise ValueError("AAC configuration is invalid")
    return AacConfig(object_type, frequency_index, channels)


def adts_frame(raw: bytes, config: AacConfig) -> bytes:
    """A raw AAC frame with the 7-byte ADTS header MPEG-TS carries."""
    length = len(raw) + 7
    profile = min(config.object_type, 4) - 1
    header = bytes(
        [
            0xFF,
            0xF1,
            (profile << 6) | (config.frequency_index << 2) | (config.channels >> 2),
            ((config.channels & 0x03) << 6) | (length >> 11),
            (length >> 3) & 0xFF,
            ((length & 0x07) << 5) | 0x1F,
            0xFC,
        ]
    )
    return header + raw

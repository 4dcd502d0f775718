"""In-process MPEG-TS segmenting of the source rendition: no ffmpeg, no extra buffering.

Segments are cut at the first keyframe after ``segment_seconds``, the moment that keyframe arrives,
so a segment is listed as soon as its last frame has been received.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import av

from vitascope.live.hub import AUDIO, VIDEO, HubReader, Tag
from vitascope.live.packager import SegmentCallback
from vitascope.live.segments import RenditionIndex
from vitascope.media.avc import (
    AacConfig,
    AvcConfig,
    adts_frame,
    parse_aac_config,
    parse_avc_config,
    to_annex_b,
)

log = logging.getLogger(__name__)

_MS = Fraction(1, 1000)
_AVC, _AAC = 7, 10


class _Segment:
    """One open ``{index}.ts`` file with its PyAV muxer."""

    def __init__(self, path: Path, avc: AvcConfig | None, aac: AacConfig | None, start: int) -> None:
        self.container = av.open(str(path), "w", format="mpegts")
        self.video = self.container.add_stream("h264", rate=30) if avc else None
        self.audio = self.container.add_stream("aac", rate=aac.sample_rate) if aac else None
        self.start = start
        self.last_dts: dict[int, int] = {}

    def mux(self, stream: av.stream.Stream, data: bytes, dts: int, pts: int, keyframe: bool) -> None:
        last = self.last_dts.get(stream.index)
        if last is not None and dts <= last:
            dts = last + 1  # FLV timestamps are milliseconds; equal ones would stop the muxer
        pts = max(pts, dts)
        self.last_dts[stream.index] = dts
        packet = av.Packet(data)
        packet.stream = stream
        packet.time_base = _MS
        packet.dts, packet.pts = dts, pts
        packet.is_keyframe = keyframe
        self.container.mux(packet)

    def close(self) -> None:
        self.container.close()


class TsSegmenter:
    """Writes the hub's source media as ``{out_dir}/{n}.ts`` and reports each finished segment."""

    def __init__(
        self, out_dir: Path, index: RenditionIndex, *, segment_seconds: float, on_segment: SegmentCallback
    ) -> None:
        self.out_dir = out_dir
        self.index = index
        self.segment_ms = int(segment_seconds * 1000)
        self.on_segment = on_segment
        self.avc: AvcConfig | None = None
        self.aac: AacConfig | None = None
        self.has_video = False
        self.segment: _Segment | None = None
        self.last_timestamp = 0
        self.first = True

    async def run(self, reader: HubReader, *, has_video: bool) -> None:
        """Segment until the hub closes; the last partial segment is kept."""
        self.has_video = has_video
        self.out_dir.mkdir(parents=True, exist_ok=True)
        try:
            while (tag := await reader.read_tag()) is not None:
                await self._tag(tag)
        finally:
            reader.close()
            await self._finish(self.last_timestamp + 33)

    async def _tag(self, tag: Tag) -> None:
        payload = tag.payload
        if tag.kind == VIDEO and len(payload) > 5 and payload[0] & 0x0F == _AVC:
            self.has_video = True
            if payload[1] == 0:
                self.avc = parse_avc_config(payload[5:])
                return
            if payload[1] != 1 or self.avc is None:
                return
            keyframe = (payload[0] >> 4) == 1
            if keyframe:
                await self._maybe_cut(tag.timestamp)
            if self.segment is None or self.segment.video is None:
                return
            cts = int.from_bytes(payload[2:5], "big", signed=True)
            data = to_annex_b(payload[5:], self.avc, keyframe=keyframe)
            self.segment.mux(self.segment.video, data, tag.timestamp, tag.timestamp + cts, keyframe)
            self.last_timestamp = tag.timestamp
        elif tag.kind == AUDIO and len(payload) > 2 and payload[0] >> 4 == _AAC:
            if payload[1] == 0:
                self.aac = parse_aac_config(payload[2:])
                return
            if self.aac is None:
                return
            if not self.has_video:
                await self._maybe_cut(tag.timestamp)
            if self.segment is None or self.segment.audio is None:
                return
            self.segment.mux(
                self.segment.audio, adts_frame(payload[2:], self.aac), tag.timestamp, tag.timestamp, True
            )
            self.last_timestamp = max(self.last_timestamp, tag.timestamp)

    async def _maybe_cut(self, timestamp: int) -> None:
        if self.segment is not None and timestamp - self.segment.start < self.segment_ms:
            return
        await self._finish(timestamp)
        path = self.out_dir / f"{self.index.next_index}.ts"
        self.segment = _Segment(path, self.avc if self.has_video else None, self.aac, timestamp)

    async def _finish(self, end: int) -> None:
        segment, self.segment = self.segment, None
        if segment is None:
            return
        segment.close()
        duration = max(0.001, (end - segment.start) / 1000)
        self.index.add(duration, discontinuity=self.first and bool(self.index.segments))
        self.first = False
        await self.on_segment(self.index)

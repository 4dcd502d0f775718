"""The live hub: one publisher's media, fanned out to readers (packager, simulcast pushers).

Ingest writes FLV tags in; every reader gets its own bounded queue and reads an FLV byte stream that starts
with the stream's headers and a keyframe. A reader that falls too far behind is dropped rather than allowed
to stall the publisher or grow without bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from vitascope.media.flv import flv_header, flv_tag

log = logging.getLogger(__name__)

AUDIO = 8
VIDEO = 9
SCRIPT = 18
DEFAULT_READER_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Tag:
    """One FLV tag: audio, video or script data, with its timestamp in milliseconds."""

    kind: int
    timestamp: int
    payload: bytes

    @property
    def is_keyframe(self) -> bool:
        return self.kind == VIDEO and len(self.payload) > 0 and (self.payload[0] >> 4) == 1

    @property
    def is_sequence_header(self) -> bool:
        if self.kind == VIDEO:
            return len(self.payload) > 1 and (self.payload[0] & 0x0F) == 7 and self.payload[1] == 0
        if self.kind == AUDIO:
            return len(self.payload) > 1 and (self.payload[0] >> 4) == 10 and self.payload[1] == 0
        return False


class HubReader:
    """A reader's view of the hub: tags (or an FLV byte stream) with bounded buffering."""

    def __init__(self, hub: Hub, max_bytes: int) -> None:
        self._hub = hub
        self._max_bytes = max_bytes
        self._queue: deque[Tag] = deque(hub.priming_tags())
        self._bytes = 0
        self._ready = asyncio.Event()
        self._closed = False
        self._waiting_keyframe = True
        self._header_sent = False
        self.dropped = False

    def offer(self, tag: Tag) -> None:
        """Queue a tag (called by the hub, never blocks)."""
        if self._closed:
            return
        if self._waiting_keyframe and not tag.is_sequence_header and tag.kind != SCRIPT:
            if not tag.is_keyframe and (tag.kind == VIDEO or self._hub.has_video):
                return
            self._waiting_keyframe = False
        if self._bytes + len(tag.payload) > self._max_bytes:
            log.warning("live reader fell %d bytes behind; dropping it", self._bytes)
            self.dropped = True
            self.close()
            return
        self._queue.append(tag)
        self._bytes += len(tag.payload)
        self._ready.set()

    def close(self) -> None:
        """End this reader's stream; reads return ``None`` once the queue is drained."""
        self._closed = True
        self._ready.set()
        self._hub.unsubscribe(self)

    async def read_tag(self) -> Tag | None:
        """The next tag, or ``None`` at the end of the stream."""
        while not self._queue:
            if self._closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        tag = self._queue.popleft()
        self._bytes = max(0, self._bytes - len(tag.payload))
        return tag

    async def read(self) -> bytes | None:
        """The next chunk of the FLV byte stream (header first), or ``None`` at the end."""
        if not self._header_sent:
            self._header_sent = True
            return flv_header(has_audio=True, has_video=True)
        tag = await self.read_tag()
        return None if tag is None else flv_tag(tag.kind, tag.timestamp, tag.payload)


class Hub:
    """Holds the current publisher's headers and fans its tags out to readers."""

    def __init__(self) -> None:
        self._readers: set[HubReader] = set()
        self.metadata: Tag | None = None
        self.video_config: Tag | None = None
        self.audio_config: Tag | None = None
        self.has_video = False
        self.has_audio = False
        self.closed = False

    def priming_tags(self) -> list[Tag]:
        """What a new reader needs before the next keyframe: metadata and sequence headers."""
        return [t for t in (self.metadata, self.video_config, self.audio_config) if t is not None]

    def write(self, tag: Tag) -> None:
        """Accept a tag from ingest and hand it to every reader."""
        if tag.kind == SCRIPT:
            self.metadata = tag
        elif tag.kind == VIDEO:
            self.has_video = True
            if tag.is_sequence_header:
                self.video_config = tag
        elif tag.kind == AUDIO:
            self.has_audio = True
            if tag.is_sequence_header:
                self.audio_config = tag
        for reader in list(self._readers):
            reader.offer(tag)

    def subscribe(self, max_bytes: int = DEFAULT_READER_BYTES) -> HubReader:
        """A new reader, starting at the next keyframe."""
        reader = HubReader(self, max_bytes)
        if self.closed:
            reader.close()
        else:
            self._readers.add(reader)
        return reader

    def unsubscribe(self, reader: HubReader) -> None:
        """Forget a reader (it closed itself or was dropped)."""
        self._readers.discard(reader)

    def close(self) -> None:
        """The publisher is gone: every reader reaches the end of its stream."""
        self.closed = True
        for reader in list(self._readers):
            reader.close()

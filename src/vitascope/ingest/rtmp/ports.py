"""What the RTMP server needs from the rest of the system (filled by the live engine)."""

from __future__ import annotations

from typing import Protocol


class PublishRejected(Exception):
    """A publish is refused; ``code`` is the ``onStatus`` code sent back (BadName, Denied)."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class Publisher(Protocol):
    """One live publish: receives media until ``close``, which is called exactly once."""

    async def on_metadata(self, metadata: dict[str, object]) -> None: ...

    async def on_video(self, timestamp_ms: int, payload: bytes) -> None: ...

    async def on_audio(self, timestamp_ms: int, payload: bytes) -> None: ...

    async def close(self, reason: str) -> None: ...


class PublishHandler(Protocol):
    """Authorises publishes; raises :class:`PublishRejected` to refuse one."""

    async def start_publish(self, app: str, stream_key: str, peer: str) -> Publisher: ...

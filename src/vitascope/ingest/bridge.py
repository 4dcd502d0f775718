"""Connects ingest servers to the live engine: protocol publish requests become live sessions."""

from __future__ import annotations

from vitascope.domain.live_streams import PublishRefused
from vitascope.ingest.rtmp import Publisher, PublishRejected
from vitascope.live.engine import LiveEngine

RTMP_APPS = ("app", "live")


class RtmpPublishing:
    """The RTMP server's ``PublishHandler``: checks the app name and the stream key."""

    def __init__(self, engine: LiveEngine) -> None:
        self.engine = engine

    async def start_publish(self, app: str, stream_key: str, peer: str) -> Publisher:
        """Start (or resume) the live session of ``stream_key``; refusals become RTMP status errors."""
        if app.strip("/") not in RTMP_APPS:
            raise PublishRejected("NetStream.Publish.BadName", f"unknown application {app!r}")
        try:
            return await self.engine.connect(stream_key, "rtmp")
        except PublishRefused as exc:
            code = "NetStream.Publish.BadName" if exc.reason == "unknown_key" else "NetStream.Publish.Denied"
            raise PublishRejected(code, str(exc)) from exc

"""The RTMP listener: accepts publishers, one task per connection, and drops them on request."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from vitascope.ingest.rtmp.ports import PublishHandler
from vitascope.ingest.rtmp.session import RtmpSession

log = logging.getLogger(__name__)


class RtmpServer:
    """An asyncio RTMP server; ``start()``/``close()`` like every component."""

    def __init__(
        self, host: str, port: int, publishers: PublishHandler, *, idle_timeout: float = 10.0
    ) -> None:
        self.host = host
        self._port = port
        self.publishers = publishers
        self.idle_timeout = idle_timeout
        self._server: asyncio.Server | None = None
        self._sessions: dict[asyncio.Task[None], RtmpSession] = {}

    @property
    def port(self) -> int:
        """The bound port (the real one when started with port 0)."""
        if self._server is not None and self._server.sockets:
            port: int = self._server.sockets[0].getsockname()[1]
            return port
        return self._port

    async def start(self) -> None:
        """Start listening."""
        self._server = await asyncio.start_server(self._accept, self.host, self._port)
        log.info("rtmp listening on %s:%d", self.host, self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = RtmpSession(reader, writer, self.publishers, idle_timeout=self.idle_timeout)
        task = asyncio.current_task()
        assert task is not None
        self._sessions[task] = session
        try:
            await session.run()
        finally:
            self._sessions.pop(task, None)

    def active_keys(self) -> set[str]:
        """Stream keys with a publisher connected now."""
        return {s.stream_key for s in self._sessions.values() if s.stream_key and s.publisher is not None}

    def disconnect(self, stream_key: str) -> bool:
        """Drop the publisher using ``stream_key`` at once; True if there was one."""
        dropped = False
        for task, session in list(self._sessions.items()):
            if session.stream_key == stream_key:
                task.cancel()
                dropped = True
        return dropped

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._sessions)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

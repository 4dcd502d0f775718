"""Pulled ingest: fetch a stream's ``pull.source`` (RTMP, HLS or HTTP) and publish it to our own RTMP port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from vitascope.domain.models import PullSource
from vitascope.media.ffmpeg import ffmpeg_exe

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0


def pull_argv(ffmpeg: str, pull: PullSource, target: str) -> list[str]:
    """Read the source (paced for files and HLS) and republish it as FLV without re-encoding."""
    argv = [ffmpeg, "-hide_banner", "-nostats", "-loglevel", "warning"]
    is_live_protocol = pull.source.startswith(("rtmp://", "rtmps://", "srt://"))
    if not is_live_protocol:
        argv.append("-re")
    if pull.headers and pull.source.startswith(("http://", "https://")):
        argv += ["-headers", "".join(f"{k}: {v}\r\n" for k, v in pull.headers.items())]
    if pull.source.endswith(".m3u8") or ".m3u8?" in pull.source:
        argv += ["-live_start_index", "-1"]
    return [*argv, "-i", pull.source, "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-f", "flv", target]


class Puller:
    """Keeps pulling while ``wanted()`` says so, reconnecting with backoff when the source drops."""

    def __init__(
        self, stream_id: str, pull: PullSource, target: str, wanted: Callable[[float], Awaitable[bool]]
    ) -> None:
        self.stream_id = stream_id
        self.pull = pull
        self.target = target
        self.wanted = wanted

    async def run(self) -> None:
        """Run ffmpeg until the stream no longer wants pulling (deleted, suspended, terminated)."""
        backoff = 1.0
        started = time.time()
        while await self.wanted(started):
            began = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                *pull_argv(ffmpeg_exe(), self.pull, self.target),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
            try:
                _, stderr = await process.communicate()
            except asyncio.CancelledError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
                raise
            log.info(
                "pull for stream %s ended (exit %s): %s",
                self.stream_id,
                process.returncode,
                stderr.decode(errors="replace").strip()[-300:],
            )
            if time.monotonic() - began > 30:
                backoff = 1.0
            await asyncio.sleep(backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)

"""The live packager: hub → ffmpeg → segmented renditions, with playlists updated as segments land."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from vitascope.live.hub import Hub
from vitascope.live.segments import RenditionIndex, parse_segment_csv
from vitascope.media.ffmpeg import ffmpeg_exe
from vitascope.media.live import LiveRendition, live_segment_argv

log = logging.getLogger(__name__)

_POLL = 0.05
_STDERR_TAIL = 30

SegmentCallback = Callable[[RenditionIndex], Awaitable[None]]


class LivePackager:
    """Runs one ffmpeg process for one encoder connection and keeps the rendition indexes current."""

    def __init__(
        self,
        hub: Hub,
        out_dir: Path,
        renditions: list[LiveRendition],
        indexes: dict[str, RenditionIndex],
        *,
        segment_seconds: float,
        on_segment: SegmentCallback,
    ) -> None:
        self.hub = hub
        self.out_dir = out_dir
        self.renditions = renditions
        self.indexes = indexes
        self.segment_seconds = segment_seconds
        self.on_segment = on_segment
        self.stderr_tail: list[str] = []
        self._process: asyncio.subprocess.Process | None = None

    async def run(self) -> None:
        """Package until the hub closes and ffmpeg has flushed the last segments."""
        start = max((index.next_index for index in self.indexes.values()), default=0)
        continued = start > 0
        for rendition in self.renditions:
            (self.out_dir / rendition.name).mkdir(parents=True, exist_ok=True)
            (self.out_dir / rendition.name / "segments.csv").unlink(missing_ok=True)
            self.indexes.setdefault(rendition.name, RenditionIndex(rendition.name))
        argv = live_segment_argv(
            ffmpeg_exe(),
            self.renditions,
            str(self.out_dir),
            segment_seconds=self.segment_seconds,
            start_number=start,
        )
        self._process = await asyncio.create_subprocess_exec(
            argv[0],
            "-hide_banner",
            "-nostats",
            "-loglevel",
            "warning",
            *argv[1:],
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        feeder = asyncio.create_task(self._feed())
        errors = asyncio.create_task(self._read_stderr())
        seen = dict.fromkeys(self.indexes, 0)
        first_new = {name: continued for name in self.indexes}
        try:
            while True:
                done = self._process.returncode is not None
                await self._collect(seen, first_new)
                if done:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._process.wait()), _POLL)
            await self._collect(seen, first_new)
        finally:
            feeder.cancel()
            await self._stop()
            errors.cancel()
        if self._process.returncode not in (0, None):
            log.warning(
                "live packager ffmpeg exited %s: %s", self._process.returncode, " | ".join(self.stderr_tail)
            )

    async def _collect(self, seen: dict[str, int], first_new: dict[str, bool]) -> None:
        for rendition in self.renditions:
            csv = self.out_dir / rendition.name / "segments.csv"
            try:
                text = await asyncio.to_thread(csv.read_text)
            except FileNotFoundError:
                continue
            finished = parse_segment_csv(text)
            index = self.indexes[rendition.name]
            for _name, duration in finished[seen[rendition.name] :]:
                index.add(duration, discontinuity=first_new[rendition.name])
                first_new[rendition.name] = False
                await self.on_segment(index)
            seen[rendition.name] = len(finished)

    async def _feed(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        stdin = self._process.stdin
        reader = self.hub.subscribe()
        try:
            while (data := await reader.read()) is not None:
                stdin.write(data)
                await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            log.warning("live packager ffmpeg stopped reading its input")
        finally:
            reader.close()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                stdin.close()

    async def _read_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        async for line in self._process.stderr:
            self.stderr_tail = [*self.stderr_tail, line.decode(errors="replace").strip()][-_STDERR_TAIL:]

    async def _stop(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise

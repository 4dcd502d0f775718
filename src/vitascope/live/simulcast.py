"""Simulcast: push a live stream's feed to another RTMP(S) service while the stream is active."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from vitascope.domain.models import TranscodeProfile
from vitascope.live.hub import Hub
from vitascope.media.ffmpeg import ffmpeg_exe

log = logging.getLogger(__name__)

StatusCallback = Callable[[str, str], Awaitable[None]]

MAX_BACKOFF = 30.0
_BROADCASTING_AFTER = 2.0


def simulcast_argv(
    ffmpeg: str,
    url: str,
    stream_key: str | None,
    *,
    video_only: bool = False,
    profile: TranscodeProfile | None = None,
) -> list[str]:
    """Push the FLV feed on stdin to ``url/stream_key``: copied, or encoded to ``profile``."""
    target = f"{url.rstrip('/')}/{stream_key}" if stream_key else url
    audio = ["-an"] if video_only else (["-c:a", "aac", "-b:a", "128k"] if profile else ["-c:a", "copy"])
    if profile is None:
        video = ["-c:v", "copy"]
    else:
        bitrate = str(profile.bitrate)
        video = ["-vf", f"scale={profile.width}:{profile.height}", "-c:v", "libx264", "-preset", "veryfast",
                 "-tune", "zerolatency", "-b:v", bitrate, "-maxrate", bitrate,
                 "-bufsize", str(profile.bitrate * 2), "-force_key_frames", "source",
                 "-fps_mode", "passthrough"]  # fmt: skip
    return [ffmpeg, "-hide_banner", "-nostats", "-loglevel", "warning", "-f", "flv", "-i", "pipe:0",
            "-map", "0:v:0?", "-map", "0:a:0?", *video, *audio, "-f", "flv", target]  # fmt: skip


class SimulcastPusher:
    """Pushes to one target with retries; reports idle → starting → broadcasting → errored."""

    def __init__(
        self,
        hub: Hub,
        target_id: str,
        url: str,
        stream_key: str | None,
        on_status: StatusCallback,
        *,
        video_only: bool = False,
        profile: TranscodeProfile | None = None,
    ) -> None:
        self.hub = hub
        self.profile = profile
        self.target_id = target_id
        self.url = url
        self.stream_key = stream_key
        self.video_only = video_only
        self.on_status = on_status
        self.attempts = 0

    async def run(self) -> None:
        """Push until the hub closes; a failed push is retried with exponential backoff."""
        backoff = 1.0
        while not self.hub.closed:
            self.attempts += 1
            await self.on_status(self.target_id, "starting")
            started = time.monotonic()
            ok = await self._push_once()
            if self.hub.closed:
                break
            if time.monotonic() - started > 30:
                backoff = 1.0
            await self.on_status(self.target_id, "errored" if not ok else "starting")
            await asyncio.sleep(backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)
        await self.on_status(self.target_id, "idle")

    async def _push_once(self) -> bool:
        argv = simulcast_argv(
            ffmpeg_exe(), self.url, self.stream_key, video_only=self.video_only, profile=self.profile
        )
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        assert process.stdin is not None and process.stderr is not None
        reader = self.hub.subscribe()
        broadcasting = False
        started = time.monotonic()
        stderr = asyncio.create_task(process.stderr.read())
        try:
            while (data := await reader.read()) is not None:
                if process.returncode is not None:
                    break
                process.stdin.write(data)
                await process.stdin.drain()
                if not broadcasting and time.monotonic() - started > _BROADCASTING_AFTER:
                    broadcasting = True
                    await self.on_status(self.target_id, "broadcasting")
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                process.stdin.close()
            await asyncio.wait_for(process.wait(), 10)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        finally:
            reader.close()
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        message = (await stderr).decode(errors="replace").strip()
        if process.returncode != 0:
            log.warning("simulcast %s to %s failed: %s", self.target_id, self.url, message[-500:])
            return False
        return True

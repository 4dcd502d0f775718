"""Supervised ffmpeg runs: timeouts, progress from ``-progress``, a bounded stderr tail, kill on cancel."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections import deque
from collections.abc import Callable

_TAIL_LINES = 40
_NOISE = ("Last message repeated", "frame=", "size=")
_ERROR_WORDS = ("error", "invalid", "no such file", "not found", "failed", "unable", "cannot", "could not")


class FfmpegError(Exception):
    """ffmpeg failed or timed out; ``str()`` is a short message fit for an asset's ``errors``."""

    def __init__(self, message: str, *, returncode: int | None, stderr_tail: str) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr_tail = stderr_tail


def _with_flags(argv: list[str], *, progress: bool) -> list[str]:
    flags = ["-hide_banner", "-nostdin", "-y"]
    if progress:
        flags += ["-progress", "pipe:1", "-nostats"]
    return [argv[0], *[f for f in flags if f not in argv], *argv[1:]]


def _summary(tail: deque[str]) -> str:
    """The lines that explain a failure: error lines first, else the last few."""
    lines = [line for line in tail if line and not line.startswith(_NOISE)]
    errors = [line for line in lines if any(word in line.lower() for word in _ERROR_WORDS)]
    return " | ".join((errors or lines)[-3:])


async def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()


async def _drain_stderr(stream: asyncio.StreamReader, tail: deque[str]) -> None:
    async for raw in stream:
        tail.append(raw.decode(errors="replace").rstrip())


async def run_ffmpeg(
    argv: list[str],
    *,
    timeout: float,
    duration: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    niceness: int = 0,
) -> None:
    """Run ffmpeg to completion; raises :class:`FfmpegError` on failure or timeout.

    Cancelling the caller kills the whole process group, so no ffmpeg outlives its job. A positive
    ``niceness`` lets interactive work (a segment a viewer is waiting for) take the CPU first.
    """
    process = await asyncio.create_subprocess_exec(
        *_with_flags(argv, progress=True),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    if niceness:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, process.pid, niceness)
    tail: deque[str] = deque(maxlen=_TAIL_LINES)
    stderr = asyncio.create_task(_drain_stderr(process.stderr, tail))

    async def progress() -> None:
        assert process.stdout is not None
        async for raw in process.stdout:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            if key == "out_time_us" and duration and on_progress is not None and value.isdigit():
                on_progress(min(1.0, int(value) / 1e6 / duration))

    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(progress(), stderr)
            await process.wait()
    except TimeoutError:
        await _kill(process)
        raise FfmpegError(
            f"ffmpeg timed out after {timeout:g} s", returncode=None, stderr_tail="\n".join(tail)
        ) from None
    except BaseException:
        await _kill(process)
        raise
    if process.returncode != 0:
        raise FfmpegError(
            f"ffmpeg exited with code {process.returncode}: {_summary(tail)}",
            returncode=process.returncode,
            stderr_tail="\n".join(tail),
        )


async def run_ffmpeg_bytes(argv: list[str], *, timeout: float) -> bytes:
    """Run ffmpeg writing to ``pipe:1`` and return what it wrote (images, small clips)."""
    process = await asyncio.create_subprocess_exec(
        *_with_flags(argv, progress=False),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(timeout):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        await _kill(process)
        raise FfmpegError(f"ffmpeg timed out after {timeout:g} s", returncode=None, stderr_tail="") from None
    except BaseException:
        await _kill(process)
        raise
    if process.returncode != 0:
        tail: deque[str] = deque(stderr.decode(errors="replace").splitlines(), maxlen=_TAIL_LINES)
        raise FfmpegError(
            f"ffmpeg exited with code {process.returncode}: {_summary(tail)}",
            returncode=process.returncode,
            stderr_tail="\n".join(tail),
        )
    return stdout

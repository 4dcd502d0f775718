"""Fetching input URLs into local files: streamed, with size and time limits and an SSRF guard."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

from vitascope.domain.inputs import is_private_host


class FetchError(Exception):
    """The input could not be fetched; the message is shown to the client in ``errors.messages``."""


async def fetch_to_file(
    url: str,
    target: Path,
    *,
    max_bytes: int,
    timeout: float,
    allow_private: bool,
    max_redirects: int = 5,
) -> int:
    """Download ``url`` to ``target`` and return its size.

    Redirects are followed by hand so that every hop is checked against private addresses.
    """
    deadline = time.monotonic() + timeout
    target.parent.mkdir(parents=True, exist_ok=True)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=60.0), follow_redirects=False) as client:
        for _ in range(max_redirects + 1):
            host = urlparse(url).hostname or ""
            if not allow_private and await asyncio.to_thread(is_private_host, host, resolve=True):
                raise FetchError(f"input url {url} resolves to a private or loopback address")
            try:
                async with client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = str(response.url.join(response.headers["location"]))
                        continue
                    if response.status_code != 200:
                        raise FetchError(f"input url {url} answered HTTP {response.status_code}")
                    declared = int(response.headers.get("content-length") or 0)
                    if declared > max_bytes:
                        raise FetchError(f"input file is larger than the {max_bytes} byte limit")
                    return await _write_body(response, target, max_bytes=max_bytes, deadline=deadline)
            except httpx.HTTPError as exc:
                raise FetchError(f"could not fetch input url {url}: {exc or type(exc).__name__}") from exc
    raise FetchError(f"input url {url} redirected more than {max_redirects} times")


async def _write_body(response: httpx.Response, target: Path, *, max_bytes: int, deadline: float) -> int:
    size = 0
    with target.open("wb") as out:
        async for chunk in response.aiter_bytes(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"input file is larger than the {max_bytes} byte limit")
            if time.monotonic() > deadline:
                raise FetchError("input download took longer than the time limit")
            await asyncio.to_thread(out.write, chunk)
    if size == 0:
        raise FetchError("input file is empty")
    return size

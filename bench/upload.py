"""Upload benchmark: stream a large file into a direct upload and report the server's peak RSS.

Target: peak RSS under 150 MB while a 2 GB file streams in (the file goes to disk, never into memory).
Run: ``.venv/bin/python bench/upload.py [--gigabytes 2]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import Server  # noqa: E402

from bench.vod import peak_rss_mb  # noqa: E402

CHUNK = 8 * 1024 * 1024


def body(total: int) -> Iterator[bytes]:
    block = b"\0" * CHUNK
    sent = 0
    while sent < total:
        piece = block[: min(CHUNK, total - sent)]
        sent += len(piece)
        yield piece


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gigabytes", type=float, default=2.0)
    args = parser.parse_args()
    total = int(args.gigabytes * 1024**3)
    work = Path(tempfile.mkdtemp(prefix="vitascope-upload-bench-"))
    server = Server(data_dir=work / "server", database=None)
    server.start()
    try:
        assert server.process is not None
        before = peak_rss_mb(server.process.pid)
        with server.client() as client:
            upload = client.post("/video/v1/uploads", json={"new_asset_settings": {}}).json()["data"]
        started = time.perf_counter()
        response = httpx.put(upload["url"], content=body(total), timeout=None)
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        print(f"uploaded {total / 1024**3:.2f} GiB in {elapsed:.1f} s ({total / elapsed / 1e6:.0f} MB/s)")
        after = peak_rss_mb(server.process.pid)
        print(f"server peak RSS before: {before:.1f} MB, after the upload: {after:.1f} MB (target < 150 MB)")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

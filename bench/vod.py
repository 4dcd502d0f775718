"""VOD benchmark: create_asset → ready on vitascope, against plain ffmpeg producing the same ladder.

Run with ``make bench`` (or ``.venv/bin/python bench/vod.py [--seconds 60]``). Prints both times, their ratio
(target ≤ 1.10) and the server's peak RSS during the transcode (target < 300 MB, ffmpeg's own excluded).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import Server, ffmpeg  # noqa: E402

from vitascope.media import commands, ladder  # noqa: E402
from vitascope.media.ffmpeg import ffmpeg_exe  # noqa: E402
from vitascope.media.probe import probe  # noqa: E402


def make_input(path: Path, seconds: int) -> None:
    """A 1080p30 H.264/AAC file with motion and a tone."""
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
           "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-g", "60",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-shortest", str(path))  # fmt: skip


def plain_ffmpeg(source: Path, out: Path) -> float:
    """Seconds for ffmpeg alone to produce the ladder vitascope would produce for this file."""
    plan = ladder.plan_ladder(probe(source))
    argv = commands.hls_ladder_argv(ffmpeg_exe(), str(source), plan, str(out))
    for rendition in plan.video:
        (out / rendition.name).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([argv[0], "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *argv[1:]], check=True)
    return time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def vitascope_ready(source: Path, work: Path) -> tuple[float, float]:
    """Seconds from create_asset to ready on a fresh server, and the server's peak RSS in MB."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(source.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server = Server(data_dir=work / "server", database=None)
    server.start()
    try:
        assert server.process is not None
        with server.client() as client:
            url = f"http://127.0.0.1:{httpd.server_address[1]}/{source.name}"
            started = time.perf_counter()
            asset = client.post(
                "/video/v1/assets", json={"input": url, "playback_policy": ["public"]}
            ).json()["data"]
            while True:
                data = client.get(f"/video/v1/assets/{asset['id']}").json()["data"]
                if data["status"] != "preparing":
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            if data["status"] != "ready":
                raise SystemExit(f"asset errored: {data.get('errors')}")
            phases = [line for line in server.log_path.read_text().splitlines() if "vitascope.vod" in line
                      or "vitascope.jobs" in line]  # fmt: skip
            print("\n".join(phases))
            return elapsed, peak_rss_mb(server.process.pid)
    finally:
        server.stop()
        httpd.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="length of the generated input")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitascope-bench-"))
    try:
        source = work / "input_1080p.mp4"
        make_input(source, args.seconds)
        baseline = plain_ffmpeg(source, work / "plain")
        ours, rss = vitascope_ready(source, work)
        print(f"input: {args.seconds} s 1080p30 H.264/AAC ({source.stat().st_size / 1e6:.1f} MB)")
        print(f"plain ffmpeg, same ladder:        {baseline:7.2f} s")
        print(f"vitascope create_asset -> ready:  {ours:7.2f} s")
        print(f"ratio vitascope / ffmpeg:         {ours / baseline:7.3f}  (target <= 1.10)")
        print(f"server peak RSS:                  {rss:7.1f} MB (target < 300 MB, ffmpeg excluded)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

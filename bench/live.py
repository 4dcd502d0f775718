"""Live benchmark: vitascope against nginx with libnginx-mod-rtmp, fed by the same publisher, in one run.

Measures (i) time from publish to the first playable playlist, (ii) the delay between a segment's media
being sent and the segment appearing in the playlist, (iii) CPU per passthrough stream, and (iv) how
many concurrent passthrough publishers each server sustains under 80 % of the machine's CPU.

Needs Debian's ``nginx-core`` and ``libnginx-mod-rtmp`` (``apt-get install nginx-core libnginx-mod-rtmp``).
Run: ``.venv/bin/python bench/live.py [--streams 4] [--seconds 20]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import Server  # noqa: E402

from vitascope.media.ffmpeg import ffmpeg_exe  # noqa: E402

NGINX_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_source(path: Path) -> None:
    """A 720p30 H.264/AAC file with 2 s GOPs, published with -c copy so publishers cost almost nothing."""
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", "30", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "3M", "-g", "60", "-keyint_min", "60",
         "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip


def publish(source: Path, url: str, seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", str(source),
         "-t", str(seconds), "-c", "copy", "-f", "flv", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process, its reaped children, and its live descendants."""
    total = 0.0
    stack = [pid]
    first = True
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
        total += (utime + stime + (cutime + cstime if first else 0)) / TICKS
        first = False
        children = Path(f"/proc/{current}/task/{current}/children")
        if children.exists():
            stack += [int(c) for c in children.read_text().split()]
    return total


@dataclass
class Target:
    """One server under test: how to publish to it and where its playlist is."""

    name: str
    pid: int
    publish_url: Callable[[int], str]
    playlist_url: Callable[[int], str]


def poll_segments(client: httpx.Client, url: str, deadline: float) -> list[tuple[float, float]]:
    """Watch a media playlist; for each new segment, (time it appeared, media end time in the stream)."""
    seen: set[str] = set()
    media_end = 0.0
    events: list[tuple[float, float]] = []
    while time.monotonic() < deadline:
        try:
            response = client.get(url)
        except httpx.HTTPError:
            response = None
        if response is not None and response.status_code == 200:
            now = time.monotonic()
            duration = None
            sequence = 0
            first_poll = not seen
            for line in response.text.splitlines():
                if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
                    sequence = int(line.split(":")[1])
                elif line.startswith("#EXTINF:"):
                    duration = float(line[8:].split(",")[0])
                elif line and not line.startswith("#") and duration is not None:
                    key = f"{sequence}:{line}"
                    sequence += 1
                    if key not in seen:
                        seen.add(key)
                        media_end += duration
                        # Segments already there at the first look tell nothing about their own delay.
                        if not first_poll:
                            events.append((now, media_end))
                    duration = None
            if first_poll and seen:
                events.insert(0, (now, media_end))
        time.sleep(0.02)
    return events


def latency(target: Target, source: Path, stream: int, seconds: float) -> tuple[float, float]:
    """(first playable playlist after publish, median segment delay) for one publisher."""
    with httpx.Client(timeout=5) as client:
        started = time.monotonic()
        publisher = publish(source, target.publish_url(stream), seconds)
        events = poll_segments(client, target.playlist_url(stream), started + seconds + 2)
        publisher.wait()
    if not events:
        raise SystemExit(f"{target.name}: no playlist appeared")
    first = events[0][0] - started
    delays = [seen - started - media_end for seen, media_end in events[1:]]
    return first, statistics.median(delays) if delays else float("nan")


def cpu_per_stream(target: Target, source: Path, streams: int, seconds: float) -> float:
    """Average fraction of one core the server spends per concurrent passthrough stream."""
    before = tree_cpu_seconds(target.pid)
    started = time.monotonic()
    publishers = [publish(source, target.publish_url(i), seconds) for i in range(streams)]
    for process in publishers:
        process.wait()
    elapsed = time.monotonic() - started
    used = tree_cpu_seconds(target.pid) - before
    return used / elapsed / streams


def start_nginx(work: Path, rtmp_port: int, http_port: int) -> subprocess.Popen[bytes]:
    (work / "hls").mkdir(parents=True)
    conf = work / "nginx.conf"
    conf.write_text(f"""
load_module {NGINX_MODULE};
user root;
worker_processes 1;
daemon off;
error_log {work}/error.log warn;
pid {work}/nginx.pid;
events {{ worker_connections 1024; }}
rtmp {{
  server {{
    listen 127.0.0.1:{rtmp_port};
    chunk_size 4096;
    application app {{
      live on;
      record off;
      hls on;
      hls_path {work}/hls;
      hls_fragment 2s;
      hls_playlist_length 12s;
    }}
  }}
}}
http {{
  access_log off;
  server {{
    listen 127.0.0.1:{http_port};
    location /hls/ {{
      root {work};
      types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
      add_header Cache-Control no-cache;
    }}
  }}
}}
""")
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(work)], stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", rtmp_port)) == 0:
                return process
        time.sleep(0.05)
    raise SystemExit("nginx did not start (is libnginx-mod-rtmp installed?)")


def vitascope_target(work: Path, streams: int) -> tuple[Server, Target]:
    os.environ["VITASCOPE_LIVE_TRANSCODES"] = "0"  # passthrough only, like nginx-rtmp's HLS
    server = Server(data_dir=work / "vitascope", database=None)
    server.start()
    keys: list[str] = []
    playback: list[str] = []
    with server.client() as client:
        for _ in range(streams):
            data = client.post(
                "/video/v1/live-streams", json={"playback_policy": ["public"], "reconnect_window": 0}
            ).json()["data"]
            keys.append(data["stream_key"])
            playback.append(data["playback_ids"][0]["id"])
    assert server.process is not None
    return server, Target(
        "vitascope",
        server.process.pid,
        lambda i: f"{server.rtmp_url}/app/{keys[i]}",
        lambda i: f"{server.base_url}/stream/{playback[i]}/hls/source/index.m3u8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=4, help="concurrent publishers for the CPU test")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each publish")
    args = parser.parse_args()
    if not Path(NGINX_MODULE).exists() or shutil.which("nginx") is None:
        raise SystemExit("install nginx-core and libnginx-mod-rtmp first")
    work = Path(tempfile.mkdtemp(prefix="vitascope-live-bench-"))
    nginx = None
    server = None
    try:
        source = work / "source.mp4"
        make_source(source)
        rtmp_port, http_port = free_port(), free_port()
        nginx = start_nginx(work / "nginx", rtmp_port, http_port)
        nginx_target = Target(
            "nginx-rtmp",
            nginx.pid,
            lambda i: f"rtmp://127.0.0.1:{rtmp_port}/app/s{i}",
            lambda i: f"http://127.0.0.1:{http_port}/hls/s{i}.m3u8",
        )
        server, ours = vitascope_target(work, args.streams + 1)
        results = {}
        for target in (nginx_target, ours):
            first, delay = latency(target, source, args.streams, args.seconds)
            cpu = cpu_per_stream(target, source, args.streams, args.seconds)
            sustained = int(0.8 * (os.cpu_count() or 1) / cpu) if cpu > 0 else 0
            results[target.name] = (first, delay, cpu, sustained)
        print(f"{'':28}{'nginx-rtmp':>12}{'vitascope':>12}{'ratio':>8}")
        labels = ("publish -> first playlist (s)", "segment delay, median (s)", "CPU per stream (cores)",
                  "streams at < 80 % CPU")  # fmt: skip
        for index, label in enumerate(labels):
            theirs, mine = results["nginx-rtmp"][index], results["vitascope"][index]
            ratio = mine / theirs if theirs else float("nan")
            print(f"{label:28}{theirs:12.3f}{mine:12.3f}{ratio:8.2f}")
    finally:
        if server is not None:
            server.stop()
        if nginx is not None:
            nginx.terminate()
            nginx.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""VOD benchmark: just-in-time readiness and the background ladder, against plain ffmpeg and Mux's medians.

For each generated input (10 s, 60 s and 5 min of 1080p30 H.264/AAC, and 60 s of VP9/Opus in WebM) it prints:
create_asset → ``ready``; how long after ``ready`` the first segment of each rung takes to arrive when a
player asks for it; create_asset → whole ladder on disk, next to plain ffmpeg making the same ladder in one
run (target ratio ≤ 1.10); Mux's published median time to ready for that length; and the server's peak RSS.

Run: ``.venv/bin/python bench/vod.py [--quick]`` (``--quick`` skips the 5-minute input).
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

import m3u8

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import Server, ffmpeg  # noqa: E402

from vitascope.media import commands, ladder  # noqa: E402
from vitascope.media.ffmpeg import ffmpeg_exe  # noqa: E402
from vitascope.media.probe import probe  # noqa: E402

# Mux's published medians for time to ready: (all inputs, standard H.264/AAC inputs), by input length.
MUX_MEDIANS = {"0-1 min": (2.0, 1.8), "1-5 min": (3.3, 2.6), "5-20 min": (9.0, 5.5)}


def make_h264(path: Path, seconds: int) -> None:
    """1080p30 H.264/AAC with motion and a tone."""
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
           "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-g", "60",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-shortest", str(path))  # fmt: skip


def make_vp9(path: Path, seconds: int) -> None:
    """1080p30 VP9/Opus in WebM: every rung needs a full re-encode."""
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
           "-t", str(seconds), "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "4M",
           "-row-mt", "1", "-c:a", "libopus", "-shortest", str(path))  # fmt: skip


def plain_ffmpeg(source: Path, out: Path) -> float:
    """Seconds for ffmpeg alone to produce the same ladder in one run."""
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


def vitascope(source: Path, server: Server, base: str) -> dict[str, object]:
    """create → ready, ready → first segment per rung, create → full ladder on disk."""
    with server.client() as client:
        started = time.perf_counter()
        asset = client.post(
            "/video/v1/assets", json={"input": f"{base}/{source.name}", "playback_policy": ["public"]}
        )
        asset_id = asset.json()["data"]["id"]
        while (data := client.get(f"/video/v1/assets/{asset_id}").json()["data"])["status"] == "preparing":
            time.sleep(0.02)
        ready = time.perf_counter() - started
        if data["status"] != "ready":
            raise SystemExit(f"asset errored: {data.get('errors')}")
        playback_id = data["playback_ids"][0]["id"]
        master = m3u8.loads(
            client.get(f"/stream/{playback_id}.m3u8").text, uri=f"{server.base_url}/stream/x.m3u8"
        )
        first_segment: dict[str, float] = {}
        expected = 0
        for playlist in master.playlists:
            name = playlist.uri.split("/")[-2]
            variant = m3u8.loads(client.get(f"/stream/{playlist.uri}").text)
            expected += len(variant.segments)
            asked = time.perf_counter()
            response = client.get(f"/stream/{playback_id}/hls/{name}/0.ts")
            response.raise_for_status()
            first_segment[name] = time.perf_counter() - asked
        folder = server.data_dir / "objects" / "assets" / asset_id / "hls"
        while sum(1 for _ in folder.glob("*/*.ts")) < expected:
            time.sleep(0.1)
        ladder_done = time.perf_counter() - started
    return {"ready": ready, "first_segment": first_segment, "ladder": ladder_done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 5-minute input")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitascope-bench-"))
    inputs = [("h264_10s.mp4", make_h264, 10, "0-1 min"), ("h264_60s.mp4", make_h264, 60, "0-1 min"),
              ("vp9_60s.webm", make_vp9, 60, "0-1 min")]  # fmt: skip
    if not args.quick:
        inputs.insert(2, ("h264_300s.mp4", make_h264, 300, "1-5 min"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(work))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    server = Server(data_dir=work / "server", database=None)
    server.start()
    try:
        print(f"{'input':16}{'ready s':>9}{'Mux median':>12}{'first segment per rung after ready (s)':>48}"
              f"{'ladder s':>10}{'ffmpeg s':>10}{'ratio':>7}")  # fmt: skip
        for name, make, seconds, bucket in inputs:
            make(work / name, seconds)
            baseline = plain_ffmpeg(work / name, work / f"plain-{name}")
            result = vitascope(work / name, server, base)
            median = MUX_MEDIANS[bucket][1 if name.startswith("h264") else 0]
            firsts = " ".join(f"{k}={v:.2f}" for k, v in result["first_segment"].items())  # type: ignore[attr-defined]
            ladder_s = float(result["ladder"])  # type: ignore[arg-type]
            print(f"{name:16}{result['ready']:9.2f}{median:12.1f}{firsts:>48}{ladder_s:10.2f}{baseline:10.2f}"
                  f"{ladder_s / baseline:7.3f}")  # fmt: skip
        assert server.process is not None
        print(f"server peak RSS: {peak_rss_mb(server.process.pid):.1f} MB (target < 300 MB, ffmpeg excluded)")
    finally:
        server.stop()
        httpd.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

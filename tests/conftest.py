"""Shared fixtures: generated media, a local file server for input URLs, and real vitascope servers."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import mux_python
import pytest

from vitascope.media.ffmpeg import ffmpeg_exe

ROOT = Path(__file__).resolve().parent.parent


def ffmpeg(*args: str) -> None:
    """Run ffmpeg to make a test fixture (inputs are generated, never committed)."""
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=300)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small media files covering the pipeline's paths."""
    d = tmp_path_factory.mktemp("media")
    lavfi_av = [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1280x720:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440",
    ]
    ffmpeg(
        *lavfi_av,
        "-t",
        "6",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-g",
        "60",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-shortest",
        str(d / "h264_720p.mp4"),
    )
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=640x360:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=660",
        "-t",
        "4",
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "500k",
        "-c:a",
        "libopus",
        "-shortest",
        str(d / "vp9.webm"),
    )
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330", "-t", "6", "-c:a", "aac", str(d / "dub.m4a"))
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=480x270:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=220",
        "-t",
        "13",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(d / "h264_13s.mp4"),
    )
    ffmpeg("-f", "lavfi", "-i", "color=c=red:size=64x32", "-frames:v", "1", str(d / "logo.png"))
    (d / "subs.srt").write_text(
        "1\n00:00:00,500 --> 00:00:02,000\nHello\n\n2\n00:00:02,500 --> 00:00:04,000\nWorld\n"
    )
    (d / "subs.vtt").write_text("WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nBonjour\n")
    (d / "not_media.mp4").write_text("this is not a video, just text pretending to be one\n" * 50)
    return d


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def file_server(media_dir: Path) -> Iterator[str]:
    """An HTTP server on loopback that serves ``media_dir``: the 'remote' input URLs."""
    handler = functools.partial(_QuietHandler, directory=str(media_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Server:
    """A vitascope server running as a real process on an ephemeral port."""

    data_dir: Path
    database: str | None
    token_id: str = field(default_factory=lambda: "test" + uuid.uuid4().hex[:12])
    token_secret: str = field(default_factory=lambda: uuid.uuid4().hex + uuid.uuid4().hex)
    allow_private_inputs: bool = True
    process: subprocess.Popen[bytes] | None = None
    base_url: str = ""
    rtmp_url: str = ""

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    def start(self, timeout: float = 60.0) -> None:
        """Start the process and wait until it prints the URL it listens on."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        out_path = self.data_dir / "stdout.log"
        env = dict(os.environ, VITASCOPE_TOKEN_ID=self.token_id, VITASCOPE_TOKEN_SECRET=self.token_secret)
        env["VITASCOPE_ALLOW_PRIVATE_INPUTS"] = "1" if self.allow_private_inputs else "0"
        args = [
            sys.executable,
            "-m",
            "vitascope",
            "serve",
            "--http-port",
            "0",
            "--rtmp-port",
            "0",
            "--data-dir",
            str(self.data_dir),
        ]
        if self.database:
            args += ["--database", self.database]
        with out_path.open("wb") as out, self.log_path.open("ab") as err:
            self.process = subprocess.Popen(args, stdout=out, stderr=err, cwd=ROOT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in out_path.read_text().splitlines():
                if line.startswith("vitascope rtmp on "):
                    self.rtmp_url = line.removeprefix("vitascope rtmp on ").strip()
                if line.startswith("vitascope listening on "):
                    self.base_url = line.removeprefix("vitascope listening on ").strip()
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text()[-4000:]}")

    def stop(self, *, kill: bool = False) -> None:
        """Stop the process: gracefully, or with SIGKILL to simulate a crash."""
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def mux_configuration(self) -> mux_python.Configuration:
        """mux-python pointed at this server with its token."""
        configuration = mux_python.Configuration(host=self.base_url)
        configuration.username = self.token_id
        configuration.password = self.token_secret
        return configuration

    def client(self, **kwargs: object) -> httpx.Client:
        """An httpx client authenticated for the Mux API."""
        return httpx.Client(
            base_url=self.base_url,
            auth=(self.token_id, self.token_secret),
            timeout=60.0,
            **kwargs,  # type: ignore[arg-type]
        )


def _postgres_database() -> Iterator[str]:
    import psycopg

    admin_url = os.environ["VITASCOPE_TEST_DATABASE_URL"]
    name = f"vitascope_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_backends() -> list[object]:
    """SQLite always; PostgreSQL too when ``VITASCOPE_TEST_DATABASE_URL`` names one."""
    postgres = pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not os.environ.get("VITASCOPE_TEST_DATABASE_URL"), reason="VITASCOPE_TEST_DATABASE_URL is not set"
        ),
    )
    return ["sqlite", postgres]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session."""
    if not os.environ.get("VITASCOPE_TEST_DATABASE_URL"):
        pytest.skip("VITASCOPE_TEST_DATABASE_URL is not set")
    yield from _postgres_database()


@pytest.fixture(scope="session", params=database_backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running server, once per database backend."""
    database = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    srv = Server(data_dir=tmp_path_factory.mktemp(f"server-{request.param}"), database=database)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def media_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running server on SQLite for the media pipeline tests (which are too slow to run twice)."""
    srv = Server(data_dir=tmp_path_factory.mktemp("server-media"), database=None)
    srv.start()
    yield srv
    srv.stop()


def wait_for_asset(client: httpx.Client, asset_id: str, *, timeout: float = 120.0) -> dict[str, object]:
    """Poll until the asset leaves ``preparing``; returns its JSON."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data: dict[str, object] = client.get(f"/video/v1/assets/{asset_id}").json()["data"]
        if data["status"] != "preparing":
            return data
        time.sleep(0.2)
    raise AssertionError(f"asset {asset_id} still preparing after {timeout} s")

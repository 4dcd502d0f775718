"""Webhooks: signed Mux and Livepeer events to a real local receiver, durable across a server kill."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Server, wait_for_asset
from vitascope.webhooks.signatures import mux_signature, verify_livepeer, verify_mux

pytestmark = pytest.mark.slow


class Receiver:
    """A local HTTP endpoint that records what it receives; it can be told to fail for a while."""

    def __init__(self) -> None:
        self.events: list[tuple[dict[str, str], bytes]] = []
        self.fail_until = 0.0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if time.monotonic() < receiver.fail_until:
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.events.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def types(self) -> list[str]:
        return [json.loads(body).get("type") or json.loads(body).get("event") for _, body in self.events]

    def wait_for(self, event: str, timeout: float = 60) -> tuple[dict[str, str], bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for headers, body in list(self.events):
                data = json.loads(body)
                if data.get("type") == event or data.get("event") == event:
                    return headers, body
            time.sleep(0.1)
        raise AssertionError(f"no {event} event; got {self.types()}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.httpd.shutdown()
    r.httpd.server_close()


def add_webhook(server: Server, url: str, api: str = "mux") -> str:
    out = subprocess.run(
        [sys.executable, "-m", "vitascope", "webhooks", "add", url, "--api", api, "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    return next(line.split()[-1] for line in out.splitlines() if line.startswith("Signing secret:"))


def test_events_are_signed_and_survive_a_crash(tmp_path: Path, receiver: Receiver, file_server: str) -> None:
    server = Server(data_dir=tmp_path / "hooks", database=None)
    server.start()
    secret = add_webhook(server, receiver.url)
    try:
        with server.client() as client:
            listed = client.get("/system/v1/webhooks").json()["data"]
            assert [w["url"] for w in listed] == [receiver.url]
            asset = client.post(
                "/video/v1/assets",
                json={"input": f"{file_server}/h264_720p.mp4", "playback_policy": ["public"]},
            ).json()["data"]
            headers, body = receiver.wait_for("video.asset.created")
            assert verify_mux(headers["mux-signature"], body, secret)
            assert not verify_mux(headers["mux-signature"], body + b" ", secret)
            event = json.loads(body)
            assert (
                event["object"] == {"type": "asset", "id": asset["id"]}
                and event["data"]["status"] == "preparing"
            )
            assert set(event) >= {"type", "id", "created_at", "environment", "object", "data", "attempts"}
            assert wait_for_asset(client, asset["id"])["status"] == "ready"
            _, ready = receiver.wait_for("video.asset.ready")
            assert json.loads(ready)["data"]["duration"] > 5

            # The receiver goes down; the event is stored, the server is killed, and delivered after restart.
            receiver.fail_until = time.monotonic() + 4
            client.patch(f"/video/v1/assets/{asset['id']}", json={"passthrough": "after-crash"})
        time.sleep(0.5)  # let the first delivery attempt fail before the crash
        server.stop(kill=True)
        server.start()
        headers, body = receiver.wait_for("video.asset.updated", timeout=60)
        assert json.loads(body)["data"]["passthrough"] == "after-crash"
        assert verify_mux(headers["mux-signature"], body, secret)
    finally:
        server.stop()


def test_signature_helpers_and_cli_verify(tmp_path: Path) -> None:
    body = b'{"type":"video.asset.ready"}'
    header = mux_signature("s3cret", body, int(time.time()))
    assert verify_mux(header, body, "s3cret") and not verify_mux(header, body, "other")
    old = mux_signature("s3cret", body, int(time.time()) - 600)
    assert not verify_mux(old, body, "s3cret")  # receivers reject stale timestamps
    path = tmp_path / "body.json"
    path.write_bytes(body)
    ok = subprocess.run([sys.executable, "-m", "vitascope", "webhooks", "verify", "--secret", "s3cret",
                         "--header", header, "--body-file", str(path)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert ok.returncode == 0 and ok.stdout.strip() == "valid"
    bad = subprocess.run([sys.executable, "-m", "vitascope", "webhooks", "verify", "--secret", "nope",
                          "--header", header, "--body-file", str(path)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 1


def test_live_events_in_both_formats(media_server: Server, receiver: Receiver) -> None:
    from tests.e2e.test_live_rtmp import create_stream, publish, stream_of, until

    mux_secret = add_webhook(media_server, receiver.url)
    lp_secret = add_webhook(media_server, receiver.url.replace("/hook", "/lp"), api="livepeer")
    with media_server.client() as client:
        stream = create_stream(client, reconnect_window=0)
        publisher = publish(media_server.rtmp_url, str(stream["stream_key"]), 4)
        assert publisher.wait(timeout=30) == 0
        until(lambda: stream_of(client, str(stream["id"]))["status"] == "idle", 20, "not idle")
    for event in (
        "video.live_stream.created",
        "video.live_stream.connected",
        "video.live_stream.active",
        "video.live_stream.disconnected",
        "video.live_stream.idle",
    ):
        headers, body = receiver.wait_for(event)
        assert verify_mux(headers["mux-signature"], body, mux_secret)
    headers, body = receiver.wait_for("stream.started")
    assert verify_livepeer(headers["livepeer-signature"], body, lp_secret)
    started = json.loads(body)
    assert started["stream"]["id"] == stream["id"] and started["webhookId"]
    receiver.wait_for("stream.idle")
    receiver.wait_for("recording.ready")

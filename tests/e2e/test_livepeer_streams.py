"""The official livepeer SDK against a running server: the Stream API over the shared live engine."""

from __future__ import annotations

import json

import httpx
import livepeer
import pytest
from livepeer.models import components, errors

from tests.conftest import Server, wait_for_asset
from tests.e2e.test_live_rtmp import publish, until


@pytest.fixture(scope="module")
def lp(server: Server) -> livepeer.Livepeer:
    return livepeer.Livepeer(api_key=server.token_secret, server_url=f"{server.base_url}/api")


def test_stream_crud_and_cross_api_visibility(lp: livepeer.Livepeer, server: Server) -> None:
    created = lp.stream.create(
        request=components.NewStreamPayload(
            name="my show",
            record=True,
            user_tags={"team": "news"},
            profiles=[components.FfmpegProfile(name="360p", width=640, height=360, bitrate=800_000, fps=30)],
            multistream=components.Multistream(
                targets=[
                    components.Target(
                        profile="source",
                        spec=components.TargetSpec(name="yt", url="rtmp://example.com/live/key"),
                    )
                ]
            ),
        )
    ).stream
    assert created is not None
    assert created.name == "my show" and created.record is True and created.is_active is False
    assert created.stream_key and created.playback_id
    assert created.profiles is not None and created.profiles[0].name == "360p"
    assert created.multistream is not None and created.multistream.targets is not None
    assert created.created_at is not None and created.created_at > 1e12  # milliseconds
    default = lp.stream.create(request={"name": "defaults"}).stream
    assert default is not None and [p.name for p in default.profiles or []] == [
        "240p0",
        "360p0",
        "480p0",
        "720p0",
    ]

    fetched = lp.stream.get(id=created.id).stream
    assert fetched is not None and fetched.user_tags is not None
    listed = lp.stream.get_all(streamsonly="1").data or []
    assert {created.id, default.id} <= {s.id for s in listed}

    # One store, two wire formats: the same stream through Mux's API, and back.
    with server.client() as client:
        mux = client.get(f"/video/v1/live-streams/{created.id}").json()["data"]
        assert mux["stream_key"] == created.stream_key and mux["playback_ids"][0]["id"] == created.playback_id
        assert mux["simulcast_targets"][0]["url"] == "rtmp://example.com/live/key"
        made_by_mux = client.post("/video/v1/live-streams", json={"playback_policy": ["public"]}).json()[
            "data"
        ]
    via_livepeer = lp.stream.get(id=made_by_mux["id"]).stream
    assert via_livepeer is not None and via_livepeer.stream_key == made_by_mux["stream_key"]

    lp.stream.update(
        id=created.id, stream_patch_payload=components.StreamPatchPayload(record=False, suspended=True)
    )
    patched = lp.stream.get(id=created.id).stream
    assert patched is not None and patched.record is False and patched.suspended is True
    with server.client() as client:
        assert client.get(f"/video/v1/live-streams/{created.id}").json()["data"]["status"] == "disabled"
    lp.stream.update(id=created.id, stream_patch_payload={"suspended": False})

    target_id = patched.multistream.targets[0].id  # type: ignore[union-attr,index]
    lp.stream.remove_multistream_target(id=created.id, target_id=target_id)
    lp.stream.add_multistream_target(
        id=created.id,
        target_add_payload=components.TargetAddPayload(
            profile="source",
            video_only=True,
            spec=components.TargetAddPayloadSpec(url="rtmp://example.com/a/b"),
        ),
    )
    again = lp.stream.get(id=created.id).stream
    assert again is not None and again.multistream is not None
    assert [t.video_only for t in again.multistream.targets or []] == [True]

    lp.stream.delete(id=created.id)
    with pytest.raises(errors.SDKError) as raised:
        lp.stream.get(id=created.id)
    assert raised.value.status_code == 404


def test_livepeer_errors_have_livepeer_shape(server: Server) -> None:
    headers = {"Authorization": f"Bearer {server.token_secret}"}
    with httpx.Client(base_url=f"{server.base_url}/api", headers=headers) as client:
        missing = client.get("/stream/nope")
        assert missing.status_code == 404 and isinstance(missing.json()["errors"], list)
        bad_profile = client.post(
            "/stream",
            json={"name": "x", "profiles": [{"name": "p", "width": 1, "height": 1, "bitrate": 1, "fps": 0}]},
        )
        assert bad_profile.status_code == 422 and bad_profile.json()["errors"]
        no_name = client.post("/stream", json={"record": True})
        assert no_name.status_code == 422 and "errors" in no_name.json()
        bad_json = client.post("/stream", content=b"{", headers={"Content-Type": "application/json"})
        assert bad_json.status_code == 422 and "errors" in bad_json.json()
        policy = client.post("/stream", json={"name": "x", "playbackPolicy": {"type": "webhook"}})
        assert policy.status_code == 422  # a webhook policy needs a webhookId
        stream_id = client.post("/stream", json={"name": "errors"}).json()["id"]
        for method, path, body, status in (
            ("PATCH", "/stream/nope", {"record": True}, 404),
            ("DELETE", "/stream/nope", None, 404),
            ("DELETE", "/stream/nope/terminate", None, 404),
            ("POST", f"/stream/{stream_id}/start-pull", None, 400),
            ("POST", "/stream/nope/start-pull", None, 404),
            ("DELETE", f"/stream/{stream_id}/multistream/nope", None, 404),
            ("POST", f"/stream/{stream_id}/create-multistream-target", {"profile": "source"}, 422),
            (
                "POST",
                "/stream/nope/create-multistream-target",
                {"profile": "source", "spec": {"url": "rtmp://a.example/b"}},
                404,
            ),
            ("GET", "/stream/nope/clips", None, 404),
            ("POST", "/clip", {"playbackId": "nope", "startTime": 1}, 404),
            ("POST", "/clip", {"startTime": 1}, 422),
            ("GET", "/session/nope", None, 404),
            ("POST", "/stream", {"name": "x", "pull": {"source": "ftp://example.com/a"}}, 400),
            ("POST", "/multistream/target", {"url": "http://not-rtmp.example.com"}, 400),
            (
                "PATCH",
                f"/stream/{stream_id}",
                {"profiles": [{"name": "a", "width": 640, "height": 360, "bitrate": 1, "fps": 0}]},
                422,
            ),
        ):
            response = client.request(method, path, json=body)
            assert response.status_code == status, (method, path, response.text)
            assert response.json()["errors"], (method, path)
    with httpx.Client(base_url=f"{server.base_url}/api") as anonymous:
        unauthorized = anonymous.get("/stream")
        assert unauthorized.status_code == 401 and unauthorized.json() == {"errors": ["Unauthorized request"]}


@pytest.mark.slow
def test_livepeer_lifecycle_with_a_real_publisher(media_server: Server) -> None:
    lp = livepeer.Livepeer(api_key=media_server.token_secret, server_url=f"{media_server.base_url}/api")
    stream = lp.stream.create(request={"name": "live", "profiles": []}).stream
    assert stream is not None and stream.stream_key and stream.playback_id
    publisher = publish(media_server.rtmp_url, stream.stream_key, 30, app="live")
    try:
        until(
            lambda: (s := lp.stream.get(id=stream.id).stream) is not None and s.is_active, 10, "never active"
        )
        info = until(
            lambda: lp.playback.get(id=stream.playback_id or "").playback_info, 15, "no playback info"
        )
        assert info.type == "live" and info.meta.live == 1  # type: ignore[attr-defined]
        hls_url = info.meta.source[0].url  # type: ignore[attr-defined]
        until(lambda: httpx.get(hls_url).status_code == 200, 15, "live playlist never appeared")
        until(
            lambda: (lp.stream.get(id=stream.id).stream.source_segments or 0) > 0, 15, "no segments counted"
        )  # type: ignore[union-attr]
        live = lp.stream.get(id=stream.id).stream
        assert live is not None and (live.source_segments_duration or 0) > 0 and live.last_seen

        lp.stream.terminate(id=stream.id)
        publisher.wait(timeout=15)
        until(lambda: not lp.stream.get(id=stream.id).stream.is_active, 10, "terminate left it active")  # type: ignore[union-attr]
        restarted = publish(media_server.rtmp_url, stream.stream_key, 4, app="live")
        until(lambda: lp.stream.get(id=stream.id).stream.is_active, 10, "no restart after terminate")  # type: ignore[union-attr]
        assert restarted.wait(timeout=30) == 0

        lp.stream.update(id=stream.id, stream_patch_payload={"suspended": True})
        refused = publish(media_server.rtmp_url, stream.stream_key, 2, app="live")
        assert refused.wait(timeout=30) != 0
    finally:
        if publisher.poll() is None:
            publisher.kill()
        publisher.wait()


@pytest.mark.slow
def test_sessions_clips_and_pull(media_server: Server) -> None:
    lp = livepeer.Livepeer(api_key=media_server.token_secret, server_url=f"{media_server.base_url}/api")
    origin = lp.stream.create(request={"name": "origin", "profiles": []}).stream
    assert origin is not None and origin.stream_key and origin.playback_id
    publisher = publish(media_server.rtmp_url, origin.stream_key, 14, app="live")
    try:
        until(
            lambda: (s := lp.stream.get(id=origin.id).stream) is not None and s.is_active,
            10,
            "origin not active",
        )
        # A second stream pulls the first one's HLS; asking for its playback info starts the pull.
        hls = f"{media_server.base_url}/stream/{origin.playback_id}.m3u8"
        until(lambda: httpx.get(hls).status_code == 200, 15, "origin playlist never appeared")
        puller = lp.stream.create(request={"name": "pulled", "profiles": [], "pull": {"source": hls}}).stream
        assert puller is not None and puller.pull is not None
        lp.playback.get(id=puller.playback_id or "")
        until(lambda: lp.stream.get(id=puller.id).stream.is_active, 20, "pull never made the stream active")  # type: ignore[union-attr]
        lp.stream.start_pull(id=puller.id)  # idempotent while pulling

        sessions = lp.session.get_recorded(parent_id=origin.id).data or []
        assert len(sessions) == 1 and sessions[0].recording_status == "waiting"
        assert publisher.wait(timeout=30) == 0
    finally:
        if publisher.poll() is None:
            publisher.kill()
        publisher.wait()
    until(
        lambda: lp.session.get(id=sessions[0].id).session.recording_status == "ready",
        60,
        "recording not ready",
    )  # type: ignore[union-attr]
    session = lp.session.get(id=sessions[0].id).session
    assert session is not None and session.recording_url and session.parent_id == origin.id

    started = (session.created_at or 0) + 2000
    clip = lp.stream.create_clip(
        request=components.ClipPayload(
            playback_id=origin.playback_id, start_time=started, end_time=started + 6000, name="best bit"
        )
    ).data
    assert clip is not None and clip.asset.source.type == "clip"  # type: ignore[union-attr]
    clips = until(lambda: lp.stream.get_clips(id=origin.id).data, 10, "clip not listed")
    assert [c.id for c in clips] == [clip.asset.id]  # type: ignore[attr-defined]
    assert [c.id for c in lp.stream.get_clips(id=origin.playback_id).data or []] == [clip.asset.id]
    with media_server.client() as client:
        done = wait_for_asset(client, clip.asset.id, timeout=60)
        assert done["status"] == "ready", done
        assert done["duration"] == pytest.approx(6.0, abs=2.1)  # ± one live segment at each end
    bad = httpx.post(
        f"{media_server.base_url}/api/clip",
        headers={"Authorization": f"Bearer {media_server.token_secret}"},
        json={"playbackId": origin.playback_id, "startTime": 1000, "endTime": 2000},
    )
    assert bad.status_code == 400 and bad.json()["errors"]
    lp.stream.delete(id=puller.id)


def test_multistream_targets_by_id(lp: livepeer.Livepeer) -> None:
    stored = lp.multistream.create(
        request={"url": "rtmp://example.com/live/secret-key", "name": "yt"}
    ).multistream_target
    assert stored is not None and stored.id and stored.name == "yt"
    listed = lp.multistream.get_all().data or []
    assert stored.id in {t.id for t in listed}
    lp.multistream.update(
        id=stored.id, multistream_target_patch_payload={"url": "rtmp://example.com/live/k2", "disabled": True}
    )
    assert lp.multistream.get(id=stored.id).multistream_target.disabled is True  # type: ignore[union-attr]

    stream = lp.stream.create(
        request={
            "name": "by id",
            "multistream": {"targets": [{"id": stored.id, "profile": "720p0", "videoOnly": False}]},
        }
    ).stream
    assert stream is not None and stream.multistream is not None
    assert [t.id for t in stream.multistream.targets or []] == [stored.id]
    with pytest.raises(errors.SDKError) as raised:
        lp.stream.create(
            request={"name": "x", "multistream": {"targets": [{"id": "missing", "profile": "source"}]}}
        )
    assert raised.value.status_code == 422
    with pytest.raises(errors.SDKError) as raised:
        lp.stream.create(
            request={
                "name": "x",
                "profiles": [],
                "multistream": {"targets": [{"profile": "nope", "spec": {"url": "rtmp://a.example/b/c"}}]},
            }
        )
    assert raised.value.status_code == 422
    lp.stream.delete(id=stream.id)
    lp.multistream.delete(id=stored.id)
    with pytest.raises(errors.SDKError):
        lp.multistream.get(id=stored.id)


def test_webhook_playback_policy(lp: livepeer.Livepeer, server: Server) -> None:
    import http.server
    import threading

    asked: list[dict[str, object]] = []

    class Decider(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append(body)
            self.send_response(200 if body["accessKey"] == "let-me-in" else 403)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Decider)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        hook = lp.webhook.create(
            request={
                "name": "access",
                "url": f"http://127.0.0.1:{httpd.server_address[1]}/",
                "events": ["playback.accessControl"],
            }
        ).webhook
        assert hook is not None and hook.id
        stream = lp.stream.create(
            request={
                "name": "gated",
                "profiles": [],
                "playbackPolicy": {
                    "type": "webhook",
                    "webhookId": hook.id,
                    "webhookContext": {"tier": "gold"},
                    "refreshInterval": 60,
                },
            }
        ).stream
        assert stream is not None and stream.playback_policy is not None
        assert stream.playback_policy.type == "webhook" and stream.playback_policy.webhook_id == hook.id
        url = f"{server.base_url}/stream/{stream.playback_id}.m3u8"
        assert httpx.get(url).status_code == 403
        assert httpx.get(url, params={"accessKey": "wrong"}).status_code == 403
        # Allowed (the stream is just not live yet: 404 rather than 403), and the answer is cached.
        assert httpx.get(url, params={"accessKey": "let-me-in"}).status_code == 404
        assert httpx.get(url, params={"accessKey": "let-me-in"}).status_code == 404
        assert [a["accessKey"] for a in asked] == ["wrong", "let-me-in"]
        assert asked[1]["context"] == {"tier": "gold"}
        bad = httpx.post(
            f"{server.base_url}/api/stream",
            headers={"Authorization": f"Bearer {server.token_secret}"},
            json={"name": "x", "playbackPolicy": {"type": "webhook", "webhookId": "nope"}},
        )
        assert bad.status_code == 422
        lp.stream.delete(id=stream.id)
        lp.webhook.delete(id=hook.id)
    finally:
        httpd.shutdown()
        httpd.server_close()

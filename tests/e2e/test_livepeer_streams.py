"""The official livepeer SDK against a running server: the Stream API over the shared live engine."""

from __future__ import annotations

import httpx
import livepeer
import pytest
from livepeer.models import components, errors

from tests.conftest import Server
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
        assert policy.status_code == 422
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

"""mux-python's Live Streams API against a running server (configuration; media is in test_live_rtmp)."""

from __future__ import annotations

import mux_python
import pytest
from mux_python.rest import ApiException, NotFoundException

from tests.conftest import Server


@pytest.fixture(scope="module")
def live_api(server: Server) -> mux_python.LiveStreamsApi:
    return mux_python.LiveStreamsApi(mux_python.ApiClient(server.mux_configuration()))


def _create(live_api: mux_python.LiveStreamsApi, **kwargs: object) -> mux_python.LiveStream:
    request = mux_python.CreateLiveStreamRequest(
        playback_policy=[mux_python.PlaybackPolicy.PUBLIC],
        new_asset_settings=mux_python.CreateAssetRequest(
            playback_policy=[mux_python.PlaybackPolicy.PUBLIC], mp4_support="capped-1080p"
        ),
        **kwargs,
    )
    stream: mux_python.LiveStream = live_api.create_live_stream(request).data
    return stream


def test_create_get_list_update_delete(live_api: mux_python.LiveStreamsApi) -> None:
    stream = _create(live_api, passthrough="show-1", latency_mode="standard")
    assert stream.status == "idle"
    assert len(stream.stream_key) >= 22
    assert stream.reconnect_window == 60
    assert stream.max_continuous_duration == 43200
    assert stream.new_asset_settings.mp4_support == "capped-1080p"
    assert stream.playback_ids[0].policy == "public"

    # mux-python always sends reconnect_window (60); the reduced-latency default shows without it.
    reduced = _create(live_api, latency_mode="reduced", reconnect_window=None)
    assert reduced.reconnect_window == 0 and reduced.latency_mode == "reduced"

    assert live_api.get_live_stream(stream.id).data.passthrough == "show-1"
    by_key = live_api.list_live_streams(stream_key=stream.stream_key).data
    assert [s.id for s in by_key] == [stream.id]
    idle = {s.id for s in live_api.list_live_streams(status="idle", limit=100).data}
    assert {stream.id, reduced.id} <= idle
    assert len(live_api.list_live_streams(limit=1, page=1).data) == 1

    updated = live_api.update_live_stream(
        stream.id,
        mux_python.UpdateLiveStreamRequest(
            passthrough="show-2",
            reconnect_window=30,
            latency_mode="low",
            new_asset_settings=mux_python.UpdateLiveStreamNewAssetSettings(master_access="temporary"),
        ),
    ).data
    assert (
        updated.passthrough == "show-2" and updated.reconnect_window == 30 and updated.latency_mode == "low"
    )
    assert updated.new_asset_settings.master_access == "temporary"
    assert updated.new_asset_settings.mp4_support == "capped-1080p"

    live_api.delete_live_stream(stream.id)
    live_api.delete_live_stream(reduced.id)
    with pytest.raises(NotFoundException):
        live_api.get_live_stream(stream.id)


def test_playback_ids_and_simulcast_targets(live_api: mux_python.LiveStreamsApi) -> None:
    stream = _create(live_api)
    playback_id = live_api.create_live_stream_playback_id(
        stream.id, mux_python.CreatePlaybackIDRequest(policy=mux_python.PlaybackPolicy.SIGNED)
    ).data
    assert live_api.get_live_stream_playback_id(stream.id, playback_id.id).data.policy == "signed"
    live_api.delete_live_stream_playback_id(stream.id, playback_id.id)
    with pytest.raises(NotFoundException):
        live_api.get_live_stream_playback_id(stream.id, playback_id.id)

    target = live_api.create_live_stream_simulcast_target(
        stream.id,
        mux_python.CreateSimulcastTargetRequest(
            url="rtmp://live.example.com/app", stream_key="abc", passthrough="yt"
        ),
    ).data
    assert target.status == "idle" and target.url == "rtmp://live.example.com/app"
    assert live_api.get_live_stream_simulcast_target(stream.id, target.id).data.stream_key == "abc"
    with pytest.raises(ApiException) as raised:
        live_api.create_live_stream_simulcast_target(
            stream.id, mux_python.CreateSimulcastTargetRequest(url="http://not-rtmp.example.com/")
        )
    assert raised.value.status == 400
    live_api.delete_live_stream_simulcast_target(stream.id, target.id)
    with pytest.raises(NotFoundException):
        live_api.get_live_stream_simulcast_target(stream.id, target.id)
    live_api.delete_live_stream(stream.id)


def test_enable_disable_reset_complete_and_subtitles(live_api: mux_python.LiveStreamsApi) -> None:
    stream = _create(live_api)
    live_api.disable_live_stream(stream.id)
    assert live_api.get_live_stream(stream.id).data.status == "disabled"
    live_api.enable_live_stream(stream.id)
    assert live_api.get_live_stream(stream.id).data.status == "idle"

    reset = live_api.reset_stream_key(stream.id).data
    assert reset.stream_key != stream.stream_key
    assert live_api.list_live_streams(stream_key=stream.stream_key).data == []

    live_api.signal_live_stream_complete(stream.id)

    embedded = live_api.update_live_stream_embedded_subtitles(
        stream.id,
        mux_python.UpdateLiveStreamEmbeddedSubtitlesRequest(
            embedded_subtitles=[
                mux_python.LiveStreamEmbeddedSubtitleSettings(
                    name="English CC", language_code="en", language_channel="cc1"
                )
            ]
        ),
    ).data
    assert embedded.embedded_subtitles[0].language_channel == "cc1"
    generated = live_api.update_live_stream_generated_subtitles(
        stream.id,
        mux_python.UpdateLiveStreamGeneratedSubtitlesRequest(
            generated_subtitles=[
                mux_python.LiveStreamGeneratedSubtitleSettings(name="Auto", language_code="en")
            ]
        ),
    ).data
    assert generated.generated_subtitles[0].name == "Auto"
    live_api.delete_live_stream(stream.id)


def test_bad_live_stream_input(server: Server) -> None:
    with server.client() as client:
        for body in (
            {"reconnect_window": 5000},
            {"reconnect_window": -1},
            {"max_continuous_duration": 10},
            {"latency_mode": "instant"},
            {"playback_policy": ["nope"]},
            {"simulcast_targets": [{"url": "ftp://x"}]},
        ):
            response = client.post("/video/v1/live-streams", json=body)
            assert response.status_code == 400, (body, response.text)
            assert response.json()["error"]["type"] == "invalid_parameters"
        assert client.get("/video/v1/live-streams/nope").status_code == 404
        assert client.put("/video/v1/live-streams/nope/disable").status_code == 404
        assert client.post("/video/v1/live-streams/nope/reset-stream-key").status_code == 404
        assert client.get("/video/v1/live-streams", params={"status": "sleeping"}).status_code == 400

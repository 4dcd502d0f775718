"""The official mux-python SDK against a running server: every Assets operation deserializes."""

from __future__ import annotations

import time

import mux_python
import pytest
from mux_python.rest import ApiException, NotFoundException

from tests.conftest import Server


@pytest.fixture(scope="module")
def assets_api(server: Server) -> mux_python.AssetsApi:
    return mux_python.AssetsApi(mux_python.ApiClient(server.mux_configuration()))


@pytest.fixture(scope="module")
def playback_api(server: Server) -> mux_python.PlaybackIDApi:
    return mux_python.PlaybackIDApi(mux_python.ApiClient(server.mux_configuration()))


def _create(assets_api: mux_python.AssetsApi, url: str, **kwargs: object) -> mux_python.Asset:
    request = mux_python.CreateAssetRequest(
        input=[mux_python.InputSettings(url=url)],
        playback_policy=[mux_python.PlaybackPolicy.PUBLIC],
        **kwargs,
    )
    asset: mux_python.Asset = assets_api.create_asset(request).data
    return asset


def test_create_get_update_delete(assets_api: mux_python.AssetsApi, file_server: str) -> None:
    asset = _create(
        assets_api,
        f"{file_server}/h264_720p.mp4",
        passthrough="my-ref",
        meta=mux_python.AssetMetadata(title="A title", creator_id="c1", external_id="e1"),
        mp4_support="capped-1080p",
    )
    assert asset.status == "preparing"
    assert asset.passthrough == "my-ref"
    assert asset.meta.title == "A title"
    assert asset.ingest_type == "on_demand_url"
    assert int(asset.created_at) <= time.time() + 1
    assert len(asset.playback_ids) == 1 and asset.playback_ids[0].policy == "public"
    assert len(asset.id) >= 22

    fetched = assets_api.get_asset(asset.id).data
    assert fetched.id == asset.id

    updated = assets_api.update_asset(
        asset.id,
        mux_python.UpdateAssetRequest(passthrough="new-ref", meta=mux_python.AssetMetadata(title="T2")),
    ).data
    assert updated.passthrough == "new-ref"
    assert updated.meta.title == "T2" and updated.meta.creator_id == "c1"

    info = assets_api.get_asset_input_info(asset.id).data
    assert info[0].settings.url == f"{file_server}/h264_720p.mp4"

    assets_api.delete_asset(asset.id)
    with pytest.raises(NotFoundException):
        assets_api.get_asset(asset.id)


def test_playback_ids(
    assets_api: mux_python.AssetsApi, playback_api: mux_python.PlaybackIDApi, file_server: str
) -> None:
    asset = _create(assets_api, f"{file_server}/h264_720p.mp4")
    created = assets_api.create_asset_playback_id(
        asset.id, mux_python.CreatePlaybackIDRequest(policy=mux_python.PlaybackPolicy.SIGNED)
    ).data
    assert created.policy == "signed"
    assert assets_api.get_asset_playback_id(asset.id, created.id).data.id == created.id
    owner = playback_api.get_asset_or_livestream_id(created.id).data
    assert owner.object.id == asset.id and owner.object.type == "asset" and owner.policy == "signed"
    assets_api.delete_asset_playback_id(asset.id, created.id)
    with pytest.raises(NotFoundException):
        assets_api.get_asset_playback_id(asset.id, created.id)
    with pytest.raises(NotFoundException):
        playback_api.get_asset_or_livestream_id(created.id)
    assets_api.delete_asset(asset.id)


def test_list_pages_and_cursor(assets_api: mux_python.AssetsApi, file_server: str) -> None:
    created = [
        _create(assets_api, f"{file_server}/h264_720p.mp4", passthrough=f"list-{i}").id for i in range(3)
    ]
    page1 = assets_api.list_assets(limit=2, page=1).data
    page2 = assets_api.list_assets(limit=2, page=2).data
    assert len(page1) == 2
    assert not {a.id for a in page1} & {a.id for a in page2}
    first = assets_api.list_assets(limit=2)
    assert first.next_cursor
    after = assets_api.list_assets(limit=2, cursor=first.next_cursor).data
    assert not {a.id for a in first.data} & {a.id for a in after}
    seen = {a.id for a in first.data} | {a.id for a in after}
    assert set(created) <= seen | {a.id for a in assets_api.list_assets(limit=100).data}
    for asset_id in created:
        assets_api.delete_asset(asset_id)


def test_update_mp4_support_and_master_access(assets_api: mux_python.AssetsApi, file_server: str) -> None:
    asset = _create(assets_api, f"{file_server}/h264_720p.mp4")
    changed = assets_api.update_asset_mp4_support(
        asset.id, mux_python.UpdateAssetMP4SupportRequest(mp4_support="audio-only")
    ).data
    assert changed.mp4_support == "audio-only"
    changed = assets_api.update_asset_master_access(
        asset.id, mux_python.UpdateAssetMasterAccessRequest(master_access="temporary")
    ).data
    assert changed.master_access == "temporary"
    assert changed.master.status == "preparing"
    assets_api.delete_asset(asset.id)


def test_generate_subtitles_answers_clear_error(assets_api: mux_python.AssetsApi, file_server: str) -> None:
    asset = _create(assets_api, f"{file_server}/h264_720p.mp4")
    with pytest.raises(ApiException) as raised:
        assets_api.generate_asset_track_subtitles(
            asset.id,
            "track",
            mux_python.GenerateTrackSubtitlesRequest(
                generated_subtitles=[mux_python.AssetGeneratedSubtitleSettings(language_code="en")]
            ),
        )
    assert raised.value.status == 400
    assets_api.delete_asset(asset.id)

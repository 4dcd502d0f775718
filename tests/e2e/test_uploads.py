"""Direct uploads: mux-python's API, single and resumable chunked PUTs (with a dropped connection)."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlparse

import httpx
import mux_python
import pytest

from tests.conftest import Server, wait_for_asset

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def uploads_api(media_server: Server) -> mux_python.DirectUploadsApi:
    return mux_python.DirectUploadsApi(mux_python.ApiClient(media_server.mux_configuration()))


def new_upload(uploads_api: mux_python.DirectUploadsApi, **kwargs: object) -> mux_python.Upload:
    request = mux_python.CreateUploadRequest(
        new_asset_settings=mux_python.CreateAssetRequest(playback_policy=[mux_python.PlaybackPolicy.PUBLIC],
                                                         passthrough="from-upload"),
        **kwargs,
    )  # fmt: skip
    upload: mux_python.Upload = uploads_api.create_direct_upload(request).data
    return upload


def test_single_put_upload_becomes_an_asset(
    uploads_api: mux_python.DirectUploadsApi, media_server: Server, media_dir: Path
) -> None:
    upload = new_upload(uploads_api, cors_origin="https://app.example.com", timeout=600)
    assert upload.status == "waiting" and upload.url and upload.timeout == 600
    preflight = httpx.options(upload.url, headers={"Origin": "https://app.example.com",
                                                   "Access-Control-Request-Method": "PUT"})  # fmt: skip
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "Content-Range" in preflight.headers["access-control-allow-headers"]
    other = httpx.options(upload.url, headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in other.headers
    response = httpx.put(upload.url, content=(media_dir / "h264_720p.mp4").read_bytes(), timeout=60)
    assert response.status_code == 200
    done = uploads_api.get_direct_upload(upload.id).data
    assert done.status == "asset_created" and done.asset_id
    with media_server.client() as client:
        asset = wait_for_asset(client, done.asset_id)
        assert asset["status"] == "ready" and asset["upload_id"] == upload.id
        assert asset["ingest_type"] == "on_demand_direct_upload" and asset["passthrough"] == "from-upload"
        assert asset["duration"] == pytest.approx(6.0, abs=0.2)
        found = client.get("/video/v1/assets", params={"upload_id": upload.id}).json()["data"]
        assert [a["id"] for a in found] == [done.asset_id]
    assert upload.id in {u.id for u in uploads_api.list_direct_uploads().data}


def test_chunked_upload_resumes_after_a_cut_connection(
    uploads_api: mux_python.DirectUploadsApi, media_server: Server, media_dir: Path
) -> None:
    data = (media_dir / "vp9.webm").read_bytes()
    total = len(data)
    chunk = 64 * 1024
    upload = new_upload(uploads_api)
    assert upload.url
    first = httpx.put(
        upload.url, content=data[:chunk], headers={"Content-Range": f"bytes 0-{chunk - 1}/{total}"}
    )
    assert first.status_code == 308 and first.headers["range"] == f"bytes=0-{chunk - 1}"

    # The next chunk's connection drops halfway: raw socket, half the bytes, then close.
    parsed = urlparse(upload.url)
    end = min(2 * chunk, total) - 1
    with socket.create_connection((parsed.hostname, parsed.port)) as sock:
        sock.sendall(
            f"PUT {parsed.path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nContent-Length: {end - chunk + 1}\r\n"
            f"Content-Range: bytes {chunk}-{end}/{total}\r\n\r\n".encode()
            + data[chunk : chunk + chunk // 2]
        )
    # The client asks how far the server got (UpChunk's resume), then continues from there.
    status = httpx.put(upload.url, content=b"", headers={"Content-Range": f"bytes */{total}"})
    assert status.status_code == 308
    have = int(status.headers["range"].split("-")[1]) + 1
    assert chunk <= have <= chunk + chunk // 2
    position = have
    while position < total:
        stop = min(position + chunk, total)
        response = httpx.put(upload.url, content=data[position:stop],
                             headers={"Content-Range": f"bytes {position}-{stop - 1}/{total}"})  # fmt: skip
        assert response.status_code == (200 if stop == total else 308)
        position = stop
    done = uploads_api.get_direct_upload(upload.id).data
    assert done.status == "asset_created"
    with media_server.client() as client:
        asset = wait_for_asset(client, done.asset_id)
        assert asset["status"] == "ready" and asset["duration"] == pytest.approx(4.0, abs=0.2)


def test_cancel_and_bad_uploads(uploads_api: mux_python.DirectUploadsApi, media_server: Server) -> None:
    upload = new_upload(uploads_api)
    cancelled = uploads_api.cancel_direct_upload(upload.id).data
    assert cancelled.status == "cancelled"
    assert httpx.put(upload.url, content=b"late").status_code == 409
    with media_server.client() as client:
        assert client.put(f"/video/v1/uploads/{upload.id}/cancel").status_code == 400
        assert client.post("/video/v1/uploads", json={"timeout": 5}).status_code == 400
        assert client.get("/video/v1/uploads/nope").status_code == 404
    fresh = new_upload(uploads_api)
    gap = httpx.put(fresh.url, content=b"x" * 10, headers={"Content-Range": "bytes 100-109/1000"})
    assert gap.status_code == 400
    bad = httpx.put(fresh.url, content=b"x", headers={"Content-Range": "pages 1-2"})
    assert bad.status_code == 400
    # A file that is not media still becomes an asset, which errors with a reason.
    assert httpx.put(fresh.url, content=b"not a video at all" * 100).status_code == 200
    done = uploads_api.get_direct_upload(fresh.id).data
    with media_server.client() as client:
        asset = wait_for_asset(client, done.asset_id)
        assert asset["status"] == "errored" and asset["errors"]["type"] == "invalid_input"


def test_livepeer_request_upload_over_tus(media_server: Server, media_dir: Path) -> None:
    import livepeer
    from tusclient import client as tus

    lp = livepeer.Livepeer(api_key=media_server.token_secret, server_url=f"{media_server.base_url}/api")
    requested = lp.asset.create(request={"name": "tus upload"}).data
    assert requested is not None and requested.tus_endpoint and requested.asset.id
    uploader = tus.TusClient(requested.tus_endpoint).uploader(
        file_path=str(media_dir / "h264_720p.mp4"),
        chunk_size=256 * 1024,
        metadata={"filename": "h264_720p.mp4"},
    )
    uploader.upload_chunk()  # one chunk, then resume from the server's offset as a restarted client would
    resumed = tus.TusClient(requested.tus_endpoint).uploader(
        file_path=str(media_dir / "h264_720p.mp4"), chunk_size=256 * 1024, url=uploader.url
    )
    assert resumed.offset == 256 * 1024
    resumed.upload()
    with media_server.client() as client:
        asset = wait_for_asset(client, requested.asset.id)
        assert asset["status"] == "ready" and asset["meta"]["title"] == "tus upload"
    fetched = lp.asset.get(asset_id=requested.asset.id).asset
    assert fetched is not None and fetched.status is not None and fetched.status.phase == "ready"
    assert fetched.playback_url and fetched.source.type == "directUpload"  # type: ignore[union-attr]

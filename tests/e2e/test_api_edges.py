"""Bad input through real HTTP: every class gets Mux's error shape and status, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Server


def error_of(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, object] = body["error"]
    assert isinstance(error["type"], str)
    assert isinstance(error["messages"], list) and error["messages"]
    return error


def test_missing_auth_is_401(server: Server) -> None:
    with httpx.Client(base_url=server.base_url) as anonymous:
        error = error_of(anonymous.get("/video/v1/assets"), 401)
    assert error["type"] == "unauthorized"


def test_wrong_secret_is_401(server: Server) -> None:
    with httpx.Client(base_url=server.base_url, auth=(server.token_id, "wrong")) as client:
        error_of(client.get("/video/v1/assets"), 401)
    with httpx.Client(base_url=server.base_url, auth=("nobody", server.token_secret)) as client:
        error_of(client.get("/video/v1/assets"), 401)
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Basic !!!not-base64"}) as client:
        error_of(client.get("/video/v1/assets"), 401)


def test_malformed_json_is_400(server: Server) -> None:
    with server.client() as client:
        response = client.post(
            "/video/v1/assets", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        error = error_of(response, 400)
    assert error["type"] == "invalid_parameters"


def test_unknown_enum_value_is_400(server: Server, file_server: str) -> None:
    with server.client() as client:
        url = f"{file_server}/h264_720p.mp4"
        for body in (
            {"input": [{"url": url}], "playback_policy": ["sometimes"]},
            {"input": [{"url": url}], "mp4_support": "everything"},
            {"input": [{"url": url}], "max_resolution_tier": "8k"},
            {"input": [{"url": url}], "video_quality": "ultra"},
        ):
            error = error_of(client.post("/video/v1/assets", json=body), 400)
            assert error["type"] == "invalid_parameters"


def test_wrong_types_are_400(server: Server, file_server: str) -> None:
    with server.client() as client:
        error_of(client.post("/video/v1/assets", json={"input": 5}), 400)
        error_of(client.post("/video/v1/assets", json={"input": [{"url": ["x"]}]}), 400)
        error_of(
            client.post("/video/v1/assets", json={"input": f"{file_server}/a.mp4", "test": "maybe"}), 400
        )
        error_of(client.post("/video/v1/assets", json=[1, 2]), 400)
        error_of(client.get("/video/v1/assets", params={"limit": "many"}), 400)
        error_of(client.get("/video/v1/assets", params={"limit": 1000}), 400)


def test_missing_or_bad_input_is_400(server: Server) -> None:
    with server.client() as client:
        error_of(client.post("/video/v1/assets", json={}), 400)
        error_of(client.post("/video/v1/assets", json={"input": [{"url": "ftp://example.com/a.mp4"}]}), 400)
        error_of(client.post("/video/v1/assets", json={"input": [{"url": "not a url"}]}), 400)
        error_of(client.post("/video/v1/assets", json={"input": [{"url": "mux://assets/doesnotexist"}]}), 400)


def test_private_inputs_refused_without_flag(tmp_path_factory: pytest.TempPathFactory) -> None:
    strict = Server(data_dir=tmp_path_factory.mktemp("strict"), database=None, allow_private_inputs=False)
    strict.start()
    try:
        with strict.client() as client:
            for url in (
                "http://127.0.0.1/a.mp4",
                "http://localhost:8000/a.mp4",
                "http://10.1.2.3/a.mp4",
                "http://[::1]/a.mp4",
                "http://169.254.169.254/latest",
            ):
                error = error_of(client.post("/video/v1/assets", json={"input": [{"url": url}]}), 400)
                assert "private" in str(error["messages"][0])  # type: ignore[index]
    finally:
        strict.stop()


def test_oversize_body_is_413(server: Server) -> None:
    with server.client() as client:
        response = client.post(
            "/video/v1/assets",
            content=b'{"passthrough": "' + b"x" * (2 * 1024 * 1024) + b'"}',
            headers={"Content-Type": "application/json"},
        )
        error_of(response, 413)


def test_unknown_ids_are_404(server: Server) -> None:
    with server.client() as client:
        for method, path in (
            ("GET", "/video/v1/assets/nope"),
            ("DELETE", "/video/v1/assets/nope"),
            ("GET", "/video/v1/assets/nope/input-info"),
            ("GET", "/video/v1/assets/nope/playback-ids/nope"),
            ("DELETE", "/video/v1/assets/nope/playback-ids/nope"),
            ("GET", "/video/v1/playback-ids/nope"),
            ("DELETE", "/video/v1/assets/nope/tracks/nope"),
        ):
            error = error_of(client.request(method, path), 404)
            assert error["type"] == "not_found"
        error_of(client.patch("/video/v1/assets/nope", json={"passthrough": "x"}), 404)
        error_of(client.put("/video/v1/assets/nope/mp4-support", json={"mp4_support": "capped-1080p"}), 404)
        error_of(client.put("/video/v1/assets/nope/master-access", json={"master_access": "temporary"}), 404)
        error_of(client.post("/video/v1/assets/nope/playback-ids", json={"policy": "public"}), 404)


def test_invalid_cursor_is_400(server: Server) -> None:
    with server.client() as client:
        error_of(client.get("/video/v1/assets", params={"cursor": "garbage!"}), 400)


def test_delivery_errors_use_delivery_shape(server: Server) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        response = client.get("/stream/nope.m3u8")
        assert response.status_code == 404
        assert response.json() == {"code": 5, "message": "Not Found"}
        response = client.get("/image/nope/thumbnail.jpg")
        assert response.status_code == 404
        assert response.json() == {"code": 5, "message": "Not Found"}

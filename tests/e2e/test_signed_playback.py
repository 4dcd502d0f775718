"""Signing keys (Mux and Livepeer APIs) and signed playback: every refused-token class, every audience."""

from __future__ import annotations

import base64
import time

import httpx
import jwt
import livepeer
import m3u8
import mux_python
import pytest
from mux_python.rest import NotFoundException

from tests.conftest import Server, wait_for_asset

pytestmark = pytest.mark.slow


def sign(
    key_id: str, private_b64: str, playback_id: str, aud: str, *, ttl: int = 600, **claims: object
) -> str:
    private = base64.b64decode(private_b64)
    payload = {"sub": playback_id, "aud": aud, "exp": int(time.time()) + ttl, **claims}
    return jwt.encode(payload, private, algorithm="RS256", headers={"kid": key_id})


@pytest.fixture(scope="module")
def signing_api(media_server: Server) -> mux_python.SigningKeysApi:
    return mux_python.SigningKeysApi(mux_python.ApiClient(media_server.mux_configuration()))


def test_signing_keys_api(signing_api: mux_python.SigningKeysApi, media_server: Server) -> None:
    key = signing_api.create_signing_key().data
    assert key.id and base64.b64decode(key.private_key).startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    listed = signing_api.list_signing_keys().data
    assert key.id in {k.id for k in listed} and all(k.private_key is None for k in listed)
    assert signing_api.get_signing_key(key.id).data.private_key is None
    configuration = signing_api.api_client.configuration
    video_keys = mux_python.URLSigningKeysApi(mux_python.ApiClient(configuration))
    assert key.id in {k.id for k in video_keys.list_url_signing_keys().data}
    signing_api.delete_signing_key(key.id)
    with pytest.raises(NotFoundException):
        signing_api.get_signing_key(key.id)


def test_signed_playback(
    signing_api: mux_python.SigningKeysApi, media_server: Server, file_server: str
) -> None:
    key = signing_api.create_signing_key().data
    with media_server.client() as client:
        asset = client.post(
            "/video/v1/assets", json={"input": f"{file_server}/h264_720p.mp4", "playback_policy": ["signed"]}
        ).json()["data"]
        assert wait_for_asset(client, asset["id"])["status"] == "ready"
    playback_id = asset["playback_ids"][0]["id"]
    base = media_server.base_url

    def get(path: str, token: str | None) -> httpx.Response:
        return httpx.get(f"{base}{path}", params={"token": token} if token else None, timeout=30)

    # Refused: no token, expired, wrong audience, unknown key, alg none, tampered, another playback ID.
    good_v = sign(key.id, key.private_key, playback_id, "v")
    header, _, signature = good_v.split(".")
    forged_body = (
        base64.urlsafe_b64encode(b'{"sub":"%s","aud":"v","exp":9999999999}' % playback_id.encode())
        .decode()
        .rstrip("=")
    )
    refused = {
        "none": None,
        "expired": sign(key.id, key.private_key, playback_id, "v", ttl=-10),
        "audience": sign(key.id, key.private_key, playback_id, "t"),
        "unknown key": sign("nokey", key.private_key, playback_id, "v"),
        "alg none": jwt.encode(
            {"sub": playback_id, "aud": "v", "exp": int(time.time()) + 60},
            None,
            algorithm="none",
            headers={"kid": key.id},
        ),
        "tampered": f"{header}.{forged_body}.{signature}",
        "other playback": sign(key.id, key.private_key, "someoneelse", "v"),
        "garbage": "not.a.jwt",
    }
    for reason, token in refused.items():
        response = get(f"/stream/{playback_id}.m3u8", token)
        assert response.status_code == 403, reason
        assert response.json() == {"code": 7, "message": "Forbidden"}, reason

    # Video: the master playlist carries the token to every variant and segment.
    master = get(f"/stream/{playback_id}.m3u8", good_v)
    assert master.status_code == 200
    parsed = m3u8.loads(master.text, uri=f"{base}/stream/{playback_id}.m3u8")
    for playlist in parsed.playlists:
        assert "token=" in playlist.uri
        variant = httpx.get(playlist.absolute_uri, timeout=30)
        assert variant.status_code == 200
        segments = m3u8.loads(variant.text, uri=playlist.absolute_uri).segments
        assert all("token=" in s.uri for s in segments)
        assert httpx.get(segments[0].absolute_uri, timeout=30).status_code == 200
        bare = segments[0].absolute_uri.split("?")[0]
        assert httpx.get(bare, timeout=30).status_code == 403

    # Images: each audience works for its own kind of request only; parameters may come from claims.
    thumb = get(
        f"/image/{playback_id}/thumbnail.jpg", sign(key.id, key.private_key, playback_id, "t", width=120)
    )
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    import io

    import av

    with av.open(io.BytesIO(thumb.content)) as image:
        assert next(image.decode(video=0)).width == 120
    assert get(f"/image/{playback_id}/thumbnail.jpg", good_v).status_code == 403
    gif = get(f"/image/{playback_id}/animated.gif", sign(key.id, key.private_key, playback_id, "g"))
    assert gif.status_code == 200 and gif.content[:3] == b"GIF"
    board = get(f"/image/{playback_id}/storyboard.vtt", sign(key.id, key.private_key, playback_id, "s"))
    assert board.status_code == 200 and "token=" in board.text

    # Deleting the key invalidates every token it signed.
    signing_api.delete_signing_key(key.id)
    assert get(f"/stream/{playback_id}.m3u8", good_v).status_code == 403


def test_livepeer_jwt_playback(media_server: Server) -> None:
    lp = livepeer.Livepeer(api_key=media_server.token_secret, server_url=f"{media_server.base_url}/api")
    # The SDK's SigningKey model has no privateKey field, so the one-time private key is read raw.
    raw = httpx.post(
        f"{media_server.base_url}/api/access-control/signing-key",
        headers={"Authorization": f"Bearer {media_server.token_secret}"},
    ).json()
    created = lp.access_control.get(key_id=raw["id"]).signing_key
    assert created is not None and created.id and created.public_key == raw["publicKey"]
    stream = lp.stream.create(
        request={"name": "private", "playbackPolicy": {"type": "jwt"}, "profiles": []}
    ).stream
    assert stream is not None and stream.playback_policy is not None and stream.playback_policy.type == "jwt"
    info = lp.playback.get(id=stream.playback_id or "").playback_info
    assert info is not None and info.meta.playback_policy.type == "jwt"  # type: ignore[union-attr]
    url = f"{media_server.base_url}/stream/{stream.playback_id}.m3u8"
    assert httpx.get(url).status_code == 403
    private = base64.b64decode(raw["privateKey"])
    token = jwt.encode(
        {
            "sub": stream.playback_id,
            "action": "pull",
            "exp": int(time.time()) + 60,
            "pub": created.public_key,
        },
        private,
        algorithm="ES256",
    )
    # The token is accepted (the stream is simply not live yet: 404, not 403), by header and by query.
    assert httpx.get(url, headers={"Livepeer-Jwt": token}).status_code == 404
    assert httpx.get(url, params={"jwt": token}).status_code == 404
    lp.access_control.update(key_id=created.id, request_body={"disabled": True})
    assert httpx.get(url, params={"jwt": token}).status_code == 403
    lp.access_control.delete(key_id=created.id)


def test_playback_restrictions(
    signing_api: mux_python.SigningKeysApi, media_server: Server, file_server: str
) -> None:
    restrictions = mux_python.PlaybackRestrictionsApi(
        mux_python.ApiClient(signing_api.api_client.configuration)
    )
    created = restrictions.create_playback_restriction(
        mux_python.CreatePlaybackRestrictionRequest(
            referrer=mux_python.ReferrerDomainRestriction(allowed_domains=["example.com", "*.example.org"],
                                                          allow_no_referrer=False),
            user_agent=mux_python.UserAgentRestrictionRequest(allow_no_user_agent=False, allow_high_risk_user_agent=True),
        )
    ).data  # fmt: skip
    assert created.referrer.allowed_domains == ["example.com", "*.example.org"]
    assert restrictions.get_playback_restriction(created.id).data.user_agent.allow_no_user_agent is False
    assert created.id in {r.id for r in restrictions.list_playback_restrictions().data}

    key = signing_api.create_signing_key().data
    with media_server.client() as client:
        asset = client.post(
            "/video/v1/assets", json={"input": f"{file_server}/h264_720p.mp4", "playback_policy": ["signed"]}
        ).json()["data"]
        assert wait_for_asset(client, asset["id"])["status"] == "ready"
        bad = client.post(
            "/video/v1/playback-restrictions", json={"referrer": {"allowed_domains": ["not a domain!"]}}
        )
        assert bad.status_code == 400
    playback_id = asset["playback_ids"][0]["id"]
    token = sign(key.id, key.private_key, playback_id, "v", playback_restriction_id=created.id)
    url = f"{media_server.base_url}/stream/{playback_id}.m3u8"

    def status(**headers: str) -> int:
        return httpx.get(
            url, params={"token": token}, headers={"User-Agent": "player/1.0", **headers}
        ).status_code

    assert status(Referer="https://example.com/watch") == 200
    assert status(Referer="https://cdn.example.org/page") == 200
    assert status(Referer="https://evil.example.net/") == 403
    assert status() == 403  # no referrer, not allowed
    assert (
        httpx.get(
            url, params={"token": token}, headers={"Referer": "https://example.com/", "User-Agent": ""}
        ).status_code
        == 403
    )
    restrictions.update_referrer_domain_restriction(
        created.id,
        mux_python.UpdateReferrerDomainRestrictionRequest(allowed_domains=["*"], allow_no_referrer=True),
    )
    assert status() == 200 and status(Referer="https://anything.example.net/") == 200
    restrictions.update_user_agent_restriction(
        created.id,
        mux_python.UpdateUserAgentRestrictionRequest(
            allow_no_user_agent=True, allow_high_risk_user_agent=True
        ),
    )
    restrictions.delete_playback_restriction(created.id)
    assert status() == 403  # the token names a restriction that no longer exists

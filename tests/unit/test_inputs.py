"""Which input URLs may be fetched."""

from __future__ import annotations

import pytest

from vitascope.domain.inputs import check_input_url, clip_source, is_private_host
from vitascope.errors import InvalidParameters


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "10.0.0.1",
        "192.168.1.10",
        "172.16.5.4",
        "169.254.169.254",
        "[::1]",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "fd00::1",
        "api.localhost",
    ],
)
def test_private_hosts(host: str) -> None:
    assert is_private_host(host, resolve=False)


@pytest.mark.parametrize("host", ["8.8.8.8", "example.com", "2001:4860:4860::8888"])
def test_public_hosts(host: str) -> None:
    assert not is_private_host(host, resolve=False)


def test_check_input_url() -> None:
    check_input_url("https://example.com/a.mp4", allow_private=False)
    check_input_url("http://127.0.0.1:8000/a.mp4", allow_private=True)
    check_input_url("mux://assets/abc123", allow_private=False)
    for bad in (
        "ftp://example.com/a",
        "file:///etc/passwd",
        "example.com/a.mp4",
        "http://",
        "mux://assets/../x",
    ):
        with pytest.raises(InvalidParameters):
            check_input_url(bad, allow_private=True)
    with pytest.raises(InvalidParameters, match="private"):
        check_input_url("http://127.0.0.1/a.mp4", allow_private=False)


def test_clip_source() -> None:
    assert clip_source("mux://assets/abc") == "abc"
    assert clip_source("mux://assets/") is None
    assert clip_source("https://example.com") is None

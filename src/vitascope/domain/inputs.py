"""Rules for input URLs: which schemes are accepted and which hosts may be fetched."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlparse

from vitascope.errors import InvalidParameters

_ASSET_URL = re.compile(r"^mux://assets/([A-Za-z0-9]+)$")


def clip_source(url: str) -> str | None:
    """The asset id of a ``mux://assets/{id}`` input (a clip of an existing asset), else ``None``."""
    match = _ASSET_URL.match(url)
    return match.group(1) if match else None


def check_input_url(url: str, *, allow_private: bool) -> None:
    """Refuse at request time what can never be fetched: bad schemes and private address literals."""
    if clip_source(url) is not None:
        return
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidParameters(f"input url {url!r} must be an http(s) URL or mux://assets/{{asset_id}}")
    if not allow_private and is_private_host(parsed.hostname, resolve=False):
        raise InvalidParameters(f"input url {url!r} points to a private or loopback address")


def check_pull_url(url: str, *, allow_private: bool) -> None:
    """Refuse pull sources we cannot or must not reach (bad schemes, private address literals)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("rtmp", "rtmps", "srt", "http", "https") or not parsed.hostname:
        raise InvalidParameters(f"pull source {url!r} must be an rtmp(s), srt or http(s) URL")
    if not allow_private and is_private_host(parsed.hostname, resolve=False):
        raise InvalidParameters(f"pull source {url!r} points to a private or loopback address")


def is_private_address(address: str) -> bool:
    """True for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def is_private_host(host: str, *, resolve: bool) -> bool:
    """True when ``host`` is (or, with ``resolve``, resolves to) any non-public address."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return is_private_address(host.strip("[]"))
    except ValueError:
        pass
    if not resolve:
        return False
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return any(is_private_address(str(info[4][0])) for info in infos)

"""Object storage: the interface and its adapters."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from vitascope.store.objects.base import ObjectStore, check_key
from vitascope.store.objects.local import LocalObjectStore

__all__ = ["LocalObjectStore", "ObjectStore", "check_key", "open_object_store"]


def open_object_store(url: str) -> LocalObjectStore:
    """Build the object store a ``--storage`` URL names."""
    parsed = urlparse(url)
    if parsed.scheme in ("file", ""):
        return LocalObjectStore(Path(parsed.path or url))
    raise ValueError(f"unsupported storage URL {url!r}: only file:// is available in this build")

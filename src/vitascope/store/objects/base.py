"""The object store interface: where media bytes live (local folder by default, S3 at scale)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")


def check_key(key: str) -> str:
    """Refuse keys that could escape the store (``..``, absolute paths, odd characters)."""
    if not _KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"invalid object key {key!r}")
    return key


class ObjectStore(Protocol):
    """Byte storage addressed by slash-separated keys."""

    async def put_file(self, key: str, source: Path) -> None:
        """Store the file at ``source`` under ``key``; the source may be moved."""

    async def put_bytes(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``."""

    async def put_tree(self, prefix: str, source_dir: Path) -> None:
        """Store every file below ``source_dir`` under ``prefix``; the files may be moved."""

    async def read_bytes(self, key: str) -> bytes:
        """Return the whole object; raises ``FileNotFoundError`` when absent."""

    async def size(self, key: str) -> int | None:
        """Return the object's size in bytes, or ``None`` when absent."""

    async def local_path(self, key: str) -> Path:
        """Return a local file holding the object, for tools such as ffmpeg that read files."""

    def local_dir(self, prefix: str) -> Path:
        """A local folder whose files appear under ``prefix`` (where live segments are written)."""

    async def delete_prefix(self, prefix: str) -> None:
        """Delete every object whose key starts with ``prefix/`` (and ``prefix`` itself)."""

"""Object store on a local folder: the default for a single machine."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from pathlib import Path

from vitascope.store.objects.base import check_key


class LocalObjectStore:
    """Objects are plain files below ``root``; writes land atomically by rename."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The file that holds ``key`` (which may not exist)."""
        return self.root / check_key(key)

    async def put_file(self, key: str, source: Path) -> None:
        await asyncio.to_thread(self._move, source, self.path(key))

    async def put_bytes(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self.path(key), data)

    async def put_tree(self, prefix: str, source_dir: Path) -> None:
        files = await asyncio.to_thread(lambda: sorted(p for p in source_dir.rglob("*") if p.is_file()))
        for file in files:
            await self.put_file(f"{prefix}/{file.relative_to(source_dir).as_posix()}", file)

    async def read_bytes(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def size(self, key: str) -> int | None:
        try:
            return (await asyncio.to_thread(self.path(key).stat)).st_size
        except FileNotFoundError:
            return None

    async def local_path(self, key: str) -> Path:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path

    def local_dir(self, prefix: str) -> Path:
        path = self.path(prefix)
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def delete_prefix(self, prefix: str) -> None:
        path = self.path(prefix)
        await asyncio.to_thread(shutil.rmtree, path, True)
        if path.is_file():
            path.unlink(missing_ok=True)

    @staticmethod
    def _move(source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A unique temporary name: two writers of one key (a segment made on request and by the ladder job)
        # must not collide before the atomic rename.
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        shutil.move(source, tmp)
        os.replace(tmp, target)

    @staticmethod
    def _write(target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)

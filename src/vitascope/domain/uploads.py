"""Direct uploads: a URL that accepts a file (whole or in resumable chunks) and turns it into an asset."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field
from sqlalchemy import select

from vitascope.domain.assets import AssetCreate, AssetService
from vitascope.domain.models import AssetDefaults, AssetMeta, Entity, now
from vitascope.errors import Conflict, InvalidParameters, NotFound, PayloadTooLarge
from vitascope.ids import new_id
from vitascope.jobs import JobQueue
from vitascope.store.database import Database
from vitascope.store.objects import ObjectStore
from vitascope.store.tables import UploadRow
from vitascope.vod.layout import source_key

if TYPE_CHECKING:
    from vitascope.domain.webhooks import WebhookService

EXPIRE_JOB = "upload.expire"
UploadStatus = Literal["waiting", "asset_created", "errored", "cancelled", "timed_out"]


class UploadError(Entity):
    type: str
    message: str


class Upload(Entity):
    id: str
    created_at: int = Field(default_factory=now)
    status: UploadStatus = "waiting"
    timeout: int = 3600
    new_asset_settings: AssetDefaults | None = None
    cors_origin: str | None = None
    test: bool = False
    asset_id: str | None = None
    error: UploadError | None = None
    livepeer_name: str | None = None
    # Livepeer names the asset before the file arrives; tus announces the size up front.
    reserved_asset_id: str | None = None
    size: int | None = None


class UploadService:
    """Creates uploads, receives their bytes into a staging file, and hands finished files to assets."""

    def __init__(
        self,
        db: Database,
        jobs: JobQueue,
        assets: AssetService,
        objects: ObjectStore,
        staging: Path,
        max_bytes: int,
    ) -> None:
        self.db = db
        self.jobs = jobs
        self.assets = assets
        self.objects = objects
        self.staging = staging
        self.max_bytes = max_bytes
        self.webhooks: WebhookService | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        staging.mkdir(parents=True, exist_ok=True)

    def staged(self, upload_id: str) -> Path:
        """The staging file of an upload (its size is how many bytes have arrived)."""
        return self.staging / f"{upload_id}.part"

    async def create(
        self,
        *,
        new_asset_settings: AssetDefaults | None,
        cors_origin: str | None,
        timeout: int,
        test: bool,
        livepeer_name: str | None = None,
        reserve_asset: bool = False,
    ) -> Upload:
        """A waiting upload; it times out after ``timeout`` seconds if no file completes."""
        if not 60 <= timeout <= 604800:
            raise InvalidParameters("timeout must be between 60 and 604800 seconds")
        upload = Upload(
            id=new_id(),
            timeout=timeout,
            new_asset_settings=new_asset_settings,
            cors_origin=cors_origin,
            test=test,
            livepeer_name=livepeer_name,
            reserved_asset_id=new_id() if reserve_asset else None,
        )
        async with self.db.transaction() as session:
            session.add(
                UploadRow(
                    id=upload.id, created_at=upload.created_at, status=upload.status, doc=upload.model_dump()
                )
            )
            await self.jobs.enqueue(
                session, EXPIRE_JOB, f"upload:{upload.id}:expire", delay=timeout, upload_id=upload.id
            )
            if self.webhooks is not None:
                await self.webhooks.emit_mux(session, "video.upload.created", upload, "upload")
        return upload

    async def get(self, upload_id: str) -> Upload:
        async with self.db.read() as session:
            row = await session.get(UploadRow, upload_id)
        if row is None:
            raise NotFound("The requested upload does not exist")
        return Upload.model_validate(row.doc)

    async def list(self, *, limit: int = 25, page: int = 1) -> list[Upload]:
        async with self.db.read() as session:
            query = (
                select(UploadRow)
                .order_by(UploadRow.created_at.desc(), UploadRow.id.desc())
                .limit(limit)
                .offset((page - 1) * limit)
            )
            return [Upload.model_validate(row.doc) for row in (await session.scalars(query)).all()]

    async def _set(self, upload_id: str, event: str | None, **changes: object) -> Upload:
        async with self.db.transaction() as session:
            row = await session.get(UploadRow, upload_id, with_for_update=True)
            if row is None:
                raise NotFound("The requested upload does not exist")
            upload = Upload.model_validate({**row.doc, **changes})
            row.status, row.doc = upload.status, upload.model_dump()
            if event is not None and self.webhooks is not None:
                await self.webhooks.emit_mux(session, f"video.upload.{event}", upload, "upload")
        return upload

    async def announce_size(self, upload_id: str, size: int) -> None:
        """Record the total size a tus client declared when it created the upload."""
        if size <= 0 or size > self.max_bytes:
            raise PayloadTooLarge(f"uploads must be between 1 and {self.max_bytes} bytes")
        await self._set(upload_id, None, size=size)

    async def cancel(self, upload_id: str) -> Upload:
        """Stop a waiting upload; its URL accepts nothing more."""
        upload = await self.get(upload_id)
        if upload.status != "waiting":
            raise InvalidParameters(f"only a waiting upload can be cancelled (this one is {upload.status})")
        upload = await self._set(upload_id, "cancelled", status="cancelled")
        self.staged(upload_id).unlink(missing_ok=True)
        return upload

    async def expire(self, upload_id: str) -> None:
        """Job: time out an upload that is still waiting."""
        with contextlib.suppress(NotFound):
            if (await self.get(upload_id)).status == "waiting":
                await self._set(upload_id, None, status="timed_out")
                self.staged(upload_id).unlink(missing_ok=True)

    async def received(self, upload_id: str) -> int:
        """Bytes stored so far."""
        try:
            return (await asyncio.to_thread(self.staged(upload_id).stat)).st_size
        except FileNotFoundError:
            return 0

    async def write(self, upload_id: str, start: int, total: int | None, body: AsyncIterator[bytes]) -> int:
        """Store bytes from ``start`` on (a chunk); returns how many bytes the upload now has.

        A chunk may restart at or before the current end (a resumed client), never after it.
        """
        upload = await self.get(upload_id)
        if upload.status != "waiting":
            raise Conflict(f"this upload is {upload.status}")
        if total is not None and total > self.max_bytes:
            raise PayloadTooLarge(f"uploads are limited to {self.max_bytes} bytes")
        lock = self._locks.setdefault(upload_id, asyncio.Lock())
        async with lock:
            have = await self.received(upload_id)
            if start > have:
                raise InvalidParameters(f"chunk starts at byte {start} but only {have} bytes have arrived")
            path = self.staged(upload_id)
            fd = await asyncio.to_thread(os.open, path, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                await asyncio.to_thread(os.ftruncate, fd, start)
                position = start
                async for chunk in body:
                    if not chunk:
                        continue
                    position += len(chunk)
                    if position > self.max_bytes or (total is not None and position > total):
                        raise PayloadTooLarge("the upload is larger than announced or allowed")
                    await asyncio.to_thread(os.pwrite, fd, chunk, position - len(chunk))
            finally:
                await asyncio.to_thread(os.close, fd)
            return position

    async def complete(self, upload_id: str) -> Upload:
        """The whole file is here: it becomes the source of a new asset."""
        upload = await self.get(upload_id)
        if upload.status != "waiting":
            return upload
        asset_id = upload.reserved_asset_id or new_id()
        await self.objects.put_file(source_key(asset_id), self.staged(upload_id))
        defaults = upload.new_asset_settings or AssetDefaults()
        await self.assets.create(
            AssetCreate(
                inputs=[],
                playback_policies=defaults.playback_policies,
                passthrough=defaults.passthrough,
                mp4_support=defaults.mp4_support,
                static_renditions=defaults.static_renditions,
                normalize_audio=defaults.normalize_audio,
                master_access=defaults.master_access,
                test=upload.test,
                max_resolution_tier=defaults.max_resolution_tier,
                video_quality=defaults.video_quality,
                meta=defaults.meta
                or (AssetMeta(title=upload.livepeer_name) if upload.livepeer_name else None),
                ingest_type="on_demand_direct_upload",
                upload_id=upload_id,
            ),
            asset_id=asset_id,
        )
        self._locks.pop(upload_id, None)
        return await self._set(upload_id, "asset_created", status="asset_created", asset_id=asset_id)

"""Repositories: every query the domain needs, and nothing else touches the tables."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitascope.domain.models import AccessToken, Asset, LiveStream, PlaybackTarget, now
from vitascope.store.tables import AccessTokenRow, AssetRow, LiveStreamRow, PlaybackIdRow


def encode_cursor(created_at: int, asset_id: str) -> str:
    """An opaque cursor pointing just after this row in newest-first order."""
    raw = json.dumps([created_at, asset_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """Inverse of :func:`encode_cursor`; raises ``ValueError`` on anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, asset_id = json.loads(base64.urlsafe_b64decode(padded))
    except Exception as exc:
        raise ValueError("invalid cursor") from exc
    if not isinstance(created_at, int) or not isinstance(asset_id, str):
        raise ValueError("invalid cursor")
    return created_at, asset_id


class AssetRepo:
    """Assets as JSON documents."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, asset_id: str, *, for_update: bool = False) -> Asset | None:
        query = select(AssetRow).where(AssetRow.id == asset_id)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return None if row is None else Asset.model_validate(row.doc)

    async def add(self, asset: Asset) -> None:
        self.session.add(
            AssetRow(
                id=asset.id,
                created_at=asset.created_at,
                status=asset.status,
                live_stream_id=asset.live_stream_id,
                upload_id=asset.upload_id,
                source_asset_id=asset.source_asset_id,
                doc=asset.to_doc(),
            )
        )
        await self.session.flush()

    async def save(self, asset: Asset) -> None:
        row = await self.session.get(AssetRow, asset.id)
        if row is None:
            raise LookupError(asset.id)
        row.status = asset.status
        row.live_stream_id = asset.live_stream_id
        row.upload_id = asset.upload_id
        row.doc = asset.to_doc()
        await self.session.flush()

    async def delete(self, asset_id: str) -> None:
        await self.session.execute(delete(AssetRow).where(AssetRow.id == asset_id))

    async def list(
        self,
        *,
        limit: int,
        page: int = 1,
        cursor: str | None = None,
        live_stream_id: str | None = None,
        upload_id: str | None = None,
        source_asset_ids: Sequence[str] | None = None,
    ) -> list[Asset]:
        query = select(AssetRow).order_by(AssetRow.created_at.desc(), AssetRow.id.desc()).limit(limit)
        if live_stream_id is not None:
            query = query.where(AssetRow.live_stream_id == live_stream_id)
        if upload_id is not None:
            query = query.where(AssetRow.upload_id == upload_id)
        if source_asset_ids is not None:
            query = query.where(AssetRow.source_asset_id.in_(list(source_asset_ids)))
        if cursor is not None:
            created_at, asset_id = decode_cursor(cursor)
            query = query.where(
                or_(
                    AssetRow.created_at < created_at,
                    (AssetRow.created_at == created_at) & (AssetRow.id < asset_id),
                )
            )
        else:
            query = query.offset((page - 1) * limit)
        rows = (await self.session.scalars(query)).all()
        return [Asset.model_validate(row.doc) for row in rows]


class PlaybackIdRepo:
    """Playback IDs, owned by an asset or a live stream."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, target: PlaybackTarget) -> None:
        self.session.add(
            PlaybackIdRow(
                id=target.id,
                owner_type=target.owner_type,
                owner_id=target.owner_id,
                policy=target.policy,
                created_at=now(),
            )
        )
        await self.session.flush()

    async def get(self, playback_id: str) -> PlaybackTarget | None:
        row = await self.session.get(PlaybackIdRow, playback_id)
        if row is None:
            return None
        return PlaybackTarget(
            id=row.id,
            policy=row.policy,
            owner_type=row.owner_type,
            owner_id=row.owner_id,
        )

    async def delete(self, playback_id: str) -> None:
        await self.session.execute(delete(PlaybackIdRow).where(PlaybackIdRow.id == playback_id))

    async def delete_owned_by(self, owner_id: str) -> None:
        await self.session.execute(delete(PlaybackIdRow).where(PlaybackIdRow.owner_id == owner_id))


class AccessTokenRepo:
    """API access tokens (hashed secrets)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: AccessToken, secret_hash: str) -> None:
        self.session.add(
            AccessTokenRow(id=token.id, name=token.name, secret_hash=secret_hash, created_at=token.created_at)
        )
        await self.session.flush()

    async def find(self, token_id: str) -> tuple[AccessToken, str] | None:
        row = await self.session.get(AccessTokenRow, token_id)
        if row is None:
            return None
        return AccessToken(id=row.id, name=row.name, created_at=row.created_at), row.secret_hash

    async def find_by_hash(self, secret_hash: str) -> AccessToken | None:
        row = await self.session.scalar(
            select(AccessTokenRow).where(AccessTokenRow.secret_hash == secret_hash)
        )
        return None if row is None else AccessToken(id=row.id, name=row.name, created_at=row.created_at)


class LiveStreamRepo:
    """Live streams as JSON documents, findable by stream key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, stream_id: str, *, for_update: bool = False) -> LiveStream | None:
        query = select(LiveStreamRow).where(LiveStreamRow.id == stream_id)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return None if row is None else LiveStream.model_validate(row.doc)

    async def by_stream_key(self, stream_key: str, *, for_update: bool = False) -> LiveStream | None:
        query = select(LiveStreamRow).where(LiveStreamRow.stream_key == stream_key)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return None if row is None else LiveStream.model_validate(row.doc)

    async def add(self, stream: LiveStream) -> None:
        self.session.add(
            LiveStreamRow(
                id=stream.id,
                created_at=stream.created_at,
                stream_key=stream.stream_key,
                status=stream.status,
                doc=stream.model_dump(mode="json"),
            )
        )
        await self.session.flush()

    async def save(self, stream: LiveStream) -> None:
        row = await self.session.get(LiveStreamRow, stream.id)
        if row is None:
            raise LookupError(stream.id)
        row.stream_key = stream.stream_key
        row.status = stream.status
        row.doc = stream.model_dump(mode="json")
        await self.session.flush()

    async def delete(self, stream_id: str) -> None:
        await self.session.execute(delete(LiveStreamRow).where(LiveStreamRow.id == stream_id))

    async def list(
        self, *, limit: int, page: int = 1, stream_key: str | None = None, status: str | None = None
    ) -> list[LiveStream]:
        query = (
            select(LiveStreamRow)
            .order_by(LiveStreamRow.created_at.desc(), LiveStreamRow.id.desc())
            .limit(limit)
            .offset((page - 1) * limit)
        )
        if stream_key is not None:
            query = query.where(LiveStreamRow.stream_key == stream_key)
        if status is not None:
            query = query.where(LiveStreamRow.status == status)
        return [LiveStream.model_validate(row.doc) for row in (await self.session.scalars(query)).all()]

    async def ids_with_status(self, status: str) -> Sequence[str]:
        return (
            await self.session.scalars(select(LiveStreamRow.id).where(LiveStreamRow.status == status))
        ).all()

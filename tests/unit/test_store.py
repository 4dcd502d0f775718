"""Repositories on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from vitascope.domain import tokens
from vitascope.domain.models import Asset, PlaybackTarget
from vitascope.errors import Unauthorized
from vitascope.store.database import Database, async_url, sync_url
from vitascope.store.repos import AssetRepo, PlaybackIdRepo, decode_cursor, encode_cursor


async def test_assets_round_trip_and_paginate(db: Database) -> None:
    async with db.transaction() as session:
        repo = AssetRepo(session)
        for i in range(5):
            await repo.add(
                Asset(
                    id=f"asset{i}", created_at=1000 + i, passthrough=f"p{i}", upload_id="u" if i % 2 else None
                )
            )
    async with db.read() as session:
        repo = AssetRepo(session)
        page1 = await repo.list(limit=2)
        page2 = await repo.list(limit=2, page=2)
        after = await repo.list(limit=10, cursor=encode_cursor(page1[-1].created_at, page1[-1].id))
        uploads = await repo.list(limit=10, upload_id="u")
        one = await repo.get("asset3")
    assert [a.id for a in page1] == ["asset4", "asset3"]
    assert [a.id for a in page2] == ["asset2", "asset1"]
    assert [a.id for a in after] == ["asset2", "asset1", "asset0"]
    assert [a.id for a in uploads] == ["asset3", "asset1"]
    assert one is not None and one.passthrough == "p3"


async def test_asset_save_and_delete(db: Database) -> None:
    async with db.transaction() as session:
        await AssetRepo(session).add(Asset(id="a1"))
    async with db.transaction() as session:
        repo = AssetRepo(session)
        asset = await repo.get("a1", for_update=True)
        assert asset is not None
        asset.status = "ready"
        asset.duration = 12.5
        await repo.save(asset)
    async with db.read() as session:
        stored = await AssetRepo(session).get("a1")
    assert stored is not None and stored.status == "ready" and stored.duration == 12.5
    async with db.transaction() as session:
        await AssetRepo(session).delete("a1")
    async with db.read() as session:
        assert await AssetRepo(session).get("a1") is None


async def test_playback_ids(db: Database) -> None:
    async with db.transaction() as session:
        repo = PlaybackIdRepo(session)
        await repo.add(PlaybackTarget(id="p1", policy="signed", owner_type="asset", owner_id="a1"))
        await repo.add(PlaybackTarget(id="p2", policy="public", owner_type="asset", owner_id="a1"))
    async with db.transaction() as session:
        repo = PlaybackIdRepo(session)
        found = await repo.get("p1")
        assert found is not None and found.policy == "signed" and found.owner_id == "a1"
        await repo.delete_owned_by("a1")
        assert await repo.get("p2") is None


async def test_tokens_are_hashed_and_checked(db: Database) -> None:
    token, secret = await tokens.create_token(db, "ci")
    assert (await tokens.authenticate_basic(db, token.id, secret)).id == token.id
    assert (await tokens.authenticate_secret(db, secret)).id == token.id
    with pytest.raises(Unauthorized):
        await tokens.authenticate_basic(db, token.id, secret + "x")
    with pytest.raises(Unauthorized):
        await tokens.authenticate_basic(db, "unknown", secret)
    with pytest.raises(Unauthorized):
        await tokens.authenticate_secret(db, "nope")
    from sqlalchemy import text

    async with db.read() as session:
        stored = (await session.execute(text("SELECT secret_hash FROM access_tokens"))).scalars().all()
    assert secret not in stored
    await tokens.ensure_token(db, "envtoken", "s3cret")
    await tokens.ensure_token(db, "envtoken", "s3cret")
    with pytest.raises(ValueError):
        await tokens.ensure_token(db, "envtoken", "other")


def test_cursor_round_trip_and_garbage() -> None:
    assert decode_cursor(encode_cursor(123, "abc")) == (123, "abc")
    for garbage in ("", "!!!", "bm90IGpzb24", encode_cursor(1, "a")[:-3] + "zzz"):
        with pytest.raises(ValueError):
            decode_cursor(garbage)


def test_database_urls() -> None:
    assert async_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    assert async_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert sync_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    with pytest.raises(ValueError):
        async_url("mysql://h/db")

"""Unit-test fixtures: a migrated database per backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import database_backends
from vitascope.store.database import Database


@pytest.fixture(params=database_backends())
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated database: SQLite file, or a PostgreSQL database of this session."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'test.db'}"
    database = Database(url)
    await database.migrate()
    if request.param == "postgresql":
        from sqlalchemy import text

        async with database.transaction() as session:
            for table in ("jobs", "playback_ids", "assets", "access_tokens"):
                await session.execute(text(f"DELETE FROM {table}"))
    yield database
    await database.close()

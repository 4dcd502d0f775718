"""Alembic environment: migrations run with the synchronous driver for the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from vitascope.store.tables import Base

url = context.config.get_main_option("sqlalchemy.url")
engine = create_engine(url or "", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()

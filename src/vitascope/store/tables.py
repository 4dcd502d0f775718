"""Database tables. Entities are stored as a JSON document plus the columns queries filter on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base shared by every table."""


class AccessTokenRow(Base):
    """An API access token; only a hash of the secret is kept."""

    __tablename__ = "access_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    secret_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class AssetRow(Base):
    """A video asset; ``doc`` holds the domain object, columns mirror what lists filter on."""

    __tablename__ = "assets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    live_stream_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    upload_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source_asset_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_assets_created", "created_at", "id"),
        Index("ix_assets_source_asset_id", "source_asset_id"),
        Index("ix_assets_live_stream_id", "live_stream_id"),
        Index("ix_assets_upload_id", "upload_id"),
        Index("ix_assets_status", "status"),
    )


class PlaybackIdRow(Base):
    """A playback ID and the object it plays."""

    __tablename__ = "playback_ids"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    policy: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)


class JobRow(Base):
    """A durable job: the database is the source of truth, so a crash loses no work."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[float] = mapped_column(Float, default=0.0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_jobs_state", "state", "priority", "created_at"), Index("ix_jobs_key", "key"))


class LiveStreamRow(Base):
    """A live stream; ``doc`` holds the domain object."""

    __tablename__ = "live_streams"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    stream_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_live_streams_created", "created_at", "id"),
        Index("ix_live_streams_status", "status"),
    )


class SigningKeyRow(Base):
    """A signing key's public half; the private key is shown to the client once and never stored."""

    __tablename__ = "signing_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255), default="")
    algorithm: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class WebhookRow(Base):
    """A webhook endpoint: where events are delivered, in which API's format, signed with ``secret``."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    api: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(255), default="")
    secret: Mapped[str] = mapped_column(String(128))
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)


class MultistreamTargetRow(Base):
    """A reusable push destination (Livepeer's multistream target); its URL holds the remote stream key."""

    __tablename__ = "multistream_targets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)


class UploadRow(Base):
    """A direct upload; ``doc`` holds the domain object."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_uploads_created", "created_at", "id"),)


class PlaybackRestrictionRow(Base):
    """A playback restriction (referrer and user-agent rules) named by signed tokens."""

    __tablename__ = "playback_restrictions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)

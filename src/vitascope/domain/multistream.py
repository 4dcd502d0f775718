"""Reusable multistream targets: named push destinations that streams refer to by id."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import delete, select

from vitascope.domain.inputs import check_pull_url
from vitascope.domain.models import Entity, now
from vitascope.errors import InvalidParameters, NotFound
from vitascope.ids import new_id
from vitascope.store.database import Database
from vitascope.store.tables import MultistreamTargetRow


class MultistreamTarget(Entity):
    id: str
    created_at: int = Field(default_factory=now)
    name: str | None = None
    url: str
    disabled: bool = False


def _check(url: str) -> None:
    if not url.startswith(("rtmp://", "rtmps://", "srt://")):
        raise InvalidParameters("multistream target url must be an rtmp://, rtmps:// or srt:// URL")
    check_pull_url(url, allow_private=True)


class MultistreamTargets:
    """CRUD for multistream targets."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, url: str, *, name: str | None = None, disabled: bool = False) -> MultistreamTarget:
        _check(url)
        target = MultistreamTarget(id=new_id(), url=url, name=name, disabled=disabled)
        async with self.db.transaction() as session:
            session.add(
                MultistreamTargetRow(
                    id=target.id, created_at=target.created_at, doc=target.model_dump(mode="json")
                )
            )
        return target

    async def list(self) -> list[MultistreamTarget]:
        async with self.db.read() as session:
            rows = (
                await session.scalars(select(MultistreamTargetRow).order_by(MultistreamTargetRow.created_at))
            ).all()
        return [MultistreamTarget.model_validate(row.doc) for row in rows]

    async def get(self, target_id: str) -> MultistreamTarget:
        async with self.db.read() as session:
            row = await session.get(MultistreamTargetRow, target_id)
        if row is None:
            raise NotFound("multistream target not found")
        return MultistreamTarget.model_validate(row.doc)

    async def update(
        self, target_id: str, *, url: str | None = None, name: str | None = None, disabled: bool | None = None
    ) -> None:
        if url is not None:
            _check(url)
        async with self.db.transaction() as session:
            row = await session.get(MultistreamTargetRow, target_id)
            if row is None:
                raise NotFound("multistream target not found")
            target = MultistreamTarget.model_validate(row.doc)
            changes = {"url": url, "name": name, "disabled": disabled}
            row.doc = target.model_copy(
                update={k: v for k, v in changes.items() if v is not None}
            ).model_dump(mode="json")

    async def delete(self, target_id: str) -> None:
        async with self.db.transaction() as session:
            result = await session.execute(
                delete(MultistreamTargetRow).where(MultistreamTargetRow.id == target_id)
            )
            if not getattr(result, "rowcount", 0):
                raise NotFound("multistream target not found")

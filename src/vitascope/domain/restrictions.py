"""Playback restrictions: referrer allow-lists and user-agent rules, applied to signed playback.

As with Mux, a restriction applies when a signed token names it in its ``playback_restriction_id`` claim.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from pydantic import Field
from sqlalchemy import delete, select

from vitascope.domain.models import Entity, now
from vitascope.errors import Forbidden, InvalidParameters, NotFound
from vitascope.ids import new_id
from vitascope.store.database import Database
from vitascope.store.tables import PlaybackRestrictionRow

_DOMAIN = re.compile(r"^(\*|(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+)$")
MAX_DOMAINS = 100


class ReferrerRule(Entity):
    allowed_domains: list[str] = Field(default_factory=list)
    allow_no_referrer: bool = False


class UserAgentRule(Entity):
    allow_no_user_agent: bool = True
    allow_high_risk_user_agent: bool = True


class PlaybackRestriction(Entity):
    id: str
    created_at: int = Field(default_factory=now)
    updated_at: int = Field(default_factory=now)
    referrer: ReferrerRule = Field(default_factory=ReferrerRule)
    user_agent: UserAgentRule = Field(default_factory=UserAgentRule)


def _check_referrer(rule: ReferrerRule) -> ReferrerRule:
    domains = [d.strip().lower() for d in rule.allowed_domains]
    if len(domains) > MAX_DOMAINS:
        raise InvalidParameters(f"allowed_domains may list at most {MAX_DOMAINS} domains")
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise InvalidParameters(
                f"{domain!r} is not a domain name ('example.com', '*.example.com' or '*')"
            )
    return ReferrerRule(allowed_domains=domains, allow_no_referrer=rule.allow_no_referrer)


def referrer_allowed(rule: ReferrerRule, referer: str | None) -> bool:
    """True when a request with this ``Referer`` may play."""
    if not referer:
        return rule.allow_no_referrer
    host = (urlparse(referer).hostname or "").lower()
    for domain in rule.allowed_domains:
        if domain == "*" or host == domain or (domain.startswith("*.") and host.endswith(domain[1:])):
            return True
    return False


class PlaybackRestrictions:
    """CRUD for restrictions, and the check playback makes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, referrer: ReferrerRule, user_agent: UserAgentRule) -> PlaybackRestriction:
        restriction = PlaybackRestriction(
            id=new_id(), referrer=_check_referrer(referrer), user_agent=user_agent
        )
        async with self.db.transaction() as session:
            session.add(
                PlaybackRestrictionRow(
                    id=restriction.id,
                    created_at=restriction.created_at,
                    doc=restriction.model_dump(mode="json"),
                )
            )
        return restriction

    async def list(self, *, limit: int = 25, page: int = 1) -> list[PlaybackRestriction]:
        async with self.db.read() as session:
            query = (
                select(PlaybackRestrictionRow)
                .order_by(PlaybackRestrictionRow.created_at.desc())
                .limit(limit)
                .offset((page - 1) * limit)
            )
            return [
                PlaybackRestriction.model_validate(row.doc) for row in (await session.scalars(query)).all()
            ]

    async def get(self, restriction_id: str) -> PlaybackRestriction:
        async with self.db.read() as session:
            row = await session.get(PlaybackRestrictionRow, restriction_id)
        if row is None:
            raise NotFound("The requested playback restriction does not exist")
        return PlaybackRestriction.model_validate(row.doc)

    async def update(
        self,
        restriction_id: str,
        *,
        referrer: ReferrerRule | None = None,
        user_agent: UserAgentRule | None = None,
    ) -> PlaybackRestriction:
        async with self.db.transaction() as session:
            row = await session.get(PlaybackRestrictionRow, restriction_id)
            if row is None:
                raise NotFound("The requested playback restriction does not exist")
            restriction = PlaybackRestriction.model_validate(row.doc)
            if referrer is not None:
                restriction.referrer = _check_referrer(referrer)
            if user_agent is not None:
                restriction.user_agent = user_agent
            restriction.updated_at = now()
            row.doc = restriction.model_dump(mode="json")
        return restriction

    async def delete(self, restriction_id: str) -> None:
        async with self.db.transaction() as session:
            result = await session.execute(
                delete(PlaybackRestrictionRow).where(PlaybackRestrictionRow.id == restriction_id)
            )
            if not getattr(result, "rowcount", 0):
                raise NotFound("The requested playback restriction does not exist")

    async def check(self, restriction_id: str, *, referer: str | None, user_agent: str | None) -> None:
        """Raise ``Forbidden`` when the request breaks the restriction (or the restriction is gone)."""
        try:
            restriction = await self.get(restriction_id)
        except NotFound as exc:
            raise Forbidden("the token names a playback restriction that does not exist") from exc
        if not referrer_allowed(restriction.referrer, referer):
            raise Forbidden("playback is not allowed from this referrer")
        if not user_agent and not restriction.user_agent.allow_no_user_agent:
            raise Forbidden("playback needs a User-Agent")

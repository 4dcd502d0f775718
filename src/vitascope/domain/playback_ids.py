"""Playback IDs shared by assets and live streams: attach, find, detach (inside the caller's transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitascope.domain.models import Asset, LiveStream, PlaybackId, PlaybackPolicy, PlaybackTarget
from vitascope.errors import NotFound
from vitascope.ids import new_id
from vitascope.store.repos import PlaybackIdRepo


def _owner_type(owner: Asset | LiveStream) -> str:
    return "asset" if isinstance(owner, Asset) else "live_stream"


async def attach(session: AsyncSession, owner: Asset | LiveStream, policy: PlaybackPolicy) -> PlaybackId:
    """Give ``owner`` a new playback ID (the caller saves the owner)."""
    playback_id = PlaybackId(id=new_id(), policy=policy)
    owner.playback_ids.append(playback_id)
    await PlaybackIdRepo(session).add(
        PlaybackTarget(id=playback_id.id, policy=policy, owner_type=_owner_type(owner), owner_id=owner.id)
    )
    return playback_id


def find(owner: Asset | LiveStream, playback_id: str) -> PlaybackId:
    """One of the owner's playback IDs, or ``NotFound``."""
    found = next((p for p in owner.playback_ids if p.id == playback_id), None)
    if found is None:
        raise NotFound("The requested playback ID does not exist")
    return found


async def detach(session: AsyncSession, owner: Asset | LiveStream, playback_id: str) -> None:
    """Remove a playback ID from ``owner``; it stops playing at once (the caller saves the owner)."""
    find(owner, playback_id)
    owner.playback_ids = [p for p in owner.playback_ids if p.id != playback_id]
    await PlaybackIdRepo(session).delete(playback_id)

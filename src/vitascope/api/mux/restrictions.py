"""Mux ``/video/v1/playback-restrictions``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from vitascope.api.deps import Services, basic_auth, services
from vitascope.api.mux.schemas import Request
from vitascope.domain.restrictions import PlaybackRestriction, ReferrerRule, UserAgentRule

router = APIRouter(prefix="/video/v1/playback-restrictions", dependencies=[Depends(basic_auth)])
Svc = Annotated[Services, Depends(services)]


class ReferrerBody(Request):
    allowed_domains: list[str] = []
    allow_no_referrer: bool = False


class UserAgentBody(Request):
    allow_no_user_agent: bool = True
    allow_high_risk_user_agent: bool = True


class CreateBody(Request):
    referrer: ReferrerBody | None = None
    user_agent: UserAgentBody | None = None


def _json(restriction: PlaybackRestriction) -> dict[str, Any]:
    return {
        "data": {
            "id": restriction.id,
            "created_at": str(restriction.created_at),
            "updated_at": str(restriction.updated_at),
            "referrer": restriction.referrer.model_dump(),
            "user_agent": restriction.user_agent.model_dump(),
        }
    }


@router.post("", status_code=201)
async def create_playback_restriction(body: CreateBody, svc: Svc) -> dict[str, Any]:
    restriction = await svc.restrictions.create(
        ReferrerRule(**(body.referrer or ReferrerBody()).model_dump()),
        UserAgentRule(**(body.user_agent or UserAgentBody()).model_dump()),
    )
    return _json(restriction)


@router.get("")
async def list_playback_restrictions(
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    page: Annotated[int, Query(ge=1)] = 1,
) -> dict[str, Any]:
    restrictions = await svc.restrictions.list(limit=limit, page=page)
    return {"data": [_json(r)["data"] for r in restrictions]}


@router.get("/{restriction_id}")
async def get_playback_restriction(restriction_id: str, svc: Svc) -> dict[str, Any]:
    return _json(await svc.restrictions.get(restriction_id))


@router.delete("/{restriction_id}", status_code=204)
async def delete_playback_restriction(restriction_id: str, svc: Svc) -> Response:
    await svc.restrictions.delete(restriction_id)
    return Response(status_code=204)


@router.put("/{restriction_id}/referrer")
async def update_referrer_domain_restriction(
    restriction_id: str, body: ReferrerBody, svc: Svc
) -> dict[str, Any]:
    return _json(await svc.restrictions.update(restriction_id, referrer=ReferrerRule(**body.model_dump())))


@router.put("/{restriction_id}/user_agent")
async def update_user_agent_restriction(restriction_id: str, body: UserAgentBody, svc: Svc) -> dict[str, Any]:
    return _json(await svc.restrictions.update(restriction_id, user_agent=UserAgentRule(**body.model_dump())))

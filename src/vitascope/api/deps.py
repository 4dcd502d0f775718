"""What routers get from the composition root: services and the authenticated caller."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from vitascope.domain import tokens
from vitascope.domain.models import AccessToken
from vitascope.errors import Unauthorized

if TYPE_CHECKING:
    from vitascope.domain.access import AccessWebhooks
    from vitascope.domain.assets import AssetService
    from vitascope.domain.live_streams import LiveStreamService
    from vitascope.domain.multistream import MultistreamTargets
    from vitascope.domain.restrictions import PlaybackRestrictions
    from vitascope.domain.signing import SigningKeys
    from vitascope.domain.uploads import UploadService
    from vitascope.domain.webhooks import WebhookService
    from vitascope.playback.urls import PlaybackUrls
    from vitascope.store.database import Database
    from vitascope.store.objects import ObjectStore
    from vitascope.vod.pipeline import VodPipeline


@dataclass
class Services:
    """Everything a request handler may use; built once by ``app.py``."""

    db: Database
    assets: AssetService
    live_streams: LiveStreamService
    signing: SigningKeys
    webhooks: WebhookService
    multistream: MultistreamTargets
    access: AccessWebhooks
    uploads: UploadService
    restrictions: PlaybackRestrictions
    vod: VodPipeline
    objects: ObjectStore
    urls: PlaybackUrls
    work_dir: Path


def services(request: Request) -> Services:
    """The services of the app serving this request."""
    found: Services = request.app.state.services
    return found


def base_url(request: Request) -> str:
    """The absolute URL clients reached us at, for links in responses."""
    return str(request.base_url).rstrip("/")


async def basic_auth(request: Request) -> AccessToken:
    """Mux's HTTP Basic auth with a token id and secret."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise Unauthorized("Unauthorized request")
    try:
        token_id, sep, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthorized("Unauthorized request") from exc
    if not sep:
        raise Unauthorized("Unauthorized request")
    return await tokens.authenticate_basic(services(request).db, token_id, secret)


async def bearer_auth(request: Request) -> AccessToken:
    """Livepeer's ``Authorization: Bearer <api key>``."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise Unauthorized("Unauthorized request")
    return await tokens.authenticate_secret(services(request).db, value.strip())

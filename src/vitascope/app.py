"""The composition root: the only module that wires store, jobs, domain, media and HTTP together."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vitascope.api.deps import Services
from vitascope.api.livepeer import assets as livepeer_assets
from vitascope.api.livepeer import errors as livepeer_errors
from vitascope.api.livepeer import multistream as livepeer_multistream
from vitascope.api.livepeer import schemas as livepeer_schemas
from vitascope.api.livepeer import sessions as livepeer_sessions
from vitascope.api.livepeer import signing_keys as livepeer_signing_keys
from vitascope.api.livepeer import streams as livepeer_streams
from vitascope.api.livepeer import webhooks as livepeer_webhooks
from vitascope.api.middleware import BodyLimit, DeliveryHostRouting
from vitascope.api.mux import assets as mux_assets
from vitascope.api.mux import errors as mux_errors
from vitascope.api.mux import live_streams as mux_live_streams
from vitascope.api.mux import restrictions as mux_restrictions
from vitascope.api.mux import schemas as mux_schemas
from vitascope.api.mux import signing_keys as mux_signing_keys
from vitascope.api.mux import uploads as mux_uploads
from vitascope.api.mux import webhooks as mux_webhooks
from vitascope.config import Settings
from vitascope.domain import assets as asset_jobs
from vitascope.domain.access import AccessWebhooks
from vitascope.domain.assets import AssetService
from vitascope.domain.live_streams import LiveSessions, LiveStreamService
from vitascope.domain.multistream import MultistreamTargets
from vitascope.domain.restrictions import PlaybackRestrictions
from vitascope.domain.signing import SigningKeys
from vitascope.domain.tokens import ensure_token
from vitascope.domain.uploads import EXPIRE_JOB as UPLOAD_EXPIRE_JOB
from vitascope.domain.uploads import UploadService
from vitascope.domain.webhooks import DELIVER_JOB, WebhookService
from vitascope.errors import InvalidParameters, NotFound, Unprocessable, VitascopeError
from vitascope.ingest.bridge import RtmpPublishing
from vitascope.ingest.rtmp import RtmpServer
from vitascope.jobs import InProcessQueue
from vitascope.live.engine import LiveEngine
from vitascope.playback import errors as delivery_errors
from vitascope.playback import routes as playback_routes
from vitascope.playback.urls import PlaybackUrls
from vitascope.store.database import Database
from vitascope.store.objects import open_object_store
from vitascope.vod.pipeline import VodPipeline
from vitascope.webhooks.delivery import WebhookDelivery

log = logging.getLogger(__name__)

WEBHOOK_WORKERS = 8


@dataclass
class Runtime:
    """The long-lived parts of a running server."""

    settings: Settings
    db: Database
    queue: InProcessQueue
    webhook_queue: InProcessQueue
    delivery: WebhookDelivery
    services: Services
    engine: LiveEngine
    rtmp: RtmpServer


def _server_secret(settings: Settings) -> bytes:
    """A per-installation secret for signing our own temporary URLs, created on first start."""
    path = settings.data_dir / "server.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return bytes.fromhex(path.read_text().strip())


def build_runtime(settings: Settings) -> Runtime:
    """Create every component; nothing starts running yet."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    objects = open_object_store(settings.storage_url)
    queue = InProcessQueue(db, workers=settings.workers)
    assets = AssetService(db, queue, allow_private_inputs=settings.allow_private_inputs)
    pipeline = VodPipeline(assets, objects, settings)
    queue.register(asset_jobs.PROCESS_JOB, pipeline.process)
    queue.register(asset_jobs.TRACK_JOB, pipeline.tracks)
    queue.register(asset_jobs.STATIC_RENDITIONS_JOB, pipeline.static_renditions)
    queue.register(asset_jobs.MASTER_JOB, pipeline.master)
    queue.register(asset_jobs.PURGE_JOB, pipeline.purge)
    queue.register(asset_jobs.FINALIZE_RECORDING_JOB, pipeline.finalize_recording)
    queue.register(asset_jobs.LADDER_JOB, pipeline.ladder)
    live_streams = LiveStreamService(db, allow_private_inputs=settings.allow_private_inputs)
    sessions = LiveSessions(db, assets, queue)
    engine = LiveEngine(
        live_streams,
        sessions,
        assets,
        objects,
        max_transcodes=settings.live_transcodes,
    )
    live_streams.control = engine
    # Deliveries run on their own workers: a slow receiver never holds up a transcode.
    webhook_queue = InProcessQueue(db, workers=WEBHOOK_WORKERS)
    webhooks = WebhookService(db, webhook_queue, mux_schemas.render_entity, livepeer_schemas.render_entity)
    delivery = WebhookDelivery(webhooks)
    webhook_queue.register(DELIVER_JOB, delivery.deliver)
    assets.webhooks = live_streams.webhooks = sessions.webhooks = webhooks
    uploads = UploadService(
        db, queue, assets, objects, settings.data_dir / "uploads", settings.max_input_bytes
    )
    uploads.webhooks = webhooks
    queue.register(UPLOAD_EXPIRE_JOB, uploads.expire)
    rtmp = RtmpServer(settings.host, settings.rtmp_port, RtmpPublishing(engine))
    engine.disconnector.add(rtmp.disconnect)
    services = Services(
        db=db,
        assets=assets,
        live_streams=live_streams,
        signing=SigningKeys(db),
        webhooks=webhooks,
        multistream=MultistreamTargets(db),
        access=AccessWebhooks(webhooks),
        uploads=uploads,
        restrictions=PlaybackRestrictions(db),
        vod=pipeline,
        objects=objects,
        urls=PlaybackUrls(_server_secret(settings)),
        work_dir=settings.work_dir,
    )
    return Runtime(
        settings=settings,
        db=db,
        queue=queue,
        webhook_queue=webhook_queue,
        delivery=delivery,
        services=services,
        engine=engine,
        rtmp=rtmp,
    )


def _render(request: Request, error: VitascopeError) -> JSONResponse:
    return _render_for_path(request.url.path, error)


def _render_for_path(path: str, error: VitascopeError) -> JSONResponse:
    """Each API renders errors in its own shape; the path says which API a request was for."""
    if path.startswith("/api/"):
        return livepeer_errors.render(error)
    if path.startswith(("/stream/", "/image/", "/master/")):
        return delivery_errors.render(error)
    return mux_errors.render(error)


def _validation_message(error: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
    message = str(error.get("msg", "is invalid"))
    if error.get("type") == "json_invalid":
        return "Request body is not valid JSON"
    return f"{location}: {message}" if location else message


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """The ASGI application for these settings."""
    rt = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await rt.db.migrate()
        if settings.token_id and settings.token_secret:
            await ensure_token(rt.db, settings.token_id, settings.token_secret)
        await rt.queue.start()
        await rt.webhook_queue.start()
        await rt.engine.start()
        await rt.rtmp.start()
        rt.engine.ingest_url = lambda key: f"rtmp://127.0.0.1:{rt.rtmp.port}/live/{key}"
        log.info("vitascope ready (database %s)", rt.db.engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            await rt.rtmp.close()
            await rt.engine.close()
            await rt.webhook_queue.close()
            await rt.delivery.close()
            await rt.services.access.close()
            await rt.queue.close()
            await rt.db.close()

    app = FastAPI(title="vitascope", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = rt.services
    app.state.runtime = rt

    @app.exception_handler(VitascopeError)
    async def domain_error(request: Request, exc: VitascopeError) -> JSONResponse:
        return _render(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        messages = [_validation_message(e) for e in exc.errors()] or ["Invalid request"]
        if request.url.path.startswith("/api/"):
            # Livepeer answers schema violations with 422, Mux with 400.
            return _render(request, Unprocessable(*messages))
        return _render(request, InvalidParameters(*messages))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _render(request, NotFound("Not Found"))
        error = VitascopeError(str(exc.detail))
        error.status = exc.status_code
        error.code = "invalid_parameters" if exc.status_code < 500 else "internal_error"
        return _render(request, error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _render(request, VitascopeError("Internal server error"))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(mux_assets.router)
    app.include_router(mux_live_streams.router)
    app.include_router(livepeer_streams.router)
    app.include_router(livepeer_sessions.router)
    app.include_router(livepeer_signing_keys.router)
    app.include_router(mux_signing_keys.system_router)
    app.include_router(mux_signing_keys.video_router)
    app.include_router(mux_webhooks.router)
    app.include_router(mux_uploads.router)
    app.include_router(mux_restrictions.router)
    app.include_router(mux_uploads.upload_url_router)
    app.include_router(livepeer_webhooks.router)
    app.include_router(livepeer_multistream.router)
    app.include_router(livepeer_assets.tus_router)
    app.include_router(livepeer_assets.router)
    app.include_router(livepeer_streams.playback_router)
    app.include_router(playback_routes.router)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, render=_render_for_path)
    app.add_middleware(DeliveryHostRouting)
    return app

"""The ``vitascope`` command: parses flags and environment, then calls the composition root."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn

from vitascope.api.livepeer.schemas import render_entity as livepeer_render_entity
from vitascope.api.mux.schemas import render_entity as mux_render_entity
from vitascope.app import create_app
from vitascope.config import Settings
from vitascope.domain.tokens import create_token
from vitascope.domain.webhooks import WebhookService
from vitascope.jobs import InProcessQueue
from vitascope.store.database import Database
from vitascope.webhooks.signatures import verify_livepeer, verify_mux

T = TypeVar("T")

cli = typer.Typer(help="vitascope: a self-hosted video platform with Mux- and Livepeer-compatible APIs.")
tokens_cli = typer.Typer(help="Manage API access tokens.")
cli.add_typer(tokens_cli, name="tokens")
webhooks_cli = typer.Typer(help="Manage webhook endpoints (events are signed with each endpoint's secret).")
cli.add_typer(webhooks_cli, name="webhooks")

DataDir = Annotated[
    Path, typer.Option(envvar="VITASCOPE_DATA_DIR", help="Folder for the database and media.")
]
DatabaseUrl = Annotated[
    str | None, typer.Option(envvar="VITASCOPE_DATABASE", help="Database URL (sqlite:/// or postgresql://).")
]


@cli.command()
def serve(
    host: Annotated[str, typer.Option(envvar="VITASCOPE_HOST")] = "127.0.0.1",
    http_port: Annotated[int, typer.Option(envvar="VITASCOPE_HTTP_PORT", help="0 picks a free port.")] = 8080,
    rtmp_port: Annotated[int, typer.Option(envvar="VITASCOPE_RTMP_PORT")] = 1935,
    data_dir: DataDir = Path("./vitascope-data"),
    database: DatabaseUrl = None,
    storage: Annotated[str | None, typer.Option(envvar="VITASCOPE_STORAGE", help="Object store URL.")] = None,
    broker: Annotated[str | None, typer.Option(envvar="VITASCOPE_BROKER", help="Job broker URL.")] = None,
    allow_private_inputs: Annotated[
        bool,
        typer.Option(envvar="VITASCOPE_ALLOW_PRIVATE_INPUTS", help="Let input URLs reach private addresses."),
    ] = False,
    workers: Annotated[int | None, typer.Option(envvar="VITASCOPE_WORKERS", help="Concurrent jobs.")] = None,
    live_transcodes: Annotated[
        int | None,
        typer.Option(envvar="VITASCOPE_LIVE_TRANSCODES", help="Live sessions that get a transcoded rung."),
    ] = None,
    token_id: Annotated[str | None, typer.Option(envvar="VITASCOPE_TOKEN_ID", hidden=True)] = None,
    token_secret: Annotated[str | None, typer.Option(envvar="VITASCOPE_TOKEN_SECRET", hidden=True)] = None,
    log_level: Annotated[str, typer.Option(envvar="VITASCOPE_LOG_LEVEL")] = "info",
) -> None:
    """Run the API, playback and job workers in one process."""
    if broker:
        raise typer.BadParameter(
            "only the in-process job queue is available in this build", param_hint="--broker"
        )
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings(
        host=host,
        http_port=http_port,
        rtmp_port=rtmp_port,
        data_dir=data_dir,
        database=database,
        storage=storage,
        allow_private_inputs=allow_private_inputs,
        token_id=token_id,
        token_secret=token_secret,
    )
    if workers:
        settings = dataclasses.replace(settings, workers=workers)
    if live_transcodes is not None:
        settings = dataclasses.replace(settings, live_transcodes=live_transcodes)
    asyncio.run(_serve(settings, log_level))


async def _serve(settings: Settings, log_level: str) -> None:
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.http_port,
        log_level=log_level,
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.05)
    if server.started:
        port = server.servers[0].sockets[0].getsockname()[1]
        # Tests and scripts read these lines to find ports chosen with --http-port 0 / --rtmp-port 0.
        print(f"vitascope rtmp on rtmp://{settings.host}:{app.state.runtime.rtmp.port}", flush=True)
        print(f"vitascope listening on http://{settings.host}:{port}", flush=True)
    await task


@tokens_cli.command("create")
def tokens_create(
    name: Annotated[str, typer.Option(help="A label for the token.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = Path("./vitascope-data"),
    database: DatabaseUrl = None,
) -> None:
    """Create an access token and print its id and secret (the secret is shown only once)."""
    settings = Settings(data_dir=data_dir, database=database)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def run() -> tuple[str, str]:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            token, secret = await create_token(db, name)
            return token.id, secret
        finally:
            await db.close()

    token_id, secret = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps({"id": token_id, "secret": secret, "name": name}))
    else:
        typer.echo(f"Token ID:     {token_id}\nToken secret: {secret}")


def _with_webhooks(settings: Settings, action: Callable[[WebhookService], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            service = WebhookService(
                db, InProcessQueue(db, workers=1), mux_render_entity, livepeer_render_entity
            )
            return await action(service)
        finally:
            await db.close()

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(run())


@webhooks_cli.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="Where to POST events.")],
    api: Annotated[str, typer.Option(help="Event format: mux or livepeer.")] = "mux",
    event: Annotated[list[str] | None, typer.Option(help="Only these event types (repeatable).")] = None,
    data_dir: DataDir = Path("./vitascope-data"),
    database: DatabaseUrl = None,
) -> None:
    """Add an endpoint and print its signing secret."""
    if api not in ("mux", "livepeer"):
        raise typer.BadParameter("must be mux or livepeer", param_hint="--api")
    hook = _with_webhooks(
        Settings(data_dir=data_dir, database=database),
        lambda svc: svc.create(url, api=api, events=event or None),  # type: ignore[arg-type]
    )
    typer.echo(f"Webhook ID:     {hook.id}\nSigning secret: {hook.secret}")


@webhooks_cli.command("list")
def webhooks_list(data_dir: DataDir = Path("./vitascope-data"), database: DatabaseUrl = None) -> None:
    """List endpoints."""
    hooks = _with_webhooks(Settings(data_dir=data_dir, database=database), lambda svc: svc.list())
    for hook in hooks:
        typer.echo(f"{hook.id}  {hook.api:8}  {hook.url}  {','.join(hook.events or ['*'])}")


@webhooks_cli.command("remove")
def webhooks_remove(
    webhook_id: str, data_dir: DataDir = Path("./vitascope-data"), database: DatabaseUrl = None
) -> None:
    """Remove an endpoint; its pending deliveries are dropped."""
    _with_webhooks(Settings(data_dir=data_dir, database=database), lambda svc: svc.delete(webhook_id))
    typer.echo(f"removed {webhook_id}")


@webhooks_cli.command("verify")
def webhooks_verify(
    secret: Annotated[str, typer.Option(help="The endpoint's signing secret.")],
    header: Annotated[str, typer.Option(help="The Mux-Signature or Livepeer-Signature header value.")],
    body_file: Annotated[Path, typer.Option(help="The raw request body, byte for byte.")],
    api: Annotated[str, typer.Option(help="mux or livepeer")] = "mux",
) -> None:
    """Check a received webhook's signature (exit code 0 when valid), as a receiver would."""
    body = body_file.read_bytes()
    valid = verify_livepeer(header, body, secret) if api == "livepeer" else verify_mux(header, body, secret)
    typer.echo("valid" if valid else "invalid")
    raise typer.Exit(0 if valid else 1)


def main() -> None:
    """Entry point of the ``vitascope`` script."""
    cli()

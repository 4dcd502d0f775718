"""The ``vitascope`` command: parses flags and environment, then calls the composition root."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from vitascope.app import create_app
from vitascope.config import Settings
from vitascope.domain.tokens import create_token
from vitascope.store.database import Database

cli = typer.Typer(help="vitascope: a self-hosted video platform with Mux- and Livepeer-compatible APIs.")
tokens_cli = typer.Typer(help="Manage API access tokens.")
cli.add_typer(tokens_cli, name="tokens")

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


def main() -> None:
    """Entry point of the ``vitascope`` script."""
    cli()

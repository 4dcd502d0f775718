"""ASGI middleware: delivery-host routing and request body limits."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vitascope.errors import PayloadTooLarge, VitascopeError

_DELIVERY_HOSTS = {"stream.": "/stream", "image.": "/image"}
# File uploads stream straight to disk; their size limit is the upload's own.
STREAMED_PATHS = ("/uploads/", "/api/asset/upload/")


class DeliveryHostRouting:
    """Serve ``stream.example.com/{id}.m3u8`` as ``/stream/{id}.m3u8`` (and ``image.`` likewise)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
            for prefix, root in _DELIVERY_HOSTS.items():
                if host.lower().startswith(prefix) and not scope["path"].startswith(root + "/"):
                    scope = dict(scope, path=root + scope["path"], raw_path=None)
                    break
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse request bodies above ``limit`` bytes, declared or streamed, without reading past it.

    API bodies are small JSON documents, so the body is read here (up to the limit) and replayed.
    """

    def __init__(self, app: ASGIApp, limit: int, render: Callable[[str, VitascopeError], Response]) -> None:
        self.app = app
        self.limit = limit
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS")
            or scope["path"].startswith(STREAMED_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        too_large = PayloadTooLarge(f"request body exceeds {self.limit} bytes")
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self.render(scope["path"], too_large)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self.render(scope["path"], too_large)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

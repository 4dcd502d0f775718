"""ASGI middleware: delivery-host routing and request body limits."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vitascope.errors import PayloadTooLarge

_DELIVERY_HOSTS = {"stream.": "/stream", "image.": "/image"}


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
    """Refuse request bodies above ``limit`` bytes, declared or streamed, without reading past it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            scope = dict(scope, vitascope_body_too_large=True)
        received = 0

        async def limited() -> Message:
            nonlocal received
            if scope.get("vitascope_body_too_large"):
                raise PayloadTooLarge(f"request body exceeds {self.limit} bytes")
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise PayloadTooLarge(f"request body exceeds {self.limit} bytes")
            return message

        await self.app(scope, limited, send)

"""Livepeer's error shape: ``{"errors": ["..."]}``."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from vitascope.errors import VitascopeError


def render(error: VitascopeError) -> JSONResponse:
    """Render a domain error as Livepeer Studio does."""
    return JSONResponse({"errors": error.messages}, status_code=error.status)

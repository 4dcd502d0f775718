"""Mux's error shape: ``{"error": {"type": ..., "messages": [...]}}``."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from vitascope.errors import VitascopeError

_TYPES = {
    "payload_too_large": "invalid_parameters",
    "unprocessable_entity": "invalid_parameters",
}


def render(error: VitascopeError) -> JSONResponse:
    """Render a domain error as Mux does."""
    headers = {"WWW-Authenticate": 'Basic realm="Mux"'} if error.status == 401 else None
    body = {"error": {"type": _TYPES.get(error.code, error.code), "messages": error.messages}}
    return JSONResponse(body, status_code=error.status, headers=headers)

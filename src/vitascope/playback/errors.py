"""The error shape of Mux's delivery hosts (``stream.mux.com``, ``image.mux.com``)."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from vitascope.errors import VitascopeError

# gRPC-style status codes, as the delivery hosts report them.
_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 9, 412: 9, 413: 3, 422: 3, 429: 8}
_MESSAGES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 412: "Not Ready"}


def render(error: VitascopeError) -> JSONResponse:
    """``{"code": 5, "message": "Not Found"}`` and friends."""
    message = _MESSAGES.get(error.status, error.messages[0])
    if error.status == 400:
        message = error.messages[0]
    return JSONResponse({"code": _CODES.get(error.status, 2), "message": message}, status_code=error.status)

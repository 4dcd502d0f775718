"""The domain error tree: one class per condition, each carrying its code and HTTP status.

Rendering into a wire format happens once, at the edge (``api/mux/errors.py`` and friends).
"""

from __future__ import annotations


class VitascopeError(Exception):
    """Base of every error a client may see."""

    code = "internal_error"
    status = 500

    def __init__(self, *messages: str) -> None:
        super().__init__(messages[0] if messages else self.code)
        self.messages = list(messages) or [self.code]


class InvalidParameters(VitascopeError):
    """The request is malformed or names an impossible value."""

    code = "invalid_parameters"
    status = 400


class Unauthorized(VitascopeError):
    """Credentials are missing or wrong."""

    code = "unauthorized"
    status = 401


class Forbidden(VitascopeError):
    """The credentials are valid but may not do this."""

    code = "forbidden"
    status = 403


class NotFound(VitascopeError):
    """The named object does not exist (or no longer does)."""

    code = "not_found"
    status = 404


class Conflict(VitascopeError):
    """The object is not in a state that allows this change."""

    code = "conflict"
    status = 409


class PayloadTooLarge(VitascopeError):
    """The request body exceeds the configured limit."""

    code = "payload_too_large"
    status = 413


class Unprocessable(VitascopeError):
    """The request is well formed but cannot be carried out."""

    code = "unprocessable_entity"
    status = 422

"""Signing keys and signed playback tokens (JWT).

Mux keys are RSA (tokens RS256 with a ``kid`` header); Livepeer keys are ECDSA P-256 (tokens ES256 that
name their key by ``kid`` or carry its public key in a ``pub`` claim). Only public keys are stored.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import delete, select

from vitascope.domain.models import now
from vitascope.errors import Forbidden, NotFound
from vitascope.ids import new_id
from vitascope.store.database import Database
from vitascope.store.tables import SigningKeyRow

Audience = Literal["v", "t", "g", "s"]
_ALGORITHMS = {"rsa": "RS256", "ec": "ES256"}


@dataclass(frozen=True)
class SigningKey:
    id: str
    created_at: int
    name: str
    algorithm: str
    public_key: str
    disabled: bool

    @property
    def public_key_b64(self) -> str:
        """The public key PEM, base64-encoded (Livepeer's ``publicKey``)."""
        return base64.b64encode(self.public_key.encode()).decode()


def _row_to_key(row: SigningKeyRow) -> SigningKey:
    return SigningKey(row.id, row.created_at, row.name, row.algorithm, row.public_key, row.disabled)


def _generate(algorithm: str) -> tuple[str, str]:
    """(private PEM, public PEM) for a new key."""
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if algorithm == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


class SigningKeys:
    """Creates, lists and deletes signing keys, and verifies playback tokens against them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, *, algorithm: Literal["rsa", "ec"] = "rsa", name: str = ""
    ) -> tuple[SigningKey, str]:
        """A new key and its private PEM (returned once, never stored)."""
        private_pem, public_pem = _generate(algorithm)
        key = SigningKey(new_id(), now(), name, algorithm, public_pem, False)
        async with self.db.transaction() as session:
            session.add(
                SigningKeyRow(
                    id=key.id,
                    created_at=key.created_at,
                    name=name,
                    algorithm=algorithm,
                    public_key=public_pem,
                    disabled=False,
                )
            )
        return key, private_pem

    async def list(self) -> list[SigningKey]:
        async with self.db.read() as session:
            rows = (
                await session.scalars(select(SigningKeyRow).order_by(SigningKeyRow.created_at.desc()))
            ).all()
        return [_row_to_key(row) for row in rows]

    async def get(self, key_id: str) -> SigningKey:
        async with self.db.read() as session:
            row = await session.get(SigningKeyRow, key_id)
        if row is None:
            raise NotFound("The requested signing key does not exist")
        return _row_to_key(row)

    async def update(self, key_id: str, *, name: str | None = None, disabled: bool | None = None) -> None:
        async with self.db.transaction() as session:
            row = await session.get(SigningKeyRow, key_id)
            if row is None:
                raise NotFound("The requested signing key does not exist")
            if name is not None:
                row.name = name
            if disabled is not None:
                row.disabled = disabled

    async def delete(self, key_id: str) -> None:
        """Delete a key: every token it signed stops working at once."""
        async with self.db.transaction() as session:
            result = await session.execute(delete(SigningKeyRow).where(SigningKeyRow.id == key_id))
            if not getattr(result, "rowcount", 0):
                raise NotFound("The requested signing key does not exist")

    async def _find(self, header: dict[str, Any], claims: dict[str, Any]) -> SigningKey | None:
        async with self.db.read() as session:
            if header.get("kid"):
                row = await session.get(SigningKeyRow, str(header["kid"]))
            elif claims.get("pub"):
                try:
                    pem = base64.b64decode(str(claims["pub"])).decode()
                except ValueError:
                    return None
                row = await session.scalar(select(SigningKeyRow).where(SigningKeyRow.public_key == pem))
            else:
                return None
        return None if row is None or row.disabled else _row_to_key(row)

    async def verify(self, token: str, *, playback_id: str, audience: Audience) -> dict[str, Any]:
        """The token's claims if it was signed by one of our keys for this playback ID; else ``Forbidden``."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Forbidden("the playback token is malformed") from exc
        key = await self._find(header, unverified)
        if key is None:
            raise Forbidden("the playback token was not signed by a known signing key")
        algorithm = _ALGORITHMS[key.algorithm]
        if header.get("alg") != algorithm:
            raise Forbidden(f"the playback token must be signed with {algorithm}")
        uses_audience = "aud" in unverified or key.algorithm == "rsa"
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=[algorithm],
                audience=audience if uses_audience else None,
                options={"require": ["exp", "sub"], "verify_aud": uses_audience},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Forbidden("the playback token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise Forbidden(
                f"the playback token is not valid for this kind of request (aud {audience})"
            ) from exc
        except jwt.PyJWTError as exc:
            raise Forbidden(f"the playback token is invalid: {exc}") from exc
        if claims.get("sub") != playback_id:
            raise Forbidden("the playback token is for another playback ID")
        return claims

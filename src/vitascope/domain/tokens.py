"""Access tokens: created by the CLI, checked on every API request. Secrets are stored hashed."""

from __future__ import annotations

import hashlib
import hmac

from vitascope.domain.models import AccessToken
from vitascope.errors import Unauthorized
from vitascope.ids import new_id, new_secret
from vitascope.store.database import Database
from vitascope.store.repos import AccessTokenRepo


def hash_secret(secret: str) -> str:
    """SHA-256 of the secret; secrets are 256-bit random, so a slow KDF would add nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_token(db: Database, name: str = "") -> tuple[AccessToken, str]:
    """Create a token and return it with its secret, which is never stored in clear."""
    token = AccessToken(id=new_id(24), name=name)
    secret = new_secret()
    async with db.transaction() as session:
        await AccessTokenRepo(session).add(token, hash_secret(secret))
    return token, secret


async def ensure_token(db: Database, token_id: str, secret: str, name: str = "environment") -> None:
    """Make sure a token with this id and secret exists (``VITASCOPE_TOKEN_ID``/``_SECRET``)."""
    async with db.transaction() as session:
        repo = AccessTokenRepo(session)
        found = await repo.find(token_id)
        if found is None:
            await repo.add(AccessToken(id=token_id, name=name), hash_secret(secret))
        elif not hmac.compare_digest(found[1], hash_secret(secret)):
            raise ValueError(f"token {token_id} already exists with another secret")


async def authenticate_basic(db: Database, token_id: str, secret: str) -> AccessToken:
    """Check an ``id:secret`` pair (Mux's Basic auth)."""
    async with db.read() as session:
        found = await AccessTokenRepo(session).find(token_id)
    # Compare against a dummy hash when the id is unknown so timing does not reveal which part was wrong.
    expected = found[1] if found else hash_secret(new_secret())
    if not hmac.compare_digest(expected, hash_secret(secret)) or found is None:
        raise Unauthorized("Unauthorized request")
    return found[0]


async def authenticate_secret(db: Database, secret: str) -> AccessToken:
    """Check a bare secret (Livepeer's Bearer API key)."""
    async with db.read() as session:
        token = await AccessTokenRepo(session).find_by_hash(hash_secret(secret))
    if token is None:
        raise Unauthorized("Unauthorized request")
    return token

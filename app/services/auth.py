"""API keys: creation (shown once), hashing, and turning a bearer token into an actor."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from app.models.api_key import ApiKey, Role
from app.models.organisation import Organisation
from app.models.types import utcnow

KEY_PREFIX = "br"
# `br_<12 hex digits>_<43 url-safe characters>`: anything else is refused before the database
# is asked (a NUL byte in the prefix gave PostgreSQL's DataError, a 500).
_TOKEN = re.compile(r"br_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})")
# One answer for every key that does not work (unknown, wrong secret, revoked, expired):
# a caller learns nothing about which keys exist.
INVALID_KEY = "invalid API key"


@dataclass(frozen=True)
class Actor:
    """Who is calling: an admin, a provider bound to one organisation, or the system (CLI)."""

    role: Role
    organisation_id: int | None = None
    key_id: int | None = None
    label: str = "system"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @classmethod
    def system(cls, label: str = "cli") -> "Actor":
        return cls(role=Role.admin, label=label)

    def may_manage_organisation(self, organisation_id: int) -> bool:
        return self.is_admin or self.organisation_id == organisation_id


def hash_secret(secret: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    *,
    session: Session,
    role: Role,
    organisation_id: int | None,
    name: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; return the row and the only copy of the plain key."""
    if role == Role.provider:
        if organisation_id is None:
            raise InvalidInput.at(["organisation_id"], "a provider key needs an organisation")
        if session.get(Organisation, organisation_id) is None:
            raise NotFound(f"organisation {organisation_id} does not exist")
    elif organisation_id is not None:
        raise InvalidInput.at(
            ["organisation_id"], f"an {role.value} key is not bound to an organisation"
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        prefix=prefix,
        key_hash=hash_secret(secret),
        role=role.value,
        organisation_id=organisation_id,
        name=name,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def revoke_api_key(*, session: Session, key_id: int) -> ApiKey:
    """Revoke a key; it stops working at once."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"API key {key_id} does not exist")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
    return key


def list_api_keys(*, session: Session) -> list[ApiKey]:
    """All keys, newest first (hashes never leave the service)."""
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.id).desc())))


def authenticate(*, session: Session, token: str) -> Actor:
    """Resolve a bearer token to an actor, or raise Unauthorized."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise Unauthorized(INVALID_KEY)
    prefix, secret = match.groups()
    key = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if (
        key is None
        or not hmac.compare_digest(key.key_hash, hash_secret(secret))
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= utcnow())
    ):
        raise Unauthorized(INVALID_KEY)
    return Actor(
        role=Role(key.role),
        organisation_id=key.organisation_id,
        key_id=key.id,
        label=f"key:{key.prefix}",
    )


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("this needs an admin key")

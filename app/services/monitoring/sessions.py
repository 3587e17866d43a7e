"""Dashboard sessions: sign in once with a key, then a signed, HttpOnly, SameSite=Strict
cookie. The cookie holds a random token and its HMAC; the database keeps only the token's
hash, so a forged cookie fails the signature and a copied one stops working at sign-out."""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import lru_cache

from sqlmodel import Session, select

from app.config import Settings, get_settings
from app.errors import Unauthorized
from app.models.api_key import ApiKey, Role
from app.models.monitoring import DashboardSession
from app.models.types import utcnow
from app.services.auth import Actor, authenticate

COOKIE = "br_monitoring"
COOKIE_PATH = "/monitoring"


class SecretMissing(RuntimeError):
    """Production without DASHBOARD_SECRET."""


def check_secret(settings: Settings) -> None:
    """Called when the API starts: production needs a real signing secret."""
    if settings.environment == "production" and len(settings.dashboard_secret) < 32:
        raise SecretMissing(
            "production needs DASHBOARD_SECRET (at least 32 random characters) to sign "
            "dashboard sessions"
        )


@lru_cache
def _secret_for(data_dir: str, configured: str) -> bytes:
    if configured:
        return configured.encode()
    from pathlib import Path

    # Development: one random secret per data folder, shared by every API process.
    path = Path(data_dir) / "dashboard_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def server_secret() -> bytes:
    """DASHBOARD_SECRET (development: the data folder's), which every API process shares and
    the database never holds: it signs session cookies and keys the demand recorder's client
    marks (demand.month_key), so that the database alone cannot test an address."""
    settings = get_settings()
    return _secret_for(str(settings.data_dir.resolve()), settings.dashboard_secret)


def _sign(token: str) -> str:
    mac = hmac.new(server_secret(), token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(*, session: Session, key: str) -> str:
    """Check the key (analyst or admin) and open a session; returns the cookie value."""
    actor = authenticate(session=session, token=key.strip())
    if actor.role not in (Role.admin, Role.analyst) or actor.key_id is None:
        raise Unauthorized("the dashboard needs an analyst or admin key")
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=get_settings().dashboard_session_hours)
    api_key = session.get(ApiKey, actor.key_id)
    if api_key is not None and api_key.expires_at is not None:
        # A session is the key's: it cannot outlive it.
        expires_at = min(expires_at, api_key.expires_at)
    session.add(
        DashboardSession(token_hash=_hash(token), api_key_id=actor.key_id, expires_at=expires_at)
    )
    session.flush()
    return f"{token}.{_sign(token)}"


def _row(session: Session, cookie: str | None) -> DashboardSession | None:
    if not cookie or cookie.count(".") != 1:
        return None
    token, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _sign(token)):
        return None
    return session.exec(
        select(DashboardSession).where(DashboardSession.token_hash == _hash(token))
    ).first()


def actor_of(*, session: Session, cookie: str | None) -> Actor | None:
    """The signed-in key behind a cookie, or None (forged, ended, expired, key revoked or
    expired): a session ends when its key stops working for the API."""
    now = utcnow()
    row = _row(session, cookie)
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    key = session.get(ApiKey, row.api_key_id)
    if (
        key is None
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= now)
        or key.role not in (Role.admin, Role.analyst)
    ):
        return None
    return Actor(
        role=Role(key.role), organisation_id=None, key_id=key.id, label=f"key:{key.prefix}"
    )


def sign_out(*, session: Session, cookie: str | None) -> None:
    """End the session on the server: the same cookie never works again."""
    row = _row(session, cookie)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        session.add(row)
        session.flush()

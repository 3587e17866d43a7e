"""Rate limits: per API key for writes and imports, per client address for public searches and
for failed authentication. Counted in memory per worker process, or in Redis (shared by all
workers and replicas) when REDIS_URL is set."""

import logging
import math
import time
from enum import StrEnum

import orjson
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.errors import TooManyRequests, error_body

log = logging.getLogger("bildungsraum.rate_limits")


class Limited(StrEnum):
    """What is counted, and for whom."""

    search = "search"  # per client address: public searches, suggestions and search pages
    feeds = "feeds"  # per client address: the change feeds, read in pages of up to 1,000
    writes = "writes"  # per API key: every change through the API except imports
    imports = "imports"  # per API key: import files
    auth_failures = "auth_failures"  # per client address: requests with a key that fails


_MESSAGES = {
    Limited.search: "too many searches from your address; please wait a moment",
    Limited.feeds: "too many change-feed pages from your address; please wait a moment",
    Limited.writes: "too many changes with this API key; please slow down",
    Limited.imports: "too many imports with this API key; please wait before the next one",
    Limited.auth_failures: "too many requests with an invalid API key from your address",
}


def _parse(limits: str) -> list[RateLimitItem]:
    """`20/second;600/minute`; `off` (or nothing) for no limit of this kind."""
    return [] if limits.strip().lower() in ("", "off") else parse_many(limits)


class RateLimits:
    """The limits of one app instance. A storage fault lets requests through (and is logged):
    a rate limit must never take the service down with it."""

    def __init__(self, settings: Settings) -> None:
        self.items: dict[Limited, list[RateLimitItem]] = {
            Limited.search: _parse(settings.rate_limit_search),
            Limited.feeds: _parse(settings.rate_limit_feeds),
            Limited.writes: _parse(settings.rate_limit_writes),
            Limited.imports: _parse(settings.rate_limit_imports),
            Limited.auth_failures: _parse(settings.rate_limit_auth_failures),
        }
        self.storage: Storage = MemoryStorage()
        if settings.redis_url:
            shared = storage_from_string(
                "async+" + settings.redis_url,
                implementation="redispy",
                key_prefix=settings.rate_limit_prefix,
            )
            assert isinstance(shared, Storage)
            self.storage = shared
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self._fault_logged_at = 0.0

    async def hit(self, kind: Limited, identity: str) -> None:
        """Count one request; TooManyRequests when it is over any of the kind's limits."""
        try:
            for item in self.items[kind]:
                if not await self.limiter.hit(item, kind.value, identity):
                    raise TooManyRequests(
                        _MESSAGES[kind], retry_after_s=await self._retry_after(item, kind, identity)
                    )
        except TooManyRequests:
            raise
        except Exception as exc:  # Redis away: serve rather than refuse
            self._log_fault(exc)

    async def refuse_if_exceeded(self, kind: Limited, identity: str) -> None:
        """TooManyRequests when the kind's limit is used up, without counting this request."""
        try:
            for item in self.items[kind]:
                if not await self.limiter.test(item, kind.value, identity):
                    raise TooManyRequests(
                        _MESSAGES[kind], retry_after_s=await self._retry_after(item, kind, identity)
                    )
        except TooManyRequests:
            raise
        except Exception as exc:
            self._log_fault(exc)

    async def _retry_after(self, item: RateLimitItem, kind: Limited, identity: str) -> int:
        stats = await self.limiter.get_window_stats(item, kind.value, identity)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def _log_fault(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._fault_logged_at > 60:
            self._fault_logged_at = now
            log.warning("rate limit storage unavailable (%s); not limiting", type(exc).__name__)


def client_address(scope: Scope) -> str:
    """The client's address as the server determined it: behind a reverse proxy, run the
    server with --proxy-headers and --forwarded-allow-ips naming the proxy (README,
    "Security and operations"), or every client counts as the proxy."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def rate_limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


# The portal's routes that run a search: its search page and embeddable variant, the map
# page and its data, and the feed of new offers (/p/<slug>/…).
_SEARCH_PAGES = ("/", "/embed", "/karte", "/karte.json", "/neu.atom")


def public_limit(path: str) -> Limited | None:
    """Which per-address limit a public GET counts against (paths or route templates): every
    route that runs a search, and the change feeds, whose pages are the costliest reads —
    so that one address flooding them cannot slow the service for everyone else."""
    if path in ("/api/v1/search", "/api/v1/suggest"):
        return Limited.search
    if path == "/api/v1/changes":
        return Limited.feeds
    if path.startswith("/api/v1/portals/") and path.count("/") == 5:
        if path.endswith(("/search", "/suggest")):
            return Limited.search
        return Limited.feeds if path.endswith("/changes") else None
    if path.startswith("/p/") and path.count("/") == 3:
        return Limited.search if path.endswith(_SEARCH_PAGES) else None
    return None


class PublicRateLimit:
    """ASGI middleware: public searches and change-feed pages count per client address
    (public_limit). As a middleware, not a dependency, so that the pages are counted too and
    a refused request costs no routing."""

    def __init__(self, app: ASGIApp, *, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = (
            public_limit(scope["path"])
            if scope["type"] == "http" and scope["method"] == "GET"
            else None
        )
        if kind is not None:
            try:
                await self.limits.hit(kind, client_address(scope))
            except TooManyRequests as exc:
                body = orjson.dumps(error_body(exc.code, exc.message))
                await send(
                    {
                        "type": "http.response.start",
                        "status": 429,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", str(exc.retry_after_s).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

"""Security headers on every answer: a strict Content-Security-Policy (framing refused except
for a portal's embed page), nosniff, a referrer policy, HSTS in production."""

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages: scripts and styles only from our own files (no inline script, no inline style), data
# only from our own API. A JSON-LD block (<script type="application/ld+json">) is data, not
# script: browsers do not execute it, so CSP neither blocks nor needs to allow it.
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)
# JSON, scripts, files: nothing in them may run or load anything, and nobody may frame them.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The API documentation pages are FastAPI's: one inline script each (allowed by its hash,
# computed from the page as served) and the assets the page names.
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
HSTS = "max-age=63072000; includeSubDomains"

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.DOTALL | re.I)
_EXTERNAL = re.compile(rb"""(?:src|href)=["'](https://[A-Za-z0-9.-]+)/""")


def page_policy(*, frame_ancestors: list[str] | None = None) -> str:
    """The policy of a page; `frame_ancestors` lists the sites that may frame it (embed page)."""
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return _PAGE_POLICY.format(ancestors=ancestors)


def docs_policy(html: bytes) -> str:
    """A policy for one documentation page: its own inline scripts by hash, its assets' hosts."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]
    hosts = sorted({m.decode() for m in _EXTERNAL.findall(html)})
    if "https://fonts.googleapis.com" in hosts:
        hosts.append("https://fonts.gstatic.com")
    extra = " ".join(hosts)
    return (
        f"default-src 'self'; script-src 'self' {' '.join(hashes)} {extra}; "
        # Swagger UI and ReDoc set styles at run time.
        f"style-src 'self' 'unsafe-inline' {extra}; img-src 'self' data: {extra}; "
        f"font-src 'self' data: {extra}; worker-src 'self' blob:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


class SecurityHeaders:
    """ASGI middleware. A route that needs another policy (the embed page) sets its own
    Content-Security-Policy; every other answer gets the default for its content type."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in DOCS_PATHS:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._headers(message.get("headers", []), policy=None)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(
        self, headers: list[tuple[bytes, bytes]], *, policy: str | None
    ) -> list[tuple[bytes, bytes]]:
        names = {name.lower() for name, _ in headers}
        added: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if b"content-security-policy" not in names:
            if policy is None:
                html = any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                policy = page_policy() if html else API_POLICY
            added.append((b"content-security-policy", policy.encode()))
            # Browsers older than frame-ancestors read this instead.
            added.append((b"x-frame-options", b"DENY"))
        if self.hsts:
            added.append((b"strict-transport-security", HSTS.encode()))
        return [*headers, *(h for h in added if h[0] not in names)]

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The page is small and made once per request by FastAPI: hold it, hash its scripts.
        start: Message | None = None
        body = b""

        async def hold(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start":
                start = message
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            assert start is not None
            html = any(
                name.lower() == b"content-type" and value.startswith(b"text/html")
                for name, value in start.get("headers", [])
            )
            policy = docs_policy(body) if html else API_POLICY
            start["headers"] = self._headers(start.get("headers", []), policy=policy)
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)

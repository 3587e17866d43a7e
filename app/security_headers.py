"""Security headers on every answer: a strict Content-Security-Policy (framing refused except
for a portal's embed page), nosniff, a referrer policy, HSTS in production."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages: scripts and styles only from our own files (no inline script, no inline style), data
# only from our own API. A JSON-LD block (<script type="application/ld+json">) is data, not
# script: browsers do not execute it, so CSP neither blocks nor needs to allow it.
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{images}; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)
# JSON, scripts, files: nothing in them may run or load anything, and nobody may frame them.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"


def page_policy(
    *, frame_ancestors: list[str] | None = None, image_sources: list[str] | None = None
) -> str:
    """The policy of a page; `frame_ancestors` lists the sites that may frame it (embed page),
    `image_sources` further hosts images may come from (the map view's tile server)."""
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    images = "".join(f" {source}" for source in image_sources or [])
    return _PAGE_POLICY.format(ancestors=ancestors, images=images)


class SecurityHeaders:
    """ASGI middleware. A route that needs another policy (the embed page, the API
    documentation) sets its own Content-Security-Policy; every other answer gets the default
    for its content type."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._headers(message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        names = {name.lower() for name, _ in headers}
        added: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if b"content-security-policy" not in names:
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

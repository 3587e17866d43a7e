"""CORS for the public portal API: each portal names the sites whose pages may read its
answers (errors included), from the portal directory kept in each process."""

import contextlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import NotFound
from app.services.portals import cors_headers, public_portal

PREFIX = "/api/v1/portals/"
_SLUG = re.compile(r"^[a-z0-9-]{1,60}$")


class PortalCors:
    """Adds a portal's CORS headers to every answer under /api/v1/portals/<slug>/, as an
    ASGI middleware so that 404s, 422s and preflights carry them as well as results."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        slug = path[len(PREFIX) :].split("/", 1)[0]
        origin = next((v for k, v in scope["headers"] if k == b"origin"), None)
        origins: list[str] = []
        if origin is not None and _SLUG.match(slug):
            with contextlib.suppress(NotFound):  # unknown portal: no site may read
                origins = (await public_portal(slug)).cors_origins
        headers = cors_headers(
            origins=origins,
            origin=origin.decode("latin-1") if origin is not None else None,
            preflight=scope["method"] == "OPTIONS",
        )
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_cors)

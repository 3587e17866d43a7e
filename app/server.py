"""The served configuration: uvicorn with the limits a public service needs and uvicorn lacks
(a deadline and a size limit for request headers), no `server` banner, proxy headers from
the addresses named in FORWARDED_ALLOW_IPS. Everything that serves the app starts it here:
`bildungsraum serve` (the Docker image), `bildungsraum run`, the tests and the benchmarks."""

import asyncio
import os
from typing import Any

import orjson
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import get_settings
from app.errors import error_body

APP = "app.main:create_app"


def _raw_answer(status: int, reason: str, code: str, message: str) -> bytes:
    body = orjson.dumps(error_body(code, message))
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


_HEADERS_TOO_LARGE = _raw_answer(
    431, "Request Header Fields Too Large", "headers_too_large", "the request headers are too large"
)
_HEADERS_TOO_SLOW = _raw_answer(
    408, "Request Timeout", "request_timeout", "the request headers did not arrive in time"
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request's headers (300 clients
    sending a header byte now and then held 300 connections open for good) and a limit on
    their size (an 8 MB header was read and served)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout_s = settings.header_timeout_s
        self.max_header_bytes = settings.max_header_bytes
        self._header_bytes = 0
        self._awaiting_headers = True
        self._headers_completed = 0
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn hands a Transport
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_headers and self._header_deadline is None:
            self._arm_header_deadline()  # the next request on a kept-alive connection begins
        in_headers, completed = self._awaiting_headers, self._headers_completed
        super().data_received(data)
        # Count only chunks read wholly inside headers: one that ended headers, or began in a
        # body, may carry body bytes.
        if (
            in_headers
            and self._awaiting_headers
            and completed == self._headers_completed
            and not self.transport.is_closing()
        ):
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self._refuse(_HEADERS_TOO_LARGE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_headers = True
        self._header_bytes = 0

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._headers_completed += 1
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_headers = True
        self._header_bytes = 0

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout_s, self._headers_late)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        self._header_deadline = None
        if not self._awaiting_headers or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered; its successor has not begun
        # A connection that sent nothing of a new request is simply closed (as a keep-alive
        # timeout would); one that began a request is told why.
        self._refuse(_HEADERS_TOO_SLOW if self._header_bytes else b"")

    def _refuse(self, answer: bytes) -> None:
        self._disarm_header_deadline()
        if answer:
            self.transport.write(answer)
        self.transport.close()


def serve(
    *,
    host: str,
    port: int,
    workers: int = 1,
    forwarded_allow_ips: str | None = None,
    access_log: bool = False,
    log_level: str = "info",
) -> None:
    """Run the API until stopped."""
    settings = get_settings()
    uvicorn.run(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # An import string: worker processes import it themselves.
        http=f"{__name__}:GuardedHttpToolsProtocol",
        server_header=False,
        proxy_headers=True,
        # Only a proxy at one of these addresses may name the client (X-Forwarded-For);
        # the rate limits count per client address.
        forwarded_allow_ips=forwarded_allow_ips or os.environ.get("FORWARDED_ALLOW_IPS"),
        timeout_keep_alive=settings.keep_alive_s,
        access_log=access_log,
        log_level=log_level,
    )

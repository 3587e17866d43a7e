"""ASGI middleware that bounds request bodies: 413 for bodies over the limit (announced or
streamed), 408 for bodies that do not arrive within the time allowed."""

import asyncio
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_body


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        default_limit: int,
        limits: dict[str, int],
        timeout_s: float = 30.0,
        timeouts: dict[str, float] | None = None,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = limits  # path prefix -> limit, for uploads that may be larger
        self.timeout_s = timeout_s
        self.timeouts = timeouts or {}  # path prefix -> seconds, for uploads that take longer

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.limits.items():
            if path.startswith(prefix):
                return limit
        return self.default_limit

    def _timeout_for(self, path: str) -> float:
        for prefix, timeout in self.timeouts.items():
            if path.startswith(prefix):
                return timeout
        return self.timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        if _declared_too_big(scope, limit):
            await _reject(send, 413, _too_large(limit))
            return
        # The whole body must arrive by then: a client trickling bytes holds a connection and
        # a task, and must let go eventually.
        body = _LimitedBody(receive, send, limit, self._timeout_for(scope["path"]))
        try:
            await self.app(scope, body.receive, body.send)
        except Exception:
            if not body.rejected:
                raise


def _declared_too_big(scope: Scope, limit: int) -> bool:
    declared = dict(scope.get("headers") or []).get(b"content-length")
    if declared is None:
        return False
    try:
        return int(declared) > limit
    except ValueError:
        return False


class _LimitedBody:
    """One request's receive and send: the body counted against the limit and the deadline;
    once rejected, the app sees a client that went away and its reply is dropped."""

    def __init__(self, receive: Receive, send: Send, limit: int, timeout_s: float) -> None:
        self._receive = receive
        self._send = send
        self._limit = limit
        self._loop = asyncio.get_running_loop()
        self._deadline = self._loop.time() + timeout_s
        self._received = 0
        self._complete = False
        self._started = False
        self.rejected = False

    async def receive(self) -> Message:
        if self.rejected:
            return {"type": "http.disconnect"}
        if self._complete:
            # Waiting for the client to go away (streamed answers): no deadline.
            return await self._receive()
        try:
            left = max(0.0, self._deadline - self._loop.time())
            message = await asyncio.wait_for(self._receive(), left)
        except TimeoutError:
            await self._reject(408, _too_slow())
            return {"type": "http.disconnect"}
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            self._complete = not message.get("more_body", False)
            if self._received > self._limit:
                await self._reject(413, _too_large(self._limit))
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if not self.rejected:
            self._started = True
            await self._send(message)

    async def _reject(self, status: int, body: dict[str, Any]) -> None:
        self.rejected = True
        if not self._started:
            await _reject(self._send, status, body)


def _too_large(limit: int) -> dict[str, Any]:
    return error_body("payload_too_large", f"the request body is larger than {limit:,} bytes")


def _too_slow() -> dict[str, Any]:
    return error_body("request_timeout", "the request body did not arrive in time")


async def _reject(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})

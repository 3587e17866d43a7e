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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: C901
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = False
            if too_big:
                await _reject(send, 413, _too_large(limit))
                return
        loop = asyncio.get_running_loop()
        # The whole body must arrive by then: a client trickling bytes holds a connection and
        # a task, and must let go eventually.
        deadline = loop.time() + self._timeout_for(scope["path"])
        received = 0
        rejected = False
        body_complete = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, rejected, body_complete
            if rejected:
                return {"type": "http.disconnect"}
            if body_complete:
                # Waiting for the client to go away (streamed answers): no deadline.
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                rejected = True
                if not started:
                    await _reject(send, 408, _too_slow())
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_complete = not message.get("more_body", False)
                if received > limit:
                    # Answer now; the app sees a client that went away and its reply is dropped.
                    rejected = True
                    if not started:
                        await _reject(send, 413, _too_large(limit))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not rejected:
                started = True
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not rejected:
                raise


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

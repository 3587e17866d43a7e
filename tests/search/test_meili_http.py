"""The search path's HTTP client, against small local servers that answer as told."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from app.errors import SearchUnavailable
from app.search.http import MeiliHttp
from testkit.meili_server import free_port

Answer = Callable[[int], Awaitable[bytes | None]]  # request number -> raw answer; None = silence


def _plain(body: bytes, *extra: str) -> bytes:
    head = "".join(f"{line}\r\n" for line in extra)
    return f"HTTP/1.1 200 OK\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


class Server:
    """Counts connections and requests; answers each request with `answer(n)`."""

    def __init__(self, answer: Answer, *, close_after_answer: bool = False) -> None:
        self.answer = answer
        self.close_after_answer = close_after_answer
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                raw = await self.answer(len(self.requests))
                if raw is None:
                    await asyncio.sleep(3600)
                    return
                writer.write(raw)
                await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serving(server: Server) -> AsyncIterator[str]:
    port = free_port()
    listener = await asyncio.start_server(server.handle, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listener.close()


async def _ok(_: int) -> bytes:
    return _plain(b'{"ok":true}', "Content-Type: application/json")


def _after(seconds: float) -> Answer:
    async def answer(_: int) -> bytes:
        await asyncio.sleep(seconds)
        return _plain(b"{}")

    return answer


@pytest.mark.anyio
async def test_requests_share_one_keep_alive_connection() -> None:
    server = Server(_ok)
    async with serving(server) as url:
        http = MeiliHttp(url, {"Authorization": "Bearer k"})
        for _ in range(3):
            assert await http.request("POST", "/multi-search", b"{}", timeout_s=2) == (
                200,
                b'{"ok":true}',
            )
        await http.close()
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /multi-search HTTP/1.1\r\n")
    assert b"Authorization: Bearer k\r\n" in first
    assert b"Content-Length: 2\r\n" in first
    assert first.endswith(b"\r\n\r\n{}")


@pytest.mark.anyio
async def test_a_chunked_answer_is_read_whole() -> None:
    async def chunked(_: int) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )

    server = Server(chunked)
    async with serving(server) as url:
        http = MeiliHttp(url, {})
        assert await http.request("GET", "/health", timeout_s=2) == (200, b"hello world")
        assert await http.request("GET", "/health", timeout_s=2) == (200, b"hello world")
        await http.close()
    assert server.connections == 1


@pytest.mark.anyio
async def test_connection_close_is_honoured() -> None:
    async def closing(_: int) -> bytes:
        return _plain(b"{}", "Connection: close")

    server = Server(closing, close_after_answer=True)
    async with serving(server) as url:
        http = MeiliHttp(url, {})
        for _ in range(2):
            assert await http.request("GET", "/health", timeout_s=2) == (200, b"{}")
        await http.close()
    assert server.connections == 2


@pytest.mark.anyio
async def test_an_idle_connection_the_server_closed_is_replaced_without_an_error() -> None:
    # The server closes after each answer without saying so, as a keep-alive timeout does.
    server = Server(_ok, close_after_answer=True)
    async with serving(server) as url:
        http = MeiliHttp(url, {})
        assert (await http.request("GET", "/health", timeout_s=2))[0] == 200
        await asyncio.sleep(0.05)  # let the close arrive
        assert (await http.request("GET", "/health", timeout_s=2))[0] == 200
        await http.close()
    assert server.connections == 2
    assert len(server.requests) == 2


class UnaskedAnswer(Server):
    """Answers the first request, then, `after` seconds later, says 408 unasked (as
    Meilisearch does when it gives up on an idle keep-alive connection) and closes later."""

    def __init__(self, *, after: float) -> None:
        super().__init__(_ok)
        self.after = after

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.requests.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(_plain(b'{"n":%d}' % len(self.requests)))
        if self.after:
            await writer.drain()
            await asyncio.sleep(self.after)
        writer.write(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.5)
        writer.close()


@pytest.mark.anyio
async def test_an_unasked_408_waiting_on_an_idle_connection_is_not_the_answer() -> None:
    server = UnaskedAnswer(after=0.05)
    async with serving(server) as url:
        http = MeiliHttp(url, {})
        assert await http.request("GET", "/health", timeout_s=2) == (200, b'{"n":1}')
        await asyncio.sleep(0.15)  # the 408 arrives while the connection sits idle
        assert await http.request("GET", "/health", timeout_s=2) == (200, b'{"n":2}')
        await http.close()
    assert server.connections == 2


@pytest.mark.anyio
async def test_bytes_after_the_answer_are_not_mixed_into_it() -> None:
    server = UnaskedAnswer(after=0)  # the 408 comes in the same packet as the answer
    async with serving(server) as url:
        http = MeiliHttp(url, {})
        assert await http.request("GET", "/health", timeout_s=2) == (200, b'{"n":1}')
        assert http._idle == []  # a connection with unasked bytes is not kept
        assert await http.request("GET", "/health", timeout_s=2) == (200, b'{"n":2}')
        await http.close()
    assert server.connections == 2


@pytest.mark.anyio
async def test_a_burst_shares_at_most_max_open_connections() -> None:
    server = Server(_after(0.05))
    async with serving(server) as url:
        http = MeiliHttp(url, {}, max_open=2)
        answers = await asyncio.gather(
            *(http.request("GET", "/health", timeout_s=2) for _ in range(6))
        )
        await http.close()
    assert answers == [(200, b"{}")] * 6
    assert server.connections == 2


@pytest.mark.anyio
async def test_waiting_for_a_connection_counts_against_the_timeout() -> None:
    # Each answer takes 0.3 s: on its own the second request would make its 0.45 s, but it
    # first waits 0.3 s for the only connection.
    server = Server(_after(0.3))
    async with serving(server) as url:
        http = MeiliHttp(url, {}, max_open=1)
        results = await asyncio.gather(
            http.request("GET", "/health", timeout_s=2),
            http.request("GET", "/health", timeout_s=0.45),
            return_exceptions=True,
        )
        await http.close()
    assert results[0] == (200, b"{}")
    assert isinstance(results[1], SearchUnavailable)


@pytest.mark.anyio
async def test_nobody_listening_is_unreachable() -> None:
    http = MeiliHttp(f"http://127.0.0.1:{free_port()}", {})
    with pytest.raises(SearchUnavailable):
        await http.request("GET", "/health", timeout_s=2)


@pytest.mark.anyio
async def test_a_server_that_does_not_answer_times_out() -> None:
    async def silent(_: int) -> None:
        return None

    server = Server(silent)
    async with serving(server) as url:
        http = MeiliHttp(url, {})
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(SearchUnavailable):
            await http.request("GET", "/health", timeout_s=0.2)
        assert loop.time() - started < 1.0
        assert http._idle == []  # a connection left mid-answer is never reused
        await http.close()


@pytest.mark.anyio
async def test_a_garbled_answer_is_unreachable_not_a_crash() -> None:
    async def garbled(_: int) -> bytes:
        return b"this is not HTTP\r\n\r\n"

    server = Server(garbled)
    async with serving(server) as url:
        http = MeiliHttp(url, {})
        with pytest.raises(SearchUnavailable):
            await http.request("GET", "/health", timeout_s=2)
        await http.close()


def test_only_plain_http_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="plain http"):
        MeiliHttp("ftp://example.org", {})
    with pytest.raises(ValueError, match="plain http"):
        MeiliHttp("https://search.example.org", {})


class DropsSecondRequest(Server):
    """Answers the first request on each connection, then closes it when the next request
    arrives, unanswered: a keep-alive connection that died between two requests."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            for n in range(2):
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0] or 0)
                self.requests.append(head + await reader.readexactly(length))
                if n == 0:
                    writer.write(_plain(b"{}"))
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()


@pytest.mark.anyio
@pytest.mark.parametrize(("idempotent", "sent"), [(True, 3), (False, 2)])
async def test_only_idempotent_requests_are_sent_again(idempotent: bool, sent: int) -> None:
    server = DropsSecondRequest(_ok)
    async with serving(server) as url:
        http = MeiliHttp(url, {})
        assert (await http.request("POST", "/x", b"1", timeout_s=2, idempotent=idempotent))[
            0
        ] == 200
        if idempotent:
            assert (await http.request("POST", "/x", b"2", timeout_s=2, idempotent=True))[0] == 200
        else:
            with pytest.raises(SearchUnavailable):
                await http.request("POST", "/x", b"2", timeout_s=2, idempotent=False)
        await http.close()
    # the second request reached the server once, and a second time only when idempotent
    assert len(server.requests) == sent

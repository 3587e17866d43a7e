"""A local webhook receiver for tests and the benchmark: answers 2xx, 500, hangs, trickles its
answer, closes the connection or redirects, per path; records what it got. Bound to 127.0.0.1."""

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG_S = 3.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ReceiverState:
    received: list[Received] = field(default_factory=list)
    # path → how many more requests fail before it answers 204 (e.g. "/flaky")
    failures_left: Counter[str] = field(default_factory=Counter)
    delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: ReceiverState

    def log_message(self, *_: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        path = self.path.split("?")[0]
        with self.state.lock:
            self.state.received.append(Received(path, dict(self.headers.items()), body))
            failing = self.state.failures_left[path] > 0
            if failing:
                self.state.failures_left[path] -= 1
        if self.state.delay_s:
            time.sleep(self.state.delay_s)
        if path == "/hang" or (failing and path == "/flaky-hang"):
            time.sleep(HANG_S)
            self._send(204)
        elif path == "/trickle" or (failing and path == "/flaky-trickle"):
            self._trickle()
        elif path == "/fail" or (failing and path == "/flaky"):
            self._send(500, b"kaputt")
        elif path == "/close" or (failing and path == "/flaky-close"):
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif path == "/redirect":
            self._send(302, headers={"Location": "/ok"})
        else:
            self._send(204)

    def _trickle(self) -> None:
        """A status line, then a header byte every 0.1 s for HANG_S: every read finds
        something, so only a deadline for the whole answer ends the wait."""
        try:
            self.wfile.write(b"HTTP/1.1 204 No Content\r\nX-Slow: ")
            end = time.monotonic() + HANG_S
            while time.monotonic() < end:
                time.sleep(0.1)
                self.wfile.write(b"a")
            self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            self.close_connection = True

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the sender gave up waiting (a hang) and closed the connection
            self.close_connection = True


class Receiver:
    def __init__(self) -> None:
        self.state = ReceiverState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll: shutdown() waits up to one poll interval (0.5 s by default, after
        # every test that uses a receiver).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

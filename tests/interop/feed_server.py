"""A local HTTP server for pull tests: a file that can change, 304s, errors, a hang, redirects,
huge and compressed answers. Bound to 127.0.0.1; every loop is bounded in size and time."""

import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Endless answers stop here even if the client keeps reading.
MAX_STREAM = 64 * 1024 * 1024


@dataclass
class FeedState:
    content: bytes = b""
    etag: bool = True
    last_modified: str = field(default_factory=lambda: formatdate(usegmt=True))
    redirect_to: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def set(self, content: bytes) -> None:
        self.content = content
        self.last_modified = formatdate(usegmt=True)

    @property
    def tag(self) -> str:
        return '"' + hashlib.sha256(self.content).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: FeedState

    def log_message(self, *_: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        state = self.state
        state.requests.append(
            {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
        )
        route = getattr(self, "_" + self.path.strip("/").split("?")[0].replace("-", "_"), None)
        if route is None:
            self._send(404, b"not found")
            return
        route()

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _feed(self) -> None:
        state = self.state
        headers = {"Content-Type": "application/xml", "Last-Modified": state.last_modified}
        if state.etag:
            headers["ETag"] = state.tag
            if self.headers.get("If-None-Match") == state.tag:
                self.send_response(304)
                self.send_header("ETag", state.tag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        elif self.headers.get("If-Modified-Since") == state.last_modified:
            self._send(304, b"")
            return
        self._send(200, state.content, headers)

    def _gzip(self) -> None:
        self._send(200, gzip.compress(self.state.content), {"Content-Encoding": "gzip"})

    def _bomb(self) -> None:
        # 64 MB of zeros in ~64 kB: the limit must be noticed while unpacking
        self._send(200, gzip.compress(b"\0" * MAX_STREAM, 9), {"Content-Encoding": "gzip"})

    def _error(self) -> None:
        self._send(500, b"Internal Server Error")

    def _hang(self) -> None:
        self.state.release.wait(10)  # the test's timeout is shorter; the server gives up later
        self._send(200, self.state.content)

    def _trickle(self) -> None:
        # A status line, then a header byte every 0.1 s for 12 s: each read finds something in
        # time; only a deadline for the whole answer ends the wait sooner.
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            end = time.monotonic() + 12
            while time.monotonic() < end and not self.state.release.wait(0.1):
                self.wfile.write(b"a")
            self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            pass  # the client gave up: expected
        self.close_connection = True

    def _redirect(self) -> None:
        self._send(302, b"", {"Location": self.state.redirect_to})

    def _huge_declared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(2_000_000_000))
        self.end_headers()
        self._endless()

    def _huge(self) -> None:
        # No length: the body ends when the connection closes (HTTP/1.0 style).
        self.protocol_version = "HTTP/1.0"
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self._endless()

    def _endless(self) -> None:
        block = b"<x>" + b"a" * 65_530 + b"</x>"
        try:
            for _ in range(MAX_STREAM // len(block)):
                self.wfile.write(block)
        except OSError:
            pass  # the client stopped reading: expected
        self.close_connection = True


class FeedServer:
    def __init__(self) -> None:
        self.state = FeedState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def start(self) -> "FeedServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.release.set()
        self._server.shutdown()
        self._server.server_close()

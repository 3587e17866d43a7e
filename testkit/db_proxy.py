"""A TCP proxy between the app and a database server that can pass, drop or stall traffic: how
tests take the database away (or make it hang) without touching the shared server."""

import contextlib
import select
import socket
import threading
from enum import StrEnum
from types import TracebackType


class Mode(StrEnum):
    passing = "pass"  # forward both ways
    dropping = "drop"  # close every connection, refuse new ones (the server is down)
    stalling = "stall"  # accept, keep open, forward nothing (the server or network hangs)


class FaultProxy:
    """Listens on a free loopback port and forwards to `target`; switch with `mode`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = Mode.passing
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port = int(self._listener.getsockname()[1])
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> "FaultProxy":
        self.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        thread.start()
        self._threads.append(thread)

    def set_mode(self, mode: Mode) -> None:
        self.mode = mode
        if mode == Mode.dropping:
            with self._lock:
                pairs, self._pairs = self._pairs, []
            for client, upstream in pairs:
                _close(client)
                if upstream is not None:
                    _close(upstream)

    def close(self) -> None:
        self._closed.set()
        _close(self._listener)
        self.set_mode(Mode.dropping)
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == Mode.dropping:
                _close(client)
                continue
            upstream: socket.socket | None = None
            if self.mode == Mode.passing:
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    _close(client)
                    continue
            with self._lock:
                self._pairs.append((client, upstream))
            thread = threading.Thread(
                target=self._pump, args=(client, upstream), name="fault-proxy-pump", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _pump(self, client: socket.socket, upstream: socket.socket | None) -> None:
        # A stalled connection gets no upstream: it waits here until the proxy drops it.
        while not self._closed.is_set():
            if upstream is None or self.mode == Mode.stalling:
                if self._dropped(client):
                    return
                self._closed.wait(0.05)
                continue
            try:
                readable, _, _ = select.select([client, upstream], [], [], 0.05)
            except (OSError, ValueError):
                return
            if self.mode != Mode.passing:
                continue
            for source in readable:
                other = upstream if source is client else client
                try:
                    data = source.recv(65536)
                    if not data:
                        raise OSError("closed")
                    other.sendall(data)
                except OSError:
                    _close(client)
                    _close(upstream)
                    return

    def _dropped(self, client: socket.socket) -> bool:
        with self._lock:
            return all(pair[0] is not client for pair in self._pairs)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()

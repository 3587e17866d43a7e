"""The served configuration (`bildungsraum serve`) against clients that hold on: slow uploads
must not hold the database pool, slow or huge headers and trickling bodies are cut off, no
server banner, and an aborted upload is no error."""

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.served_app import ServedApp, served_app

pytestmark = pytest.mark.served


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[ServedApp]:
    env = {
        "DATABASE_URL": database_url,
        # Short deadlines so that the tests need not wait the production ones.
        "HEADER_TIMEOUT": "1",
        "BODY_TIMEOUT": "3",
        "IMPORT_BODY_TIMEOUT": "3",
        # The pool stays small, as a replica's: 5 connections and 10 more at most.
        "DB_POOL_TIMEOUT": "30",
    }
    with served_app(env, log=tmp_path / "api.log") as app:
        yield app


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _closed_by_server(sock: socket.socket, within_s: float) -> tuple[bool, bytes]:
    """Whether the server closed the connection within the time; what it said first."""
    sock.settimeout(within_s)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return False, received
    except OSError:
        return True, received
    return True, received


def test_slow_uploads_do_not_hold_the_database_pool(
    served: ServedApp, provider: dict[str, Any], make_offer: Callable[..., dict[str, Any]]
) -> None:
    make_offer(provider["headers"])
    auth = provider["headers"]["Authorization"]
    # A server that has answered before (its engine and pool exist).
    assert httpx.get(f"{served.url}/api/v1/offers", headers=provider["headers"]).status_code == 200
    # 20 uploads that announce 100 kB and send a byte now and then (the pool holds 15).
    uploads = []
    for _ in range(20):
        sock = _connect(served.url)
        sock.sendall(
            b"POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
            + f"Authorization: {auth}\r\nContent-Length: 100000\r\n\r\nA".encode()
        )
        uploads.append(sock)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.5):
            for sock in uploads:
                with contextlib.suppress(OSError):
                    sock.sendall(b"x")

    trickler = threading.Thread(target=trickle)
    trickler.start()
    try:
        time.sleep(1)  # every upload has been authenticated and is reading its body
        started = time.monotonic()
        r = httpx.get(f"{served.url}/api/v1/offers", headers=provider["headers"], timeout=10)
        took = time.monotonic() - started
    finally:
        stop.set()
        trickler.join()
        for sock in uploads:
            sock.close()
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 1
    assert took < 2, f"a key-authenticated read took {took:.1f} s"


def test_slow_headers_are_cut_off(served: ServedApp) -> None:
    socks = [_connect(served.url) for _ in range(30)]
    for sock in socks:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    time.sleep(0.5)
    for sock in socks:
        sock.sendall(b"a")  # still sending, but far too slowly
    results = [_closed_by_server(sock, within_s=3) for sock in socks]
    for sock in socks:
        sock.close()
    assert all(closed for closed, _ in results), "connections with slow headers stayed open"
    assert b"408" in results[0][1]
    # an idle connection that never sent a byte is closed as well
    idle = _connect(served.url)
    closed, said = _closed_by_server(idle, within_s=3)
    idle.close()
    assert closed
    assert said == b""
    assert httpx.get(f"{served.url}/health").status_code == 200


def test_huge_headers_are_refused(served: ServedApp) -> None:
    r = httpx.get(f"{served.url}/health", headers={"X-Big": "a" * 8_000_000}, timeout=30)
    assert r.status_code == 431
    assert r.json()["error"]["code"] == "headers_too_large"
    # ordinary headers (a long bearer key, cookies) pass
    assert httpx.get(f"{served.url}/health", headers={"X-Fine": "a" * 8000}).status_code == 200


def test_keep_alive_requests_and_large_bodies_still_work(
    served: ServedApp, admin: dict[str, str], make_org: Callable[..., int]
) -> None:
    org_id = make_org()
    with httpx.Client(base_url=served.url, headers=admin) as client:
        for _ in range(5):  # one connection, several requests
            assert client.get("/health").status_code == 200
        body = ("Angebots-ID;Titel;Kategorie\r\n" + "K1;Kurs;it_digital\r\n" * 30_000).encode()
        r = client.post(
            f"/api/v1/imports?dry_run=true&organisation_id={org_id}", content=body, timeout=60
        )
        assert r.status_code in (200, 422), r.text  # read whole, however it was chunked
        assert r.json().get("report", r.json())["format"] == "csv"  # a 422 carries the report


def test_a_trickling_body_gets_408(served: ServedApp, provider: dict[str, Any]) -> None:
    sock = _connect(served.url)
    sock.sendall(
        b"POST /api/v1/offers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: {provider['headers']['Authorization']}\r\n".encode()
        + b"Content-Length: 1000\r\n\r\n{"
    )
    started = time.monotonic()
    closed, said = _closed_by_server(sock, within_s=10)
    sock.close()
    assert closed
    assert said.startswith(b"HTTP/1.1 408"), said[:100]
    assert time.monotonic() - started < 6


def test_no_server_banner(served: ServedApp) -> None:
    for path in ("/health", "/api/v1/search?page=0", "/nowhere"):
        r = httpx.get(f"{served.url}{path}")
        assert "server" not in r.headers, (path, r.headers)


def test_an_aborted_upload_is_no_error(served: ServedApp, provider: dict[str, Any]) -> None:
    sock = _connect(served.url)
    sock.sendall(
        b"POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
        + f"Authorization: {provider['headers']['Authorization']}\r\n".encode()
        + b"Content-Length: 100000\r\n\r\nAngebots-ID;Titel\r\n"
    )
    time.sleep(0.5)
    sock.close()  # the client gives up half-way
    time.sleep(1)
    assert httpx.get(f"{served.url}/health").status_code == 200
    output = served.output()
    assert "Traceback" not in output, output
    assert "ERROR" not in output, output

"""Fetching a provider's file from a URL: http(s) only, no private addresses (checked where
each connection is made, app/services/public_addresses.py), bounded in size and time,
conditional (ETag / Last-Modified)."""

import hashlib
import ssl
import tempfile
import time
import zlib
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urljoin

import httpcore

from app.services.public_addresses import (
    AddressRefused,
    GuardedBackend,
    Network,
    OutboundError,
    address_allowed,
    check_url,
    parse_networks,
    redacted,
)

__all__ = [
    "AddressRefused",
    "FetchError",
    "Fetched",
    "address_allowed",
    "check_url",
    "fetch",
    "parse_networks",
    "redacted",
]

MAX_REDIRECTS = 5
# Files up to this size stay in memory while they arrive; larger ones go to a temp file.
SPOOL_BYTES = 8 * 1024 * 1024
USER_AGENT = b"Bildungsraum/1.0 (catalogue import; conditional GET)"

# The import side has always called it so.
FetchError = OutboundError


@dataclass
class Fetched:
    """A 200 with its body (a file positioned at 0, owned by the caller) or a 304."""

    status: int
    url: str
    body: IO[bytes] | None = None
    size: int = 0
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip() or None
    return None


class _Sink:
    """Collects the body (decoding gzip) and stops at the size limit and the deadline."""

    def __init__(self, *, limit: int, deadline: float, encoding: str | None) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self.size = 0
        self.limit = limit
        self.deadline = deadline
        self.digest = hashlib.sha256()
        self.gzip = zlib.decompressobj(wbits=31) if encoding == "gzip" else None

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(f"the file is larger than {self.limit:,} bytes; stopped there")
        self.digest.update(data)
        self.file.write(data)

    def write(self, chunk: bytes) -> None:
        if time.monotonic() > self.deadline:
            raise FetchError("the download took too long; stopped")
        if self.gzip is None:
            self._keep(chunk)
            return
        data = chunk
        try:
            while data:
                # Bounded output per call: a small compressed answer cannot unpack to gigabytes
                # before the limit is noticed.
                self._keep(self.gzip.decompress(data, self.limit - self.size + 1))
                data = self.gzip.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(f"the gzip-compressed answer is corrupt ({exc})") from None


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allowed: list[Network],
    max_bytes: int,
    timeout_s: float,
    connect_timeout_s: float,
) -> Fetched:
    """GET `url` (following up to 5 redirects, each checked); FetchError for anything but a
    200 or a 304 within the limits."""
    deadline = time.monotonic() + timeout_s
    headers = [
        (b"User-Agent", USER_AGENT),
        (b"Accept", b"application/xml, text/xml, application/json, */*;q=0.5"),
        (b"Accept-Encoding", b"gzip"),
    ]
    if etag:
        headers.append((b"If-None-Match", etag.encode("latin-1", "replace")))
    if last_modified:
        headers.append((b"If-Modified-Since", last_modified.encode("latin-1", "replace")))
    with httpcore.ConnectionPool(
        ssl_context=ssl.create_default_context(),
        # The whole pull, headers trickled byte by byte included, ends by the deadline.
        network_backend=GuardedBackend(
            allowed, setting="PULL_ALLOWED_NETWORKS", deadline=lambda: deadline
        ),
        retries=0,
        max_connections=1,
    ) as pool:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url)
            remaining = max(0.1, deadline - time.monotonic())
            timeouts = {
                "connect": min(connect_timeout_s, remaining),
                "read": remaining,
                "write": remaining,
                "pool": remaining,
            }
            try:
                with pool.stream(
                    "GET", url, headers=headers, extensions={"timeout": timeouts}
                ) as response:
                    location = _header(response.headers, b"location")
                    if response.status in (301, 302, 303, 307, 308) and location:
                        url = urljoin(url, location)
                        continue
                    return _answer(url, response, max_bytes=max_bytes, deadline=deadline)
            except FetchError:
                raise
            except httpcore.TimeoutException:
                raise FetchError(f"no complete answer within {timeout_s:g} s") from None
            except httpcore.UnsupportedProtocol:
                raise FetchError("only http and https URLs can be pulled") from None
            except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
                raise FetchError(f"the connection failed ({exc.__class__.__name__})") from None
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _answer(url: str, response: Any, *, max_bytes: int, deadline: float) -> Fetched:
    status = int(response.status)
    headers = response.headers
    if status == 304:
        return Fetched(status=304, url=url)
    if status != 200:
        raise FetchError(f"the server answered HTTP {status}")
    encoding = (_header(headers, b"content-encoding") or "identity").lower()
    if encoding not in ("identity", "gzip"):
        raise FetchError(f"the server sent {encoding!r}-encoded content; only gzip is read")
    declared = _header(headers, b"content-length")
    if encoding == "identity" and declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the file is larger than {max_bytes:,} bytes ({int(declared):,})")
    sink = _Sink(limit=max_bytes, deadline=deadline, encoding=encoding)
    try:
        for chunk in response.iter_stream():
            sink.write(chunk)
    except BaseException:
        sink.file.close()
        raise
    sink.file.seek(0)
    return Fetched(
        status=200,
        url=url,
        body=sink.file,
        size=sink.size,
        sha256=sink.digest.hexdigest(),
        etag=(_header(headers, b"etag") or "")[:500] or None,
        last_modified=(_header(headers, b"last-modified") or "")[:100] or None,
    )

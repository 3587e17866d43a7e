"""Fetching a provider's file from a URL: http(s) only, no private addresses, bounded in size
and time, conditional (ETag / Last-Modified).

The address is checked where the connection is made (a network backend for httpcore), not
only when the URL is read: a name that resolves to a public address when checked and to
127.0.0.1 a moment later (DNS rebinding), or a redirect to an internal host, meets the same
check. httpcore is used directly because httpx cannot take such a backend, and because it
reads no proxy variables that would route around the check.
"""

import hashlib
import ipaddress
import socket
import ssl
import tempfile
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore

MAX_REDIRECTS = 5
# Files up to this size stay in memory while they arrive; larger ones go to a temp file.
SPOOL_BYTES = 8 * 1024 * 1024
USER_AGENT = b"Bildungsraum/1.0 (catalogue import; conditional GET)"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """The file could not be fetched; the message says why in words for the source's report."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AddressRefused(FetchError):
    pass


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


def parse_networks(text: str) -> list[Network]:
    """`127.0.0.0/8, ::1` → networks; ValueError names a value that is not one."""
    networks: list[Network] = []
    for part in text.split(","):
        if part.strip():
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
    return networks


def address_allowed(address: Address, allowed: Iterable[Network]) -> bool:
    """Public unicast addresses, and whatever the operator listed explicitly."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return True
    return address.is_global and not address.is_multicast


def redacted(url: str) -> str:
    """The URL for logs and reports: no credentials, no query (it may carry a token)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_url(url: str) -> None:
    """What can be said about a URL before connecting: http(s), a host, no credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs can be pulled, not {parts.scheme or '?'}:")
    if not parts.hostname:
        raise FetchError("the URL names no host")
    if parts.username or parts.password:
        raise FetchError("credentials in the URL are refused; ask for a URL without them")


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself and connects only to an address that passes the check."""

    def __init__(self, allowed: list[Network]) -> None:
        self._allowed = allowed
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FetchError(
                f"the host {host} cannot be resolved ({exc.strerror or exc})"
            ) from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        usable = [a for a in addresses if address_allowed(a, self._allowed)]
        if not usable:
            raise AddressRefused(
                f"{host} is {addresses[0] if addresses else 'no address'}, a private, loopback "
                "or link-local address; such addresses are refused (see PULL_ALLOWED_NETWORKS)"
            )
        error: Exception | None = None
        for address in usable:
            try:
                # The checked address itself: TLS still verifies the certificate for `host`,
                # which httpcore passes as the server name.
                return self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise AddressRefused("unix sockets are refused")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


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
        network_backend=GuardedBackend(allowed),
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

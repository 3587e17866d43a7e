"""Outbound requests reach public addresses only: URL checks, and a connection backend that
refuses private, loopback and link-local addresses (scheduled pulls and webhooks share it).

The address is checked where the connection is made (a network backend for httpcore), not
only when the URL is read: a name that resolves to a public address when checked and to
127.0.0.1 a moment later (DNS rebinding), or a redirect to an internal host, meets the same
check. httpcore is used directly because httpx cannot take such a backend, and because it
reads no proxy variables that would route around the check.
"""

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpcore

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundError(Exception):
    """The request could not be made or answered; the message says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AddressRefused(OutboundError):
    pass


class ResolveTimeout(OutboundError):
    """The resolver did not answer in time: nothing is known about the host yet."""


def parse_networks(text: str) -> list[Network]:
    """`127.0.0.0/8, ::1` → networks; ValueError names a value that is not one."""
    networks: list[Network] = []
    for part in text.split(","):
        if part.strip():
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
    return networks


# IPv6 prefixes whose addresses carry an IPv4 address a gateway forwards to (RFC 6052's
# NAT64 well-known prefix): judged by that IPv4 address.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: mapped, 6to4, Teredo's client, NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_allowed(address: Address, allowed: Iterable[Network]) -> bool:
    """Public unicast addresses, and whatever the operator listed explicitly. An IPv6 address
    that carries an IPv4 address (6to4, NAT64, Teredo, mapped) is judged by that one: a
    gateway would deliver `[2002:7f00:1::]` or `[64:ff9b::7f00:1]` to 127.0.0.1."""
    if isinstance(address, ipaddress.IPv6Address):
        address = _carried_ipv4(address) or address
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
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading it validates it: "host:99999" raises ValueError
    except ValueError as exc:
        raise OutboundError(f"not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise OutboundError(f"only http and https URLs are accepted, not {parts.scheme or '?'}:")
    if not parts.hostname:
        raise OutboundError("the URL names no host")
    if parts.username or parts.password:
        raise OutboundError("credentials in the URL are refused; ask for a URL without them")


def host_addresses(host: str) -> list[Address]:
    """The addresses the system resolver gives for a host name; waits as long as it does."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise OutboundError(f"the host {host} cannot be resolved ({reason})") from exc
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


def resolve_host(host: str, *, timeout_s: float | None) -> list[Address]:
    """`host_addresses`, given up after `timeout_s` (ResolveTimeout); None waits for good.

    getaddrinfo cannot be interrupted, so a lookup with a deadline runs on a thread of its
    own, which the caller stops waiting for: a name whose resolver never answers holds that
    thread until the system resolver gives up (seconds), and no lookup of another name waits
    behind it, as it would in a shared pool."""
    if timeout_s is None:
        return host_addresses(host)
    outcome: list[list[Address] | BaseException] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            outcome.append(host_addresses(host))
        except BaseException as exc:  # raised again in the caller, as a plain call would
            outcome.append(exc)
        finally:
            done.set()

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    if not done.wait(timeout_s):
        raise ResolveTimeout(
            f"the host {host} could not be resolved within {timeout_s:g} s; please try again"
        )
    found = outcome[0]
    if isinstance(found, BaseException):
        raise found
    return found


def refuse_private_target(
    url: str, allowed: list[Network], *, resolve: bool, resolve_timeout_s: float | None = None
) -> None:
    """Refuse a URL whose host is (or, with `resolve`, resolves to) an address that is not
    public, unless listed in `allowed`; a lookup slower than `resolve_timeout_s` raises
    ResolveTimeout. Connections are checked again when made."""
    check_url(url)
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        addresses: list[Address] = [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return
        addresses = resolve_host(host, timeout_s=resolve_timeout_s)
    for address in addresses:
        if not address_allowed(address, allowed):
            raise AddressRefused(
                f"{host} is {address}, a private, loopback or link-local address; "
                "such URLs are refused"
            )


Deadline = Callable[[], float | None]


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes end by the deadline of the request in progress
    (`time.monotonic()`): httpcore's timeouts hold per read, and a peer that sends a byte
    now and then would hold the caller for good."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def _left(self, timeout: float | None, error: type[Exception]) -> float | None:
        deadline = self._deadline()
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise error("the answer did not arrive in time")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, self._left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself and connects only to an address that passes the check. With
    `deadline`, each request ends by the time it returns, however its peer trickles."""

    def __init__(
        self, allowed: list[Network], *, setting: str, deadline: Deadline | None = None
    ) -> None:
        self._allowed = allowed
        self._setting = setting  # named in the refusal: where to allow a network
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        # The lookup too ends within the connect timeout: a receiver's name server that never
        # answers holds neither the sending thread nor the endpoint's lease.
        addresses = resolve_host(host, timeout_s=timeout)
        usable = [a for a in addresses if address_allowed(a, self._allowed)]
        if not usable:
            raise AddressRefused(
                f"{host} is {addresses[0] if addresses else 'no address'}, a private, loopback "
                f"or link-local address; such addresses are refused (see {self._setting})"
            )
        error: Exception | None = None
        for address in usable:
            try:
                # The checked address itself: TLS still verifies the certificate for `host`,
                # which httpcore passes as the server name.
                stream = self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return stream if self._deadline is None else _DeadlineStream(stream, self._deadline)
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

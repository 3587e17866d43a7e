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
from collections.abc import Iterable
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


def refuse_private_target(url: str, allowed: list[Network], *, resolve: bool) -> None:
    """Refuse a URL whose host is (or, with `resolve`, resolves to) an address that is not
    public, unless listed in `allowed`. Connections are checked again when made."""
    check_url(url)
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        addresses: list[Address] = [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError) as exc:
            raise OutboundError(f"the host {host} cannot be resolved") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    for address in addresses:
        if not address_allowed(address, allowed):
            raise AddressRefused(
                f"{host} is {address}, a private, loopback or link-local address; "
                "such URLs are refused"
            )


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself and connects only to an address that passes the check."""

    def __init__(self, allowed: list[Network], *, setting: str) -> None:
        self._allowed = allowed
        self._setting = setting  # named in the refusal: where to allow a network
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
            raise OutboundError(
                f"the host {host} cannot be resolved ({exc.strerror or exc})"
            ) from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
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

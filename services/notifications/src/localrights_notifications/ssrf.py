"""Webhook targets must be globally reachable addresses (SSRF).

Private, loopback, link-local, shared (CGNAT, cloud metadata), documentation, multicast and
reserved addresses are refused, and so is an IPv6 address that embeds one of them. Checked
when a subscription is saved or its url changed (a clear 422), and at every connection
through ``GuardedResolver``, because a name can resolve elsewhere later (DNS rebinding).
Only hosts in the explicit allow-list (``NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS``) escape it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Collection
from functools import lru_cache
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from localrights_notifications.exceptions import UnsafeWebhookUrl

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# The IANA special-purpose ranges whose "Globally Reachable" is False, listed here as well as
# asked of ``is_global``: Python's own table differs between patch releases (3.11.7 calls
# 64:ff9b:1::/48 and 192.0.0.0/24 global; releases from 3.11.10 and 3.12.4 do not).
_NOT_GLOBAL_V4 = tuple(
    _V4(network)
    for network in (
        "0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 "
        "192.0.0.0/24 192.0.2.0/24 192.88.99.0/24 192.168.0.0/16 198.18.0.0/15 "
        "198.51.100.0/24 203.0.113.0/24 224.0.0.0/4 240.0.0.0/4"
    ).split()
)
_NOT_GLOBAL_V6 = tuple(
    _V6(network)
    for network in (
        "64:ff9b:1::/48 100::/64 100:0:0:1::/64 2001::/23 2001:db8::/32 3fff::/20 5f00::/16 "
        "fc00::/7 fe80::/10 fec0::/10 ff00::/8"
    ).split()
)
# Global unicast IPv6 is allocated from 2000::/3 only; the rest is reserved by the IETF.
_GLOBAL_UNICAST_V6 = _V6("2000::/3")
# Forms that carry an IPv4 address: the IPv4 is where the packets go, so it decides.
_IPV4_COMPATIBLE = _V6("::/96")  # deprecated, but a stack may still route it to the IPv4
_NAT64 = _V6("64:ff9b::/96")  # the well-known prefix (RFC 6052); 64:ff9b:1::/48 is local


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address stands for, or None if it stands for none."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        server, client = address.teredo
        return [server, client]
    return None


def is_public_address(address: IPAddress) -> bool:
    """Whether ``address`` is globally reachable (IANA special-purpose registries).

    An IPv6 address that embeds IPv4 (IPv4-mapped or -compatible, 6to4, Teredo, NAT64's
    well-known prefix) is public only when every IPv4 inside it is: 2002:7f00:1::1 is
    127.0.0.1 seen through a 6to4 relay.
    """
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Address(int(address))  # without a zone (fe80::1%eth0)
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return all(is_public_address(v4) for v4 in embedded)
        return (
            address.is_global
            and address in _GLOBAL_UNICAST_V6
            and not any(address in network for network in _NOT_GLOBAL_V6)
        )
    return (
        address.is_global
        and not address.is_multicast
        and not any(address in network for network in _NOT_GLOBAL_V4)
    )


def is_forbidden_address(address: IPAddress) -> bool:
    """Whether a webhook may not be sent to ``address``: it is not globally reachable."""
    return not is_public_address(address)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def check_webhook_url(url: str, *, allowed_hosts: Collection[str]) -> None:
    """Raise UnsafeWebhookUrl unless the URL's host is public or allow-listed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeWebhookUrl("only http and https urls are allowed")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeWebhookUrl("the url has no host")
    if host in {h.lower() for h in allowed_hosts}:
        return
    literal = _literal(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or 443, type=socket.SOCK_STREAM
            )
        except OSError:
            raise UnsafeWebhookUrl(f"{host} does not resolve") from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    bad = sorted({str(a) for a in addresses if is_forbidden_address(a)})
    if bad:
        raise UnsafeWebhookUrl(
            f"{host} resolves to an address that is not public ({', '.join(bad)})"
        )


class ForbiddenAddress(OSError):
    """A webhook host resolved only to addresses we may not call."""


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that drops forbidden addresses unless the host is allow-listed."""

    def __init__(self, allowed_hosts: Collection[str]) -> None:
        self._allowed = {h.lower() for h in allowed_hosts}
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if host.lower() in self._allowed:
            return results
        safe = [r for r in results if not is_forbidden_address(ipaddress.ip_address(r["host"]))]
        if not safe:
            raise ForbiddenAddress(f"{host} resolves only to forbidden addresses")
        return safe

    async def close(self) -> None:
        await self._inner.close()


@lru_cache(maxsize=4096)
def forbidden_host(host: str, allowed_hosts: frozenset[str]) -> bool:
    """True for a URL host that is a forbidden IP literal (aiohttp skips resolvers for those).

    Cached per host: a fan-out asks it for every delivery, mostly of a few hosts.
    """
    host = host.lower()
    if host in allowed_hosts:
        return False
    literal = _literal(host)
    return literal is not None and is_forbidden_address(literal)

"""Webhook targets may not reach private, loopback or link-local addresses (SSRF).

Checked twice: when a subscription is saved (a clear 422), and at every connection through
``GuardedResolver``, because a name can resolve elsewhere later (DNS rebinding).
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


def is_forbidden_address(address: IPAddress) -> bool:
    """Private, loopback, link-local, multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


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
            f"{host} resolves to a private, loopback or link-local address ({', '.join(bad)})"
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

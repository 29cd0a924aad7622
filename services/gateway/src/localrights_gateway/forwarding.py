"""Who the client is when proxies stand between it and the gateway.

A resident's address decides their rate limits and, hashed with the User-Agent, the
pseudonymous client key that caps responses per device. So it must not be whatever a
client writes in ``X-Forwarded-For``:

- The TCP peer is the client, unless the peer is one of ``GATEWAY_TRUSTED_PROXIES`` (IP
  addresses or CIDR networks; none by default).
- From a trusted peer, ``X-Forwarded-For`` is read from the right: each proxy appends the
  address it received the request from, so the entries added by trusted proxies are true
  and anything left of them may be forged. The right-most address that is not a trusted
  proxy is the client.
- The gateway's own pages call its API over loopback on a resident's behalf; they vouch for
  the resident's address with a MAC under a key derived from the gateway's secret, which no
  client can forge (``X-Localrights-Client``, never forwarded to a service).

uvicorn must hand the gateway the real peer: run it with ``--no-proxy-headers``, or its
default (trust ``X-Forwarded-For`` from 127.0.0.1) would rewrite the peer before the
gateway sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Sequence

from pydantic import IPvAnyNetwork

VOUCHED_CLIENT_HEADER = "x-localrights-client"


class ClientAddresses:
    """Resolves a request's client address from its peer and forwarding headers."""

    def __init__(self, trusted_proxies: Sequence[IPvAnyNetwork], vouch_key: bytes) -> None:
        self._trusted = tuple(ipaddress.ip_network(str(net)) for net in trusted_proxies)
        self._key = vouch_key

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def resolve(
        self, peer: str | None, forwarded_for: Iterable[str], vouched: str | None = None
    ) -> str:
        """The client's address: vouched for by our pages, forwarded by trusted proxies, or
        the peer."""
        if vouched is not None:
            address = self._vouched_address(vouched)
            if address is not None:
                return address
        if peer is None:
            return "unknown"
        if not self._trusted or not self.is_trusted(peer):
            return peer
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
        client = peer
        for hop in reversed([hop for hop in hops if hop]):
            client = hop
            if not self.is_trusted(hop):
                break
        return client

    def vouch(self, address: str) -> str:
        """The header value by which our pages name the resident they call for."""
        return f"{address};{self._mac(address)}"

    def _vouched_address(self, value: str) -> str | None:
        address, _, mac = value.rpartition(";")
        if address and hmac.compare_digest(mac, self._mac(address)):
            return address
        return None

    def _mac(self, address: str) -> str:
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()

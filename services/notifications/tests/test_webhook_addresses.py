"""Which addresses a webhook may reach: globally reachable ones only (SSRF).

One table: the issue's two addresses, then every family of address that is not public,
then the IPv6 forms that carry an IPv4 address (judged by the IPv4 inside).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from uuid import uuid4

import pytest

from localrights_notifications.ssrf import ForbiddenAddress, GuardedResolver, is_public_address

from .conftest import Service, Sink
from .test_dispatch import delivery_report, until_counts

NOT_PUBLIC = [
    # The outside probe's finds: shared address space (a cloud's metadata service) and
    # 127.0.0.1 behind the 6to4 prefix.
    "100.100.100.200",
    "2002:7f00:1::1",
    # IPv4
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "100.64.0.1",
    "100.127.255.254",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.9",
    "192.0.0.170",
    "192.0.2.10",
    "192.88.99.1",
    "192.168.1.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.5",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    # IPv6
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "fec0::1",
    "fc00::1",
    "fd12:3456:789a::1",
    "ff02::1",
    "ff0e::1",
    "2001:db8::1",
    "3fff::1",
    "100::1",
    "5f00::1",
    "2001:2::1",
    "64:ff9b:1::a00:1",  # local-use NAT64 prefix: not globally reachable whatever it embeds
    "64:ff9b:1::808:808",
    "4000::1",  # outside 2000::/3: reserved
    # IPv4 inside IPv6
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:100.100.100.200",
    "::127.0.0.1",
    "::10.0.0.1",
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:6464:64c8::1",  # 6to4 of 100.100.100.200
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo, client 192.0.2.45
    "2001:0:a00:1:0:0:f5ff:fffe",  # Teredo, server 10.0.0.1
]

PUBLIC = [
    "8.8.8.8",
    "93.184.216.34",
    "1.1.1.1",
    "100.63.255.255",
    "100.128.0.1",
    "172.32.0.1",
    "2606:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_addresses_that_are_not_public_are_refused(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_globally_reachable_addresses_are_allowed(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def _url(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}/hook"


class TestAtTheApi:
    @pytest.mark.parametrize(
        "address", ["100.100.100.200", "2002:7f00:1::1", "64:ff9b::7f00:1", "::ffff:10.0.0.1"]
    )
    async def test_creation_is_refused(self, service: Service, address: str) -> None:
        response = await service.client.post(
            "/api/v1/subscriptions",
            json={"channel": "webhook", "url": _url(address)},
            headers=service.officer(uuid4()),
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["location"] == "url"

    @pytest.mark.parametrize("address", ["100.100.100.200", "2002:7f00:1::1"])
    async def test_an_update_is_refused(self, service: Service, sink: Sink, address: str) -> None:
        institution = uuid4()
        created = await service.subscribe(institution, channel="webhook", url=sink.url("/a"))
        response = await service.client.patch(
            f"/api/v1/subscriptions/{created['id']}",
            json={"url": _url(address)},
            headers=service.officer(institution),
        )
        assert response.status_code == 422, response.text
        kept = await service.client.get(
            f"/api/v1/subscriptions/{created['id']}", headers=service.officer(institution)
        )
        assert kept.json()["url"] == sink.url("/a")

    async def test_an_allow_listed_host_is_accepted(self, start_service: Any) -> None:
        async with start_service(webhook_allowed_hosts=["100.100.100.200"]) as service:
            created = await service.subscribe(
                uuid4(), channel="webhook", url=_url("100.100.100.200")
            )
        assert created["url"] == _url("100.100.100.200")


class TestBeforeEachCall:
    async def test_stored_targets_that_are_not_public_are_never_called(
        self, start_service: Any
    ) -> None:
        targets = [_url("100.100.100.200"), _url("2002:7f00:1::1")]
        allowed = ["100.100.100.200", "[2002:7f00:1::1]", "2002:7f00:1::1"]
        async with start_service(webhook_allowed_hosts=allowed) as service:
            for url in targets:
                await service.subscribe(uuid4(), channel="webhook", url=url)
        # The operator empties the allow-list: the stored targets are refused at the call,
        # at once and for good, without a connection being tried.
        async with start_service(webhook_allowed_hosts=[]) as service:
            alert = await service.publish()
            await until_counts(service, alert["id"], {"dead": 2})
            items = (await delivery_report(service, alert["id"]))["items"]
        assert [(d["attempts"], d["last_error"]) for d in items] == [(1, "forbidden address")] * 2

    @pytest.mark.parametrize(
        ("host", "family"),
        [("100.100.100.200", socket.AF_INET), ("2002:7f00:1::1", socket.AF_INET6)],
    )
    async def test_the_resolver_drops_addresses_that_are_not_public(
        self, host: str, family: socket.AddressFamily
    ) -> None:
        resolver = GuardedResolver(allowed_hosts=[])
        try:
            with pytest.raises(ForbiddenAddress):
                await resolver.resolve(host, 80, family)
        finally:
            await resolver.close()

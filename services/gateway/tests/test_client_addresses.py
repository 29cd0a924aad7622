"""Who a client is: X-Forwarded-For counts only from trusted proxies, read from the right."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from gateway_testkit import GatewayFactory

from localrights.testing.helpers import running_app
from localrights_gateway.forwarding import VOUCHED_CLIENT_HEADER, ClientAddresses
from localrights_gateway.main import create_app

KEY = b"k" * 32


def _resolve(trusted: list[str], peer: str, *forwarded: str) -> str:
    addresses = ClientAddresses([ipaddress.ip_network(n) for n in trusted], KEY)
    return addresses.resolve(peer, list(forwarded))


class TestResolve:
    def test_no_proxy_is_trusted_by_default(self) -> None:
        assert _resolve([], "127.0.0.1", "198.51.100.7") == "127.0.0.1"

    def test_an_untrusted_peer_is_the_client(self) -> None:
        assert _resolve(["10.0.0.0/8"], "192.0.2.1", "198.51.100.7") == "192.0.2.1"

    def test_the_right_most_untrusted_hop_is_the_client(self) -> None:
        # The left entry was written by the client itself; the load balancer appended the rest.
        assert _resolve(["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 203.0.113.7") == "203.0.113.7"

    def test_trusted_hops_are_skipped(self) -> None:
        chain = ("203.0.113.7, 10.1.2.3", "10.0.0.9")  # two headers, read as one list
        assert _resolve(["10.0.0.0/8"], "10.0.0.2", *chain) == "203.0.113.7"

    def test_a_chain_of_trusted_hops_only_gives_the_left_most(self) -> None:
        assert _resolve(["10.0.0.0/8"], "10.0.0.2", "10.0.0.5, 10.0.0.6") == "10.0.0.5"

    def test_a_trusted_peer_without_the_header_is_the_client(self) -> None:
        assert _resolve(["::1", "127.0.0.1"], "::1") == "::1"

    def test_a_vouched_address_needs_our_mac(self) -> None:
        addresses = ClientAddresses([], KEY)
        vouched = addresses.vouch("198.51.100.7")
        assert addresses.resolve("127.0.0.1", [], vouched) == "198.51.100.7"
        forged = "198.51.100.8;" + vouched.rpartition(";")[2]
        assert addresses.resolve("127.0.0.1", [], forged) == "127.0.0.1"
        other_key = ClientAddresses([], b"o" * 32).vouch("198.51.100.7")
        assert addresses.resolve("127.0.0.1", [], other_key) == "127.0.0.1"


@asynccontextmanager
async def _gateway(
    gateway_settings: GatewayFactory, **overrides: object
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """Clients of one running gateway, by peer address."""
    app = create_app(await gateway_settings(**overrides))
    async with running_app(app):
        clients = {
            peer: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=(peer, 40000)),
                base_url="http://gateway",
                headers={"User-Agent": "the same phone"},
            )
            for peer in ("127.0.0.1", "10.0.0.2", "203.0.113.7")
        }
        try:
            yield clients
        finally:
            for client in clients.values():
                await client.aclose()


async def _client_key(client: httpx.AsyncClient, **headers: str) -> str:
    """The pseudonymous client key the gateway gave the service for this call."""
    response = await client.get("/api/v1/consultations/x", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["principal"]["client"])


class TestThroughTheGateway:
    async def test_fresh_forwarded_addresses_from_one_peer_are_one_client(
        self, gateway_settings: GatewayFactory
    ) -> None:
        async with _gateway(gateway_settings) as clients:
            local = clients["127.0.0.1"]
            keys = {
                await _client_key(local, **{"X-Forwarded-For": f"198.51.100.{n}"})
                for n in range(1, 6)
            }
            keys.add(await _client_key(local, **{VOUCHED_CLIENT_HEADER: "198.51.100.9;00"}))
            assert keys == {await _client_key(local)}

    async def test_behind_a_trusted_proxy_the_forwarded_client_is_the_client(
        self, gateway_settings: GatewayFactory
    ) -> None:
        async with _gateway(gateway_settings, trusted_proxies="10.0.0.0/8") as clients:
            direct = await _client_key(clients["203.0.113.7"])
            forwarded = await _client_key(
                clients["10.0.0.2"], **{"X-Forwarded-For": "6.6.6.6, 203.0.113.7"}
            )
            assert forwarded == direct
            # The same header from a peer that is not a trusted proxy is not believed.
            spoofed = await _client_key(clients["127.0.0.1"], **{"X-Forwarded-For": "203.0.113.7"})
            assert spoofed != direct

    async def test_the_client_key_is_of_the_address_the_agent_and_this_gateways_secret(
        self, gateway_settings: GatewayFactory
    ) -> None:
        long_agent = "a phone " + "x" * 600  # too long to be kept: hashed every call
        async with _gateway(gateway_settings) as clients:
            phone = clients["203.0.113.7"]
            first = [await _client_key(phone) for _ in range(2)]
            other_agent = await _client_key(phone, **{"User-Agent": "another phone"})
            other_peer = await _client_key(clients["127.0.0.1"])
            long = [await _client_key(phone, **{"User-Agent": long_agent}) for _ in range(2)]
        async with _gateway(gateway_settings, jwt_secret="another secret " * 4) as clients:
            elsewhere = await _client_key(clients["203.0.113.7"])
        assert first[0] == first[1]
        assert long[0] == long[1]
        assert len({first[0], other_agent, other_peer, long[0], elsewhere}) == 5

    async def test_fresh_forwarded_addresses_do_not_escape_the_rate_limit(
        self, gateway_settings: GatewayFactory
    ) -> None:
        async with _gateway(gateway_settings, rate_limit_default="3/minute") as clients:
            statuses = []
            for n in range(5):
                response = await clients["127.0.0.1"].get(
                    "/api/v1/consultations/x", headers={"X-Forwarded-For": f"198.51.100.{n}"}
                )
                statuses.append(response.status_code)
            assert statuses == [200, 200, 200, 429, 429]
            assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", []), ("10.0.0.0/8", ["10.0.0.0/8"]), ("127.0.0.1, ::1", ["127.0.0.1/32", "::1/128"])],
)
async def test_trusted_proxies_are_read_from_a_comma_separated_variable(
    gateway_settings: GatewayFactory,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    expected: list[str],
) -> None:
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", value)
    settings = await gateway_settings()
    assert [str(network) for network in settings.trusted_proxies] == expected


class TestHeadersReadFromTheScope:
    """deps reads headers straight from the scope: the same values as Starlette's Headers."""

    RAW = [
        (b"x-forwarded-for", b"198.51.100.7, 10.0.0.2"),
        (b"user-agent", b"Caf\xe9/1"),  # latin-1, as ASGI hands it over
        (b"x-forwarded-for", b"10.0.0.3"),
        (b"authorization", b""),
    ]

    @pytest.mark.parametrize(
        "name", ["x-forwarded-for", "user-agent", "authorization", "x-api-key"]
    )
    def test_the_same_as_starlettes_headers(self, name: str) -> None:
        from starlette.datastructures import Headers

        from localrights_gateway.deps import header_value, header_values

        scope = {"type": "http", "headers": self.RAW}
        headers = Headers(scope=scope)
        assert header_value(scope, name.encode()) == headers.get(name)
        assert header_values(scope, name.encode()) == headers.getlist(name)

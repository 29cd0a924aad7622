"""Ports for the embedded servers and the services a stack starts, and the embedded
PostgreSQL's restarts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from localrights.embedded import EmbeddedPostgres, ephemeral_port_range, free_port


def test_free_ports_handed_out_in_one_process_are_all_different() -> None:
    ports = [free_port() for _ in range(2000)]
    assert len(set(ports)) == len(ports)


def test_free_ports_are_below_the_range_outgoing_connections_take_theirs_from() -> None:
    """A port in that range could become a connection's own source port before the server
    binds it: a health check then connects to itself and reads its request as the answer."""
    low, _ = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    assert ephemeral_port_range()[0] == int(low)
    assert all(free_port() < int(low) for _ in range(500))


async def answers(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT 1"))
    finally:
        await connection.close()


def test_a_restart_works_after_another_pytest_run_closed_the_temporary_directory(
    tmp_path: Path,
) -> None:
    """A pytest run that begins sets /tmp/pytest-of-<user> to 0o700; as root the server runs
    as its own user, who must still reach its data directory when a fault test restarts it."""
    closed = tmp_path / "closed"
    closed.mkdir()
    postgres = EmbeddedPostgres(closed / "pgdata")
    postgres.start()
    try:
        postgres.stop("fast")
        closed.chmod(0o700)
        postgres.start()
        assert asyncio.run(answers(postgres.url)) == 1
    finally:
        postgres.stop("immediate")

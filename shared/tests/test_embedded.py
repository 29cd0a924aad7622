"""Ports for the embedded servers and the services a stack starts."""

from __future__ import annotations

from localrights.embedded import free_port


def test_free_ports_handed_out_in_one_process_are_all_different() -> None:
    ports = [free_port() for _ in range(2000)]
    assert len(set(ports)) == len(ports)

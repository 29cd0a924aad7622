"""Which of the launcher's ports are taken, and by what, said before anything starts.

A platform left running (by an older launcher, or another checkout's) would otherwise make
`make up` fail half-way, or worse, leave the new gateway talking to the old services.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Mapping

import psutil


def ports_taken(ports: Mapping[str, int], host: str = "127.0.0.1") -> list[str]:
    """One sentence per port of ``ports`` (service -> port) that cannot be listened on."""
    return [
        f"port {port} ({service}) is taken by {owner_of(port)}"
        for service, port in ports.items()
        if not _free(host, port)
    ]


def _free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: a socket in TIME_WAIT from a stopped run does not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def owner_of(port: int) -> str:
    """The listening process, as "pid 1234 (python: uvicorn ... localrights_gateway...)"."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:
        connections = []
    pids = {
        c.pid
        for c in connections
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid
    }
    if not pids:
        return f"a process this user cannot see (as root: ss -ltnp 'sport = :{port}')"
    return ", ".join(_describe(pid) for pid in sorted(pids))


def _describe(pid: int) -> str:
    try:
        process = psutil.Process(pid)
        command = " ".join(process.cmdline()) or process.name()
    except psutil.Error:
        return f"pid {pid}"
    if len(command) > 160:
        command = command[:157] + "..."
    return f"pid {pid} ({command})"

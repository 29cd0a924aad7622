"""The launcher (deploy/launch.py up): its processes end with it, however it ends, and a
port it needs that is taken is named, with its process, before anything starts."""

from __future__ import annotations

import os
import queue
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from launch import demo_env, http_ok, service_ports
from ports import ports_taken

from localrights.embedded import ephemeral_port_range

ROOT = Path(__file__).resolve().parent.parent
LAUNCH = ROOT / "deploy" / "launch.py"


def free_base_port() -> int:
    """A port whose next three are free too (the launcher's four), below the ephemeral range
    (see ``localrights.embedded.free_port``)."""
    for _ in range(200):
        base = random.randrange(20000, ephemeral_port_range()[0] - 4)
        if not ports_taken(service_ports(base)):
            return base
    raise RuntimeError("no four free consecutive ports")


def test_a_health_check_answered_with_something_not_http_is_not_healthy_yet() -> None:
    """What a health check reads when it connected to itself: its own request line."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def echo_the_request_line() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.sendall(connection.recv(65536).split(b"\r\n")[0] + b"\r\n\r\n")

        echo = threading.Thread(target=echo_the_request_line)
        echo.start()
        assert http_ok(f"http://127.0.0.1:{port}/healthz") is False
        echo.join()


def test_a_taken_port_is_named_with_its_process_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                str(LAUNCH),
                "up",
                "--run-dir",
                str(tmp_path / "run"),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    assert done.returncode == 1
    assert f"Cannot start: port {port} (gateway) is taken by pid {os.getpid()} (" in done.stderr
    assert "pytest" in done.stderr, "the holder's command line names it"
    assert not (tmp_path / "run").exists(), "nothing was started"


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE  # dead, its new parent not reaping
    except psutil.NoSuchProcess:
        return True


def _command(process: psutil.Process) -> str:
    """The process's command line, for a message: it may end while it is being named."""
    try:
        return " ".join(process.cmdline())[:80]
    except psutil.NoSuchProcess:
        return f"pid {process.pid} (ended just now)"


@pytest.mark.stack
def test_killing_the_launcher_ends_every_process_it_started(tmp_path: Path) -> None:
    base = free_base_port()
    launcher = subprocess.Popen(
        [sys.executable, str(LAUNCH), "up", "--run-dir", str(tmp_path / "run")]
        + ["--base-port", str(base)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    output: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(launcher.stdout, output), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 240
    try:
        while not any("Localrights is running." in line for line in seen):
            assert time.monotonic() < deadline, "".join(seen)
            assert launcher.poll() is None, "".join(seen)
            try:
                seen.append(output.get(timeout=1))
            except queue.Empty:
                continue
        started = psutil.Process(launcher.pid).children(recursive=True)
        commands = [" ".join(p.cmdline()) for p in started]
        for part in (
            "postgres -D",
            "tansu",
            "localrights_gateway.main",
            "localrights_notifications.main",
        ):
            assert any(part in command for command in commands), (part, commands)
        assert ports_taken(service_ports(base)), "the services listen"
    finally:
        launcher.kill()  # kill -9: no handler, no cleanup of its own
        launcher.wait()

    deadline = time.monotonic() + 30
    while not all(_gone(p) for p in started) or ports_taken(service_ports(base)):
        if time.monotonic() >= deadline:
            left = [_command(p) for p in started if not _gone(p)]
            raise AssertionError(f"still running: {left}; {ports_taken(service_ports(base))}")
        time.sleep(0.2)


def test_up_with_demo_data_trusts_loopback_to_name_each_demo_resident() -> None:
    """The demo loader answers as 48 residents from loopback, each naming its address in
    X-Forwarded-For: without loopback trusted the per-address limit refused the 31st, and
    `make up` stopped; an operator's own setting is left alone."""
    assert demo_env({}) == {"GATEWAY_TRUSTED_PROXIES": "127.0.0.1"}
    assert demo_env({"GATEWAY_TRUSTED_PROXIES": "10.0.0.0/8"}) == {}

"""bench/gateway_overhead.py reads each server's CPU time: it grows with work, not with waiting."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from gateway_overhead import ServiceProcess, cpu_seconds  # noqa: E402

# Half a second of CPU time, then a wait: a server that worked, then idled.
_WORK_THEN_WAIT = (
    "import time\n"
    "start = time.process_time()\n"
    "while time.process_time() - start < 0.5: pass\n"
    "print('done', flush=True)\n"
    "time.sleep(30)\n"
)


def test_cpu_time_counts_work_and_not_waiting() -> None:
    with tempfile.TemporaryDirectory() as logs:
        server = ServiceProcess("busy", 0, {}, Path(logs) / "busy.log")
        server.process = subprocess.Popen(
            [sys.executable, "-c", _WORK_THEN_WAIT], stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.process.stdout is not None
            assert server.process.stdout.readline().strip() == "done"
            worked = cpu_seconds(server)
            time.sleep(0.3)
            waited = cpu_seconds(server) - worked
        finally:
            server.process.kill()
            server.process.wait()
    assert worked >= 0.45
    assert waited < 0.05

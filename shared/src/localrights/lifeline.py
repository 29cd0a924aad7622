"""Child processes that end with the process that started them, even when it is killed -9.

The launcher and the test fixtures start PostgreSQL, the broker and the services in
sessions of their own (so a Ctrl-C in the terminal reaches only the launcher, which stops
them in order). A launcher killed outright (kill -9, a closed terminal, a CI timeout)
would then leave them running, holding their ports. On Linux each child is therefore
started through a few lines of Python that ask the kernel to signal it when its parent
dies (``prctl(PR_SET_PDEATHSIG)``) and then ``exec`` the real program, which keeps the
setting and the process id. No ``preexec_fn``: Python code between fork and exec can
deadlock in a process with threads.

The kernel's "parent" is the thread that started the child: start tied children from a
thread that lives as long as they should (the main thread, or a thread pool's).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

_PR_SET_PDEATHSIG = 1

# argv: -c PARENT_PID SIGNAL USER COMMAND... The user is switched to first (the kernel
# clears the setting on a change of user); a parent already gone before prctl took effect
# would never send the signal, hence the check after it.
_TIED_EXEC = f"""
import ctypes, os, pwd, sys
parent, signum, user, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
if user:
    entry = pwd.getpwnam(user)
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
ctypes.CDLL(None, use_errno=True).prctl({_PR_SET_PDEATHSIG}, signum, 0, 0, 0)
if os.getppid() != parent:
    sys.exit("the parent is gone: not starting")
os.execvp(command[0], command)
"""


def supported() -> bool:
    return sys.platform.startswith("linux")


def start_tied(
    argv: Sequence[str],
    *,
    death_signal: int = signal.SIGTERM,
    user: str | None = None,
    **popen: Any,
) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(argv, user=user, **popen)``, whose process receives
    ``death_signal`` when this process dies (on Linux; a plain Popen elsewhere)."""
    if not supported():
        if user is not None:
            popen["user"] = user
        return subprocess.Popen(list(argv), **popen)
    tied = [sys.executable, "-I", "-c", _TIED_EXEC, str(os.getpid()), str(int(death_signal))]
    return subprocess.Popen([*tied, user or "", *argv], **popen)


def tie_to_parent(death_signal: int = signal.SIGTERM) -> None:
    """Receive ``death_signal`` when this process's own parent dies (a wrapper such as
    ``uv run`` killed -9 must not leave the launcher and its children running)."""
    if supported():
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)

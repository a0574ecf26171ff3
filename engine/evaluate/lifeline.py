"""Worker processes that end with the process that started them, however it ends.

A run stopped by Ctrl-C stops its workers itself; a run killed outright
(SIGKILL, the out-of-memory killer, a closed terminal) cannot. Without this,
its workers live on under PID 1, each holding its copy of the ledger, for
ever. So every worker calls :func:`die_with_parent` first:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker
  the moment its parent ends;
- elsewhere (or if that call fails), a daemon thread in the worker polls its
  parent's process id once a second and ends the worker when it changes.

Both then check at once whether the parent already died before the call.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

__all__ = ["die_with_parent"]

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 1.0


def _kernel_kills_us_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def die_with_parent(parent: int) -> None:
    """End this (worker) process when ``parent`` ends: by the kernel on Linux, else by a watchdog thread."""
    if not _kernel_kills_us_with_parent():
        threading.Thread(target=_watch, args=(parent,), name="duban-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent ended before we could ask
        os._exit(1)

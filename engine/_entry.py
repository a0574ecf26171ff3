"""The `duban` console script: imports the command line, so that Ctrl-C during start-up exits 130 quietly.

``DUBAN_PAUSE_AT_START_UP=1`` makes the script wait for a signal before it
imports anything: the tests use it to interrupt start-up at a known moment,
whatever the speed of the machine.
"""

from __future__ import annotations

import os
import signal
import sys
import time


def _pause_for_a_signal() -> None:
    sys.stderr.write("duban: 等待信号(DUBAN_PAUSE_AT_START_UP)\n")
    sys.stderr.flush()
    if hasattr(signal, "pause"):
        signal.pause()
    else:  # pragma: no cover - Windows has no pause(); Ctrl-C still ends a sleep
        time.sleep(3600)


def main() -> None:
    try:
        if os.environ.get("DUBAN_PAUSE_AT_START_UP"):
            _pause_for_a_signal()
        try:
            from engine.cli import main as cli
        except ModuleNotFoundError as exc:
            if exc.name != "engine.cli":
                raise
            # An editable install (pip install -e .) puts the checkout on sys.path,
            # where the command line is the design card's top-level cli.py.
            from cli import main as cli
    except KeyboardInterrupt:
        sys.stderr.write("已中断\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - a broken installation: one line, exit 3, as for any internal error
        sys.stderr.write(f"错误: 内部错误({type(exc).__name__}: {str(exc)[:200]}),duban 无法启动,请检查安装\n")
        sys.exit(3)
    cli()

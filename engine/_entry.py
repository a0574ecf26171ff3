"""The `duban` console script: imports the command line, so that Ctrl-C during start-up exits 130 quietly."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from engine.cli import main as cli
    except KeyboardInterrupt:
        sys.stderr.write("已中断\n")
        sys.exit(130)
    cli()

"""The `duban` console script: imports the command line, so that Ctrl-C during start-up exits 130 quietly."""

from __future__ import annotations

import sys


def main() -> None:
    try:
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
    cli()

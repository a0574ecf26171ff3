"""How a duban command ends: its exit code, whatever happens in it (the command line's, not the library's).

- duban's own errors: one located line per problem, exit 2;
- Ctrl-C: "已中断", exit 130; SIGTERM and SIGHUP stop the run the same way (exit 143, 129), so that
  workers are stopped and ``--output`` is left as it was;
- anything else is a fault of duban: one line "内部错误", exit 3 (never 0 or 1, which a caller reads
  as "done" and "findings"); the traceback only under ``duban --debug``.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
import traceback
from typing import Any, Callable, Iterator

import click

from .errors import DubanError, one_line

__all__ = ["Stopped", "guarded", "interrupted", "internal_error", "signals_stop_the_run"]


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: the run stops as it does on Ctrl-C (workers stopped, --output untouched)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, frame: Any) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def signals_stop_the_run() -> Iterator[None]:
    """While the command runs, SIGTERM and SIGHUP raise :class:`Stopped` (the old handlers come back after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, _raise_stopped)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def interrupted(exc: KeyboardInterrupt) -> None:
    """Exit 130 on Ctrl-C, 128 + the signal's number on SIGTERM (143) and SIGHUP (129)."""
    signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
    why = "" if signum == signal.SIGINT else f"(收到 {signal.Signals(signum).name})"
    click.echo(("\n" if sys.stderr.isatty() else "") + f"已中断{why}", err=True)
    sys.exit(128 + signum)


def _debugging() -> bool:
    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().params.get("debug"))


def internal_error(exc: BaseException) -> None:
    """Any exception duban did not expect: exit 3 with one line; the traceback only with --debug."""
    if _debugging():
        click.echo("".join(traceback.format_exception(exc)).rstrip("\n"), err=True)
    what = one_line(f"{type(exc).__name__}: {exc}", 200)
    click.echo(f"错误: 内部错误({what}),这是 duban 的缺陷,请报告(加 --debug 可看详情)", err=True)
    sys.exit(3)


def guarded(command: Callable[..., int]) -> Callable[..., None]:
    """Run a command body; duban's errors exit 2 with one line per problem, anything unexpected exits 3."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except DubanError as exc:
            for diagnostic in exc.diagnostics:
                click.echo(f"错误: {diagnostic}", err=True)
            sys.exit(2)
        except KeyboardInterrupt as exc:
            interrupted(exc)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the one place that turns any fault into exit 3
            internal_error(exc)
        sys.exit(code or 0)

    return wrapper

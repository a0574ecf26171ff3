"""A Dask cluster as an executor for one run (``--dask ADDRESS``, ``--dask local``).

Dask (``dask.distributed``) is optional: ``pip install 'duban[dask]'``. The
engine itself only needs an executor (``Engine.run(..., executor=...)``);
this module makes one from an address and cleans up after the run:

- ``local`` starts a cluster of worker processes on this machine (one thread
  each: durable-rules holds the GIL, so threads in a worker would only wait
  for each other) and closes it when the run ends, however it ends;
- an address (``tcp://host:8786``) connects to a running scheduler, giving up
  after :data:`CONNECT_TIMEOUT` seconds; the cluster is left running.

Dask's own logging and warnings are kept off the terminal while the cluster
is in use: duban's notes and errors are the only text a run prints.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from concurrent.futures import Executor
from typing import Any, Iterator

from .errors import UsageError, one_line

__all__ = ["CONNECT_TIMEOUT", "LOCAL", "dask_executor"]

LOCAL = "local"
# Seconds to wait for a scheduler before the run is refused.
CONNECT_TIMEOUT = 5
# The schemes of scheduler addresses (inproc:// exists only inside one process).
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
# The loggers Dask writes to, and the modules whose warnings it raises.
LOGGERS = ("distributed", "dask", "tornado", "asyncio")
WARNING_MODULES = r"(distributed|dask|tornado)(\.|$)"

OPTION = "--dask"
WANTED = f"应为 local 或调度器地址(如 tcp://主机:8786),协议可为 {'、'.join(SCHEMES)}"
INSTALL = "需要安装 Dask 才能使用 --dask: pip install 'duban[dask]'"


@contextlib.contextmanager
def dask_executor(address: str, workers: int) -> Iterator[Executor]:
    """An executor on the Dask cluster ``address`` for the ``with`` block: ``local`` starts one of
    ``workers`` processes for the block. Dask missing, a malformed address or a scheduler that does
    not answer: a :class:`UsageError` (``--dask``)."""
    try:
        import distributed
    except ImportError:
        raise UsageError.at(OPTION, address, INSTALL) from None
    if address != LOCAL:
        _check_address(address)
    with _quiet(), contextlib.ExitStack() as stack:
        if address == LOCAL:
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.CRITICAL,
            ))
            client = stack.enter_context(distributed.Client(cluster))
        else:
            client = stack.enter_context(_connect(distributed, address))
        # pure=False: every chunk is its own task (Dask would otherwise hash each chunk's items to name it).
        yield client.get_executor(pure=False)


def _check_address(address: str) -> None:
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in SCHEMES or not rest.strip():
        raise UsageError.at(OPTION, address, WANTED)


def _connect(distributed: Any, address: str) -> Any:
    """A client of the scheduler at ``address``, or a usage error within :data:`CONNECT_TIMEOUT` seconds."""
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except ValueError as exc:  # no port, a malformed host
        raise UsageError.at(OPTION, address, f"地址无效({_detail(exc)}),{WANTED}") from None
    except Exception as exc:  # OSError (timed out, refused) and whatever else the comm layer raises
        raise UsageError.at(OPTION, address, f"无法在 {CONNECT_TIMEOUT} 秒内连接 Dask 调度器({_detail(exc)}),"
                                             "请检查地址和集群是否在运行") from None


def _detail(exc: Exception) -> str:
    return one_line(str(exc).strip() or type(exc).__name__, 120)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Dask's loggers silenced and its warnings ignored for the block (restored after)."""
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=WARNING_MODULES)
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)

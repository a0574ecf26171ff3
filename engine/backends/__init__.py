"""Backends: what decides which rules fire on a batch of subjects' facts.

Both take the intermediate form of the rules' conditions and answer, for each
subject, the set of rule ids whose condition holds; they are held to give the
same answer for every input.

- :mod:`.python`   the reference: conditions evaluated in Python, with a trace
- :mod:`.durable`  durable-rules, the Rete engine (the default where it installs)

Nothing outside :mod:`.durable` imports durable-rules.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import UsageError
from ..pack.conditions import Condition
from .python import PythonMatcher

__all__ = ["BACKENDS", "choose_backend", "durable_available", "make_matcher"]

BACKENDS = ("auto", "durable", "python")


def durable_available() -> bool:
    """True when the durable-rules backend can run in this interpreter (not on Python 3.13+)."""
    try:
        from .durable import durable_available as available
    except ImportError:
        return False
    return available()


def choose_backend(name: str) -> tuple[str, list[str]]:
    """The backend ``name`` stands for (``auto``: durable where it runs), and the notes to give."""
    if name not in BACKENDS:
        raise UsageError.at("backend", "", f"未知的求值后端 {name!r},应为 auto、durable 或 python")
    if name != "auto":
        return name, []
    if durable_available():
        return "durable", []
    return "python", ["durable-rules 不可用(需要 Python < 3.13),规则改由 Python 直接求值,结果相同"]


def make_matcher(backend: str, rules: Sequence[tuple[str, Condition]]) -> Any:
    """A matcher for ``rules`` (id, condition) on ``backend`` (``durable`` or ``python``)."""
    if backend == "durable":
        from .durable import DurableMatcher

        return DurableMatcher(rules)
    return PythonMatcher(rules)

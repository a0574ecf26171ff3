"""duban (督办): a rules engine for supervising a county government's key work.

    from datetime import date
    from engine import Engine, load_ledger

    engine = Engine.default(params={"lag_red_points": 25})
    ledger = load_ledger("facts/sample-county.yaml")
    report = engine.evaluate(ledger, as_of=date(2026, 11, 28))
    report.findings; report.items; report.to_json()

Errors are :class:`DubanError` subclasses carrying located diagnostics; the
library never prints and never exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Exported names and the module that defines each. They are imported on first
# use, so that `duban` starts fast and a Ctrl-C during start-up is handled.
_EXPORTS = {
    "Engine": "engine",
    "load_ledger": "ledger",
    "load_pack": "pack",
    "Limits": "ledger",
    "Ledger": "ledger",
    "Item": "ledger",
    "Unit": "ledger",
    "Rule": "pack",
    "RulePack": "pack",
    "Report": "report",
    "Finding": "report",
    "ItemResult": "report",
    "Summary": "report",
    "Explanation": "report",
    "DubanError": "errors",
    "LedgerError": "errors",
    "PackError": "errors",
    "UsageError": "errors",
    "UnknownItemError": "errors",
    "EvaluationError": "errors",
    "HistoryError": "errors",
    "Diagnostic": "errors",
}

if TYPE_CHECKING:
    from .engine import Engine
    from .errors import (
        Diagnostic, DubanError, EvaluationError, HistoryError, LedgerError, PackError, UnknownItemError, UsageError,
    )
    from .ledger import Item, Ledger, Limits, Unit, load_ledger
    from .pack import Rule, RulePack, load_pack
    from .report import Explanation, Finding, ItemResult, Report, Summary


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    from . import engine, errors, ledger, pack, report

    modules = {"engine": engine, "errors": errors, "ledger": ledger, "pack": pack, "report": report}
    value = getattr(modules[_EXPORTS[name]], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Engine",
    "load_ledger",
    "load_pack",
    "Limits",
    "Ledger",
    "Item",
    "Unit",
    "Rule",
    "RulePack",
    "Report",
    "Finding",
    "ItemResult",
    "Summary",
    "Explanation",
    "DubanError",
    "LedgerError",
    "PackError",
    "UsageError",
    "UnknownItemError",
    "EvaluationError",
    "HistoryError",
    "Diagnostic",
    "__version__",
]

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

from .engine import Engine
from .errors import Diagnostic, DubanError, EvaluationError, LedgerError, PackError, UsageError
from .ledger import Item, Ledger, Unit
from .load import Limits, load_ledger
from .pack import Rule, RulePack, load_pack
from .report import Explanation, Finding, ItemResult, Report, Summary

__version__ = "0.1.0"

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
    "EvaluationError",
    "Diagnostic",
    "__version__",
]

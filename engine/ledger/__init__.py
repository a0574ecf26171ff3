"""The ledger (台账): its models, and the readers that turn files into them.

This package is the only place that reads ledger input. The flow inside it::

    file ──read──▶ text ──parse──▶ data ──validate──▶ LedgerFile ─┐
    file ──read──▶ …                                               ├─merge──▶ Ledger
    mapping (library) ─────────────────────validate──▶ LedgerFile ─┘

- :mod:`.values`   the missing test and the strict scalar types of every field
- :mod:`.models`   the pydantic models: Item and its records, Unit, Ledger
- :mod:`.limits`   input limits
- :mod:`.read`     files → text (size, encoding)
- :mod:`.parse`    text → data (safe YAML, JSON)
- :mod:`.validate` data → LedgerFile, with located Chinese causes
- :mod:`.load`     :func:`load_ledger`: every source, merged, with notes
"""

from .limits import DEFAULT_LIMITS, Limits
from .load import MAPPING_NAME, load_ledger, merge
from .models import (
    KINDS,
    LEVELS,
    PROBLEM_TYPES,
    WORK_KINDS,
    Benchmarks,
    Investment,
    Item,
    Ledger,
    LedgerFile,
    EXTRA_TYPES,
    LedgerInfo,
    Meeting,
    Milestone,
    Problem,
    Rejected,
    Response,
    Supervision,
    Unit,
    Visit,
)
from .parse import parse_document
from .read import read_text
from .validate import cause_of, validate_file
from .values import PLACEHOLDERS, is_missing, show_value

__all__ = [
    "KINDS",
    "WORK_KINDS",
    "LEVELS",
    "PROBLEM_TYPES",
    "PLACEHOLDERS",
    "is_missing",
    "show_value",
    "EXTRA_TYPES",
    "Meeting",
    "LedgerInfo",
    "Unit",
    "Milestone",
    "Investment",
    "Problem",
    "Supervision",
    "Visit",
    "Benchmarks",
    "Response",
    "Item",
    "LedgerFile",
    "Rejected",
    "Ledger",
    "Limits",
    "DEFAULT_LIMITS",
    "MAPPING_NAME",
    "load_ledger",
    "merge",
    "parse_document",
    "read_text",
    "cause_of",
    "validate_file",
]

"""The ledger (台账): its models, and the readers that turn files into them.

This package is the only place that reads ledger input. The flow inside it::

    file ──read──▶ text ──parse──▶ data ──validate──▶ LedgerFile ─┐
    file ──read──▶ …                                               ├─merge──▶ Ledger
    mapping (library) ─────────────────────validate──▶ LedgerFile ─┘

- :mod:`.scalars`  the one strict reader of numbers, booleans and dates in text
- :mod:`.values`   the missing test and the strict scalar types of every field
- :mod:`.models`   the pydantic models: Item and its records, Unit, Ledger
- :mod:`.limits`   input limits
- :mod:`.read`     files → bytes and text (regular files only, size, encoding)
- :mod:`.parse`    text → data (JSON; YAML through :mod:`.yaml_reader`)
- :mod:`.lines`    the line of a place in YAML or JSON text, for errors
- :mod:`.validate` data → LedgerFile, with located Chinese causes
- :mod:`.jsonl`    JSON Lines: a line at a time, validated a chunk at a time
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
from .lines import lines_of
from .parse import document_suffix, parse_document
from .read import STDIN, STDIN_SHOWN, display_name, read_bytes, read_text
from .scalars import ScalarError, parse_date, read_scalar
from .validate import cause_of, validate_file
from .values import PLACEHOLDERS, id_key, invisible_character, is_missing, show_value

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
    "document_suffix",
    "lines_of",
    "STDIN",
    "STDIN_SHOWN",
    "display_name",
    "read_bytes",
    "read_text",
    "ScalarError",
    "parse_date",
    "read_scalar",
    "id_key",
    "invisible_character",
    "cause_of",
    "validate_file",
]

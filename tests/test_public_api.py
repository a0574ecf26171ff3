"""The public API, pinned (as httpx pins its exported members).

Embedders import these names from ``engine``; a move inside the package must
never remove one or change what it is. If a change here is intended, it is a
change of the public interface: say so in the release notes.
"""

from __future__ import annotations

import inspect

import pydantic
import pytest

import engine

# name → (what it is, the base it must have or the parameters it must take)
PUBLIC = {
    "Engine": ("class", object),
    "load_ledger": ("function", ["sources", "limits", "skip_invalid", "mapping"]),
    "load_pack": ("function", ["roots", "params", "select", "ignore", "profile"]),
    "Limits": ("class", pydantic.BaseModel),
    "Ledger": ("class", pydantic.BaseModel),
    "Item": ("class", pydantic.BaseModel),
    "Unit": ("class", pydantic.BaseModel),
    "Rule": ("class", object),
    "RulePack": ("class", object),
    "Report": ("class", pydantic.BaseModel),
    "Finding": ("class", pydantic.BaseModel),
    "ItemResult": ("class", pydantic.BaseModel),
    "Summary": ("class", pydantic.BaseModel),
    "Explanation": ("class", pydantic.BaseModel),
    "DubanError": ("class", Exception),
    "LedgerError": ("class", "DubanError"),
    "PackError": ("class", "DubanError"),
    "UsageError": ("class", "DubanError"),
    "UnknownItemError": ("class", "UsageError"),
    "EvaluationError": ("class", "DubanError"),
    "HistoryError": ("class", "DubanError"),
    "Diagnostic": ("class", object),
    "__version__": ("text", None),
}

# The methods of Engine that the README documents, with their parameters.
ENGINE_METHODS = {
    "default": ["params", "backend", "select", "ignore", "profile"],
    "from_path": ["path", "params", "backend", "select", "ignore", "profile"],
    "evaluate": ["self", "ledger", "as_of", "jobs", "progress", "waivers", "history", "executor"],
    "explain": ["self", "ledger", "item_id", "as_of", "waivers", "history"],
}


# The methods of Report that the README documents, with their parameters.
REPORT_METHODS = {
    "to_json": ["self"],
    "to_table": ["self", "view", "options"],
    "to_csv": ["self", "view", "options"],
    "to_markdown": ["self", "view", "options"],
    "records": ["self"],
    "item": ["self", "item_id"],
    "findings_for": ["self", "subject"],
}


def test_exported_names_are_exactly_the_pinned_ones() -> None:
    assert sorted(engine.__all__) == sorted(PUBLIC)
    assert sorted(dir(engine)) == sorted(PUBLIC)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_each_exported_name_is_what_it_was(name: str) -> None:
    kind, detail = PUBLIC[name]
    value = getattr(engine, name)
    if kind == "text":
        assert isinstance(value, str) and value
    elif kind == "function":
        assert inspect.isfunction(value)
        assert list(inspect.signature(value).parameters) == detail
    else:
        assert inspect.isclass(value)
        base = getattr(engine, detail) if isinstance(detail, str) else detail
        assert issubclass(value, base)
    # The same object however it is reached: importing it twice gives one thing.
    assert getattr(engine, name) is value


@pytest.mark.parametrize("method", sorted(ENGINE_METHODS))
def test_engine_methods_keep_their_parameters(method: str) -> None:
    assert list(inspect.signature(getattr(engine.Engine, method)).parameters) == ENGINE_METHODS[method]


@pytest.mark.parametrize("method", sorted(REPORT_METHODS))
def test_report_methods_keep_their_parameters(method: str) -> None:
    assert list(inspect.signature(getattr(engine.Report, method)).parameters) == REPORT_METHODS[method]


def test_an_unknown_item_is_still_a_key_error() -> None:
    # report.item raised a bare KeyError before it raised UnknownItemError: old callers keep working
    assert issubclass(engine.UnknownItemError, KeyError)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        engine.backend_durable  # noqa: B018  (the old flat module is gone, and says so)

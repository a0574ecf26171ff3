"""A ledger in another format: YAML, JSON or a template workbook (``duban convert``).

What is written is the ledger file format of ``duban schema``: ``ledger``
(county, as_of, meetings), ``units`` and ``items``, with defaults and empty
values left out. Loading what was written gives the same ledger.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from .models import Ledger, LedgerFile

__all__ = ["CONVERT_SUFFIXES", "ledger_document", "ledger_yaml", "ledger_json", "convert_ledger"]

CONVERT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")


class _Dumper(yaml.SafeDumper):
    """Safe YAML whose dates are written plain (2026-03-01): duban reads them as text, then as dates."""


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def ledger_document(ledger: Ledger) -> dict[str, Any]:
    """The ledger as the mapping a ledger file holds (dates as YYYY-MM-DD text)."""
    document = LedgerFile(ledger=ledger.info, units=ledger.units, items=ledger.items)
    data = document.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    if not data.get("ledger"):
        data.pop("ledger", None)
    for item in data.get("items", ()):
        for key in ("extra", "investment", "benchmarks"):
            if item.get(key) == {}:
                del item[key]  # an empty mapping is the same as none (the missing test says so)
    data.setdefault("items", [])
    return data


def ledger_yaml(ledger: Ledger) -> str:
    """The ledger as YAML: records one per line, in flow style, like the sample ledger."""
    return yaml.dump(ledger_document(ledger), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=None, width=1 << 20)


def ledger_json(ledger: Ledger) -> str:
    """The ledger as JSON (UTF-8, two-space indent)."""
    return json.dumps(ledger_document(ledger), ensure_ascii=False, indent=2) + "\n"


def convert_ledger(ledger: Ledger, suffix: str) -> bytes:
    """The bytes of ``ledger`` written in the format that ``suffix`` (.yaml, .yml, .json, .xlsx) names."""
    suffix = suffix.lower()
    if suffix == ".xlsx":
        from .template import ledger_workbook

        return ledger_workbook(ledger)
    if suffix == ".json":
        return ledger_json(ledger).encode("utf-8")
    if suffix in (".yaml", ".yml"):
        return ledger_yaml(ledger).encode("utf-8")
    raise ValueError(f"unknown ledger format {suffix!r}")

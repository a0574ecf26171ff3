"""Where the default rule pack and the sample ledger live.

In an installed wheel they sit inside the package (``engine/rules``,
``engine/facts``); in a source checkout they are the top-level ``rules/`` and
``facts/`` folders of the design card's layout.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["builtin_rules_dir", "sample_ledger_path"]

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def builtin_rules_dir() -> Path:
    """The folder of the default rule pack."""
    return _shipped("rules")


def sample_ledger_path() -> Path:
    """The sample ledger of the fictional 清溪县 at 2026-11-28."""
    return _shipped("facts") / "sample-county.yaml"

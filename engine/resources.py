"""Where the default rule pack, the sample ledger and the speech they enforce live.

In an installed wheel they sit inside the package (``engine/rules``,
``engine/facts``, ``engine/policy``); in a source checkout they are the
top-level ``rules/`` and ``facts/`` folders of the design card's layout, and
the speech the default pack quotes is ``docs/policy/``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["builtin_rules_dir", "sample_ledger_path", "builtin_policy_path"]

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


def builtin_policy_path() -> Path:
    """The speech the default pack quotes (``duban coverage`` reads it when no ``--policy`` is given)."""
    inside = _PACKAGE / "policy"
    folder = inside if inside.is_dir() else _PACKAGE.parent / "docs" / "policy"
    return folder / "meeting-speech.zh.txt"

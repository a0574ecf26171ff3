"""Message and remedy templates: ``{name}`` substitution and nothing else.

A template is split once into literal text and field names; the names are
checked against the vocabulary when the pack loads (:func:`problems`), so
that rendering (:func:`render`) only looks values up. Nothing is evaluated:
no attribute access, no expressions. ``{{`` and ``}}`` are literal braces.
Numbers print with at most one decimal (rounded half up), a missing value as
—, a boolean as 是/否, a list as its length.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping

from ..exact import round_half_up
from ..ledger import is_missing

__all__ = ["show", "parts", "problems", "render"]

# What the checker looks for: pairs, names, and any brace left over.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
# What the renderer splits on (the checker has refused stray braces).
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def problems(text: str, vocabulary: Mapping[str, Any], unknown: Callable[[str], str]) -> Iterable[str]:
    """The causes of everything wrong with one template, for the pack checker."""
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            yield f"模板中有不成对的花括号(第 {match.start() + 1} 个字符)"
        elif not _NAME.fullmatch(name):
            yield f"模板占位符 {{{name}}} 只能是字段名,不能是表达式"
        elif name not in vocabulary:
            yield f"模板占位符 {{{name}}}: " + unknown(name)


@functools.lru_cache(maxsize=1024)
def parts(template: str) -> tuple[tuple[str, bool], ...]:
    """A template split once into (literal text, False) and (field name, True) parts."""
    out: list[tuple[str, bool]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[position:match.start()]
        token = match.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
        if literal:
            out.append((literal, False))
        if match.group(1) is not None:
            out.append((match.group(1), True))
        position = match.end()
    if template[position:]:
        out.append((template[position:], False))
    return tuple(out)


def show(value: Any) -> str:
    """A value as a message prints it: numbers with at most one decimal, missing as —."""
    if value.__class__ is int:
        return str(value)
    if is_missing(value):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    if isinstance(value, (int, float, Fraction)):
        rounded = round_half_up(value)
        return str(rounded.numerator) if rounded.denominator == 1 else f"{float(rounded):.1f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return str(len(value))
    return str(value)


def render(template: str, facts: Mapping[str, Any]) -> str:
    """Substitute ``{name}`` from the facts; nothing is evaluated (names were checked at load)."""
    return "".join(show(facts.get(text)) if is_name else text for text, is_name in parts(template))

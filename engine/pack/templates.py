"""Message and remedy templates: ``{name}`` substitution and nothing else.

A template is split once into literal text and field names; the names are
checked against the vocabulary when the pack loads (:func:`problems`), so
that rendering (:func:`render`) only looks values up. Nothing is evaluated:
no attribute access, no expressions. ``{{`` and ``}}`` are literal braces.
Numbers print with at most one decimal (rounded half up), a missing value as
—, a boolean as 是/否, a list as its length.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import date
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping

from ..exact import round_half_up
from ..ledger import is_missing

__all__ = ["show", "parts", "problems", "bind_params", "render"]

# What the checker looks for: pairs, names, and any brace left over.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
# Dotted identifiers; letters include Chinese, so that ``{extra.阶段}`` is a name.
_NAME = re.compile(r"[^\W\d]\w*(\.[^\W\d]\w*)*")
# ``{param.NAME}`` is a param's value, fixed when the pack loads.
PARAM_PREFIX = "param."

# What the renderer splits on (the checker has refused stray braces).
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def problems(
    text: str, vocabulary: Mapping[str, Any], unknown: Callable[[str], str], params: Mapping[str, Any] = {}
) -> Iterable[str]:
    """The causes of everything wrong with one template, for the pack checker.

    ``{param.NAME}`` names a param of the pack; any other name must be in the vocabulary.
    """
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            yield f"模板中有不成对的花括号(第 {match.start() + 1} 个字符)"
        elif not _NAME.fullmatch(name):
            yield f"模板占位符 {{{name}}} 只能是字段名,不能是表达式"
        elif name.startswith(PARAM_PREFIX):
            if name[len(PARAM_PREFIX):] not in params:
                hint = difflib.get_close_matches(name[len(PARAM_PREFIX):], list(params), n=1, cutoff=0.6)
                yield f"模板占位符 {{{name}}}: 未知的参数" + (f",是否想写 {{param.{hint[0]}}}?" if hint else "")
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


def bind_params(template: str, params: Mapping[str, Any]) -> str:
    """The template with every ``{param.NAME}`` replaced by the param's shown value (braces kept literal)."""
    out = []
    for text, is_name in parts(template):
        if is_name and text.startswith(PARAM_PREFIX) and text[len(PARAM_PREFIX):] in params:
            out.append(show(params[text[len(PARAM_PREFIX):]]).replace("{", "{{").replace("}", "}}"))
        elif is_name:
            out.append("{" + text + "}")
        else:
            out.append(text.replace("{", "{{").replace("}", "}}"))
    return "".join(out)


def render(template: str, facts: Mapping[str, Any]) -> str:
    """Substitute ``{name}`` from the facts; nothing is evaluated (names were checked at load)."""
    return "".join(show(facts.get(text)) if is_name else text for text, is_name in parts(template))

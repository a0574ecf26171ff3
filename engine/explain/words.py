"""How explanations say things: operators in Chinese, numbers, a leaf and a requirement in words.

One place for the words, so that ``duban rules ID`` (a leaf of the pack),
``duban explain`` (a leaf as it was evaluated, a counterfactual, a miss) and
the JSON texts read alike. Numbers show with at most one decimal, as
messages do, unless one decimal would make two different numbers look the
same (21.65 against 21.7); then as many decimals as tell them apart.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any, Optional

from ..exact import exact, round_half_up

__all__ = ["OP_ZH", "NEED_ZH", "figure", "bound_text", "plain", "leaf_text", "checked_leaf_text", "need_text",
           "distance_text"]

OP_ZH = {
    "eq": "等于", "ne": "不等于", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥",
    "in": "属于", "not_in": "不属于", "present": "已填", "missing": "缺失", "contains": "包含",
}

# What a metric must do for a counterfactual: ``progress_gap 需低于 10``.
NEED_ZH = {
    "lt": "需低于", "lte": "需不超过", "gt": "需高于", "gte": "需不低于", "eq": "需等于", "ne": "需不等于",
    "present": "需填写", "missing": "需为空",
}

# The most decimals a number is shown with.
MAX_PLACES = 4


def plain(value: Any) -> Any:
    """An exact value as plain data: an integral Fraction as int, a date as text."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decimal(value: Fraction, places: int) -> str:
    rounded = round_half_up(value, places)
    if rounded.denominator == 1:
        return str(rounded.numerator)
    return f"{float(rounded):.{places}f}".rstrip("0").rstrip(".")


def _sign(a: Fraction, b: Fraction) -> int:
    return (a > b) - (a < b)


def figure(value: Any, near: Any = None) -> str:
    """A value as explanations print it: numbers with one decimal (two below 1), and more decimals
    when fewer would show a different order against ``near`` (21.65 against 21.7, 0.7513 against 0.75)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, Fraction)):
        exact_value = Fraction(exact(value))
        other = Fraction(exact(near)) if isinstance(near, (int, float, Fraction)) and not isinstance(near, bool) else None
        first = 2 if 0 < abs(exact_value) < 1 else 1
        for places in range(first, MAX_PLACES + 1):
            text = _decimal(exact_value, places)
            if other is None or _sign(round_half_up(exact_value, places), other) == _sign(exact_value, other):
                return text
        return text
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (list, tuple, dict)) for v in value):
            return f"[{len(value)} 项]"
        shown = "[" + ", ".join(figure(v) for v in value) + "]"
        return shown if len(shown) <= 40 else f"[{len(value)} 项]"
    if isinstance(value, dict):
        return f"{{{len(value)} 项}}"
    return str(value)


def bound_text(value: Any) -> str:
    """A threshold exactly as the pack has it (up to four decimals)."""
    if isinstance(value, (int, float, Fraction)) and not isinstance(value, bool):
        return _decimal(Fraction(exact(value)), MAX_PLACES)
    return figure(value)


def leaf_text(leaf: Any) -> str:
    """One condition leaf of the pack in words: ``progress_gap ≥ 10(lag_yellow_points)``."""
    if leaf.op in ("present", "missing"):
        return f"{leaf.field} {OP_ZH[leaf.op]}"
    if leaf.other is not None:
        right = leaf.other
    elif isinstance(leaf.value, tuple):
        right = "[" + ", ".join(figure(plain(v)) for v in leaf.value) + "]"
    else:
        right = bound_text(plain(leaf.value))
    return f"{leaf.field} {OP_ZH[leaf.op]} {right}" + (f"({leaf.param})" if leaf.param else "")


def checked_leaf_text(leaf: Any) -> str:
    """One leaf as it was evaluated, with what it read and the param beside its value:
    ``progress_gap 21.7 ≥ lag_yellow_points 10``."""
    read = figure(leaf.read, leaf.operand)
    if leaf.op in ("present", "missing"):
        return f"{leaf.field} {read} {OP_ZH[leaf.op]}"
    if leaf.operand_field:
        right = f"{leaf.operand_field} {figure(leaf.operand, leaf.read)}"
    elif isinstance(leaf.operand, (list, tuple)) and leaf.op in ("in", "not_in"):
        right = "[" + ", ".join(figure(v) for v in leaf.operand) + "]"
    else:
        right = (f"{leaf.param} " if leaf.param else "") + bound_text(leaf.operand)
    return f"{leaf.field} {read} {OP_ZH[leaf.op]} {right}"


def need_text(field: str, op: str, bound: Any, current: Any) -> str:
    """What a metric must be, against what it is: ``progress_gap 需低于 10(现为 21.7)``."""
    now = figure(current, bound)
    if op in ("present", "missing"):
        return f"{field} {NEED_ZH[op]}(现为 {now})"
    if isinstance(bound, bool):
        return f"{field} 需为 {figure(bound)}(现为 {now})"
    return f"{field} {NEED_ZH[op]} {bound_text(bound)}(现为 {now})"


def distance_text(distance: Optional[Any]) -> str:
    return "" if distance is None else f",差 {figure(distance)}"

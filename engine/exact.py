"""Exact arithmetic: numbers as fractions, and rounding half up.

The spec compares thresholds "exactly, as a person would with pencil and
paper": a gap of exactly 10 points is ≥ 10, a ratio of exactly 0.8 is not
< 0.8. Floats become Fractions through their shortest decimal form (0.1 is
1/10, not the binary double), and scores are rounded from exact sums.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

__all__ = ["exact", "round_half_up"]


def exact(value: Any) -> Any:
    """A number as an exact Fraction (floats through their shortest decimal form)."""
    if value.__class__ is float:
        return _decimal_fraction(value)
    return value


@functools.lru_cache(maxsize=65536)
def _decimal_fraction(value: float) -> Fraction:
    # Parsing the decimal text is the slow part, and a ledger repeats its values (progress in
    # tenths, 0.0, round amounts): cached. Fractions are immutable, so sharing one is safe.
    return Fraction(repr(value))


def round_half_up(value: Any, places: int = 1) -> Fraction:
    """Round exactly, halves away from zero, as a person would."""
    scale = 10**places
    if isinstance(value, int):
        return Fraction(value)
    q = Fraction(value)
    # floor((2·|q|·scale + 1) / 2) in integers: no float ever touches the boundary.
    n, d = abs(q.numerator) * scale, q.denominator
    rounded = (2 * n + d) // (2 * d)
    return Fraction(-rounded if q < 0 else rounded, scale)

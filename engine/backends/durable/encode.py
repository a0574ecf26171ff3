"""Encoding fact values for durable-rules: exactly, or not at all.

The durable fact
----------------
Built from one subject's facts with only the fields the rules read, under
synthetic names (``f0``, ``f1`` …; flags ``t0`` …), so that dotted names stay
flat and property-name hashes are known to be distinct. A value that is missing
(:func:`engine.ledger.is_missing`) is left out, so ``$ex`` is exactly
``present`` and ``$nex`` exactly ``missing``. Values are encoded by the field's
vocabulary type, and only values of exactly that Python type are encoded:

- numbers (integer, number): an integer below 2**53 stays an integer (exact in
  JSON and as a double, which is how durable compares numbers); anything else
  becomes a float. Python writes a float in exponent form below 1e-4 and from
  1e16 (``1e-05``), which durable cannot parse: a single fact fails with error
  204, a *batch* crashes the process (SIGSEGV). So only floats that are 0 or in
  ``[1e-4, 1e16)`` are encoded (no scaling: it cannot cover both ends); a rule
  literal outside that range is precomputed, and a record holding such a value
  is evaluated in Python. Rule literals are always written as floats (durable
  reads integers in rules with ``atol``, 32 bits on Windows). float() rounds,
  so two different exact values can meet at one float: a record whose value
  could be confused that way with a literal it is compared with, or with
  another field it is compared with, is evaluated in Python.
- dates become day numbers (``date.toordinal()``); booleans stay booleans;
  text stays text up to :data:`MAX_TEXT_LENGTH` characters (durable compares
  strings with 16-bit lengths: two different texts of 65,536 bytes or more
  can compare equal).
- a field read only by present/missing becomes the marker ``1``.

A value of another type (a boolean in a number field, a datetime in a date
field, a string "100" in a number field …) is never handed to durable, where
``"100" == 100`` and ``True == 1`` hold: its record is evaluated in Python by
the reference itself. So is a record whose precomputed tests raise.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any, Callable

__all__ = [
    "GUARD", "MAX_TEXT_LENGTH", "NUMBER", "DATE", "BOOLEAN", "TEXT", "MARK", "UNSAFE",
    "NEVER_MISSING", "ENCODERS", "CONFORMS", "GROUPS", "encode_number",
]

# Longest text compared inside durable (its string lengths are 16-bit).
MAX_TEXT_LENGTH = 10_000
# The guard field every durable pattern tests: the engine's own state object never carries it.
GUARD = "_g"

UNSAFE = object()  # a value durable cannot be trusted with

NUMBER, DATE, BOOLEAN, TEXT, MARK = "number", "date", "boolean", "text", "mark"
# Types is_missing() never holds for: their values skip the call.
NEVER_MISSING = frozenset({int, float, Fraction, bool, date})
GROUPS = {"integer": NUMBER, "number": NUMBER, "date": DATE, "boolean": BOOLEAN, "text": TEXT}


EXACT_INT = 2**53  # integers below this are exact as doubles, where durable compares numbers


def encode_number(value: Any) -> Any:
    """An int (exact in JSON and as a double) or a float that JSON writes without exponent."""
    kind = type(value)
    if kind is int:
        if -EXACT_INT < value < EXACT_INT:
            return value
    elif kind is Fraction:
        if value.denominator == 1 and -EXACT_INT < value.numerator < EXACT_INT:
            return value.numerator
    elif kind is not float:
        return UNSAFE
    try:
        number = float(value)
    except (OverflowError, ValueError, ZeroDivisionError):
        return UNSAFE
    # Exactly the floats that repr() (hence json.dumps) writes without an
    # exponent; NaN and infinities fail both tests.
    if number == 0.0 or 1e-4 <= abs(number) < 1e16:
        return number
    return UNSAFE


def encode_date(value: Any) -> Any:
    return value.toordinal() if type(value) is date else UNSAFE


def encode_boolean(value: Any) -> Any:
    return value if type(value) is bool else UNSAFE


def encode_text(value: Any) -> Any:
    if type(value) is not str or len(value) > MAX_TEXT_LENGTH:
        return UNSAFE
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates cannot reach the C engine
            return UNSAFE
    return value


ENCODERS: dict[str, Callable[[Any], Any]] = {
    NUMBER: encode_number,
    DATE: encode_date,
    BOOLEAN: encode_boolean,
    TEXT: encode_text,
}

# Whether a value has its field's vocabulary type (else the reference may raise on it).
CONFORMS: dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: encode_number(v) is not UNSAFE,
    "number": lambda v: encode_number(v) is not UNSAFE,
    "date": lambda v: type(v) is date,
    "boolean": lambda v: type(v) is bool,
    "text": lambda v: type(v) is str,
    "list": lambda v: isinstance(v, (list, tuple)),
    "mapping": lambda v: isinstance(v, dict),
}


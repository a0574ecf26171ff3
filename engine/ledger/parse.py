"""Parsing ledger and rule documents: YAML (safe, strict) and JSON, with located errors.

YAML is read by :mod:`.yaml_reader` (data tags only, dates kept as text for
the models to read strictly, no octal or sexagesimal numbers, duplicate keys
refused, alias bombs measured as they are read). JSON refuses duplicate keys
too and reads its integers with the same strict reader; both refuse nesting
deeper than the limit.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from ..errors import LedgerError
from .limits import DEFAULT_LIMITS, Limits
from .scalars import ScalarError, read_int
from .values import shorten as _shorten
from .yaml_reader import parse_yaml

__all__ = ["parse_document", "parse_json", "document_suffix"]


def _reject_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict:
    mapping: dict = {}
    for key, value in pairs:
        if key in mapping:
            raise ValueError(f"重复的键 {key!r}")
        mapping[key] = value
    return mapping


def _json_int(text: str) -> int:
    # JSON's grammar already refuses leading zeros; the strict reader bounds the length.
    return int(text) if len(text) <= 20 else read_int(text)


# One decoder for every document: json.loads would build a new one per call (per line of a JSON Lines file).
_DECODER = json.JSONDecoder(object_pairs_hook=_reject_duplicate_pairs, parse_int=_json_int)


def parse_json(text: str, shown: str, limits: Limits = DEFAULT_LIMITS, line: Optional[int] = None) -> Any:
    """JSON text → data: duplicate keys refused, integers read strictly, nesting within the limit.

    ``line`` is the file's line that ``text`` is (one line of a JSON Lines
    file): every error then names that line, as ``第 7 行`` or ``第 7 行第 12 列``.
    """
    first = 1 if line is None else line
    try:
        data = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise LedgerError.at(shown, f"第 {first + exc.lineno - 1} 行第 {exc.colno} 列",
                             f"JSON 语法错误: {_json_cause(exc.msg)}") from None
    except ScalarError as exc:
        raise LedgerError.at(shown, _on_line(line, ""), f"JSON 错误: {exc.cause}") from None
    except ValueError as exc:
        raise LedgerError.at(shown, _on_line(line, ""), f"JSON 错误: {exc}") from None
    except RecursionError:
        raise LedgerError.at(shown, _json_depth_place(text, limits.max_depth, first),
                             f"嵌套过深: 超过 {limits.max_depth} 层") from None
    _check_depth(data, shown, limits, line)
    return data


def _on_line(line: Optional[int], place: str) -> str:
    """``place`` inside the line ``line`` of the file (``第 7 行.extra.x``), or as it is without a line."""
    if line is None:
        return place
    return f"第 {line} 行" + (f".{place}" if place else "")


def _json_depth_place(text: str, max_depth: int, first_line: int = 1) -> str:
    """Where JSON text first nests deeper than ``max_depth`` (only called after a RecursionError)."""
    depth, in_string, escaped, line, column = 0, False, False, first_line, 0
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        if in_string:
            escaped = not escaped and char == "\\"
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return f"第 {line} 行第 {column} 列"
        elif char in "]}":
            depth -= 1
    return ""


def _check_depth(data: Any, shown: str, limits: Limits, line: Optional[int] = None) -> None:
    """Refuse parsed JSON nested deeper than the limit; only containers are visited."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > limits.max_depth:
            place = _on_line(line, _shorten(path, 80)) or "顶层"
            raise LedgerError.at(shown, place, f"嵌套过深: 超过 {limits.max_depth} 层")
        if isinstance(value, dict):
            pairs = value.items()
        elif isinstance(value, list):
            pairs = enumerate(value)
        else:
            continue
        for key, child in pairs:
            if isinstance(child, (dict, list)) and child:
                step = f"[{key}]" if isinstance(key, int) else (f".{_shorten(str(key), 20)}" if path else _shorten(str(key), 20))
                stack.append((child, depth + 1, path + step))


# What the JSON parser says, told in Chinese.
_JSON_CAUSES = {
    "Expecting value": "缺少值(或有多余的逗号)",
    "Expecting property name enclosed in double quotes": "键应写在双引号中(或有多余的逗号)",
    "Expecting ',' delimiter": "缺少逗号“,”",
    "Expecting ':' delimiter": "缺少冒号“:”",
    "Extra data": "JSON 值之后有多余的内容",
    "Unterminated string starting at": "字符串没有闭合的双引号",
    "Invalid control character at": "字符串中含控制字符(换行须写成 \\n)",
    "Invalid \\escape": "无效的转义字符",
}


def _json_cause(message: str) -> str:
    return _JSON_CAUSES.get(message, message)


def document_suffix(text: str) -> str:
    """``.json`` for text that is a JSON object or array, else ``.yaml`` (for input without a file name)."""
    start = text.lstrip(" \t\r\n")
    if start.startswith("["):
        return ".json"
    if start.startswith("{"):
        inner = start[1:].lstrip(" \t\r\n")
        return ".json" if inner[:1] in ('"', "}") else ".yaml"
    return ".yaml"


def parse_document(text: str, shown: str, suffix: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse YAML or JSON text (chosen by the file's suffix; JSON is also YAML)."""
    if suffix.lower() == ".json":
        return parse_json(text, shown, limits)
    return parse_yaml(text, shown, limits)

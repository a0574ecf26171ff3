"""Parsing ledger and rule documents: YAML (safe, strict) and JSON, with located errors.

YAML is loaded safely only, with dates kept as text (the models parse them
strictly), no octal or sexagesimal integers, duplicate keys refused, and alias
bombs measured on the node graph before anything is built. JSON refuses
duplicate keys too, and both refuse nesting deeper than the limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..errors import LedgerError
from .limits import DEFAULT_LIMITS, Limits
from .values import shorten as _shorten
from .values import show_value as _short

__all__ = ["parse_document"]


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loading that keeps dates as text and refuses duplicate keys."""


# Dates stay strings: the models parse them strictly, so 2026-02-30 is reported
# as an impossible date at its place instead of a parser error.
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _DuplicateKey(Exception):
    def __init__(self, key: Any, mark: Any) -> None:
        super().__init__(key)
        self.key = key
        self.mark = mark


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            if key in mapping:
                raise _DuplicateKey(key, key_node.start_mark)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "映射的键不可用作键", key_node.start_mark
            ) from None
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_SafeLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)

MAX_DIGITS = 30  # longer integers cannot be amounts, ranks or dates: they read as infinite


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(node.value).replace("_", "").strip()
    digits = text.lstrip("+-")
    if len(digits) > MAX_DIGITS and digits.isdigit():
        return float("-inf") if text.startswith("-") else float("inf")
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(None, None, f"不是整数: {_short(node.value)}", node.start_mark) from None


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(None, None, f"不是数值: {_short(node.value)}", node.start_mark) from None


def _construct_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # An explicit !!timestamp stays text: the models parse dates strictly, at their place.
    return loader.construct_scalar(node)


_SafeLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_SafeLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)

# YAML 1.1 reads 010 as the octal number 8 and 1_000 as 1000: an id such as 010
# must stay text. Integers are plain decimal numbers without leading zeros.
for _first in list(_SafeLoader.yaml_implicit_resolvers):
    _SafeLoader.yaml_implicit_resolvers[_first] = [
        (tag, regexp) for tag, regexp in _SafeLoader.yaml_implicit_resolvers[_first] if tag != "tag:yaml.org,2002:int"
    ]
_SafeLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))


def _yaml_size_and_depth(root: yaml.Node, limits: Limits, shown: str) -> None:
    """Refuse documents whose aliases expand too far or that nest too deeply.

    Sizes are computed once per distinct node (aliases share node objects), so
    an alias bomb is measured in linear time without expanding it.
    """
    sizes: dict[int, int] = {}
    allowed = limits.max_yaml_nodes
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if depth > limits.max_depth:
            raise LedgerError.at(
                shown, f"第 {node.start_mark.line + 1} 行", f"嵌套过深: 超过 {limits.max_depth} 层"
            )
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            total = 1 + sum(sizes[id(child)] for child in children)
            sizes[id(node)] = total
            allowed = min(limits.max_yaml_nodes, limits.max_alias_expansion * len(sizes) + 10_000)
            if total > allowed:
                raise LedgerError.at(
                    shown, f"第 {node.start_mark.line + 1} 行", f"别名展开后节点过多(超过 {allowed} 个),疑为别名炸弹,已拒绝"
                )
            continue
        if id(node) in sizes:
            continue
        stack.append((node, depth, True))
        for child in children:
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _parse_yaml(text: str, shown: str, limits: Limits) -> Any:
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _yaml_size_and_depth(root, limits, shown)
        return loader.construct_document(root)
    except _DuplicateKey as dup:
        raise LedgerError.at(shown, f"第 {dup.mark.line + 1} 行", f"重复的键 {dup.key!r}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        cause = exc.problem or exc.context or "YAML 语法错误"
        if "could not determine a constructor" in str(exc):
            cause = f"不允许的 YAML 标签 {exc.problem.split('tag ')[-1] if exc.problem else ''}".strip()
        raise LedgerError.at(shown, place, f"YAML 语法错误: {cause}") from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise LedgerError.at(shown, f"第 {line} 行第 {column} 列", f"YAML 中含不允许的字符 {character!r}") from None
    except yaml.YAMLError as exc:
        raise LedgerError.at(shown, "", f"YAML 语法错误: {str(exc).splitlines()[0][:200]}") from None
    except RecursionError:
        raise LedgerError.at(shown, "", f"嵌套过深: 超过 {limits.max_depth} 层") from None
    finally:
        loader.dispose()


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _reject_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict:
    mapping: dict = {}
    for key, value in pairs:
        if key in mapping:
            raise ValueError(f"重复的键 {key!r}")
        mapping[key] = value
    return mapping


def _json_int(text: str) -> Any:
    digits = text.lstrip("-")
    if len(digits) > MAX_DIGITS:
        return float("-inf") if text.startswith("-") else float("inf")
    return int(text)


def _parse_json(text: str, shown: str, limits: Limits) -> Any:
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_pairs, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise LedgerError.at(shown, f"第 {exc.lineno} 行第 {exc.colno} 列", f"JSON 语法错误: {exc.msg}") from None
    except ValueError as exc:
        raise LedgerError.at(shown, "", f"JSON 错误: {exc}") from None
    except RecursionError:
        raise LedgerError.at(shown, _json_depth_place(text, limits.max_depth), f"嵌套过深: 超过 {limits.max_depth} 层") from None
    _check_depth(data, shown, limits)
    return data


def _json_depth_place(text: str, max_depth: int) -> str:
    """Where JSON text first nests deeper than ``max_depth`` (only called after a RecursionError)."""
    depth, in_string, escaped, line, column = 0, False, False, 1, 0
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


def _check_depth(data: Any, shown: str, limits: Limits) -> None:
    """Refuse parsed JSON nested deeper than the limit; only containers are visited."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > limits.max_depth:
            raise LedgerError.at(shown, _shorten(path, 80) or "顶层", f"嵌套过深: 超过 {limits.max_depth} 层")
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


def parse_document(text: str, shown: str, suffix: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse YAML or JSON text (chosen by the file's suffix; JSON is also YAML)."""
    if suffix.lower() == ".json":
        return _parse_json(text, shown, limits)
    return _parse_yaml(text, shown, limits)

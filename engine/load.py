"""Ledger files → one validated :class:`~engine.ledger.Ledger`.

The only module that reads ledger input from the file system. It parses YAML
(safe loading only, dates kept as text so that the models parse them strictly)
and JSON, validates each file against the models, merges several files into
one ledger, and turns every problem into a located :class:`Diagnostic`:
``facts/x.yaml: items[3] (P-004).progress: 应在 0 到 100 之间,实际为 150``.
All problems of a file are reported, not only the first.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from .errors import Diagnostic, LedgerError
from .ledger import Item, Ledger, LedgerFile, LedgerInfo, Unit
from .ledger import show_value as _short

__all__ = ["Limits", "load_ledger", "parse_document", "read_text", "cause_of"]

LedgerSource = Union[str, os.PathLike, Mapping[str, Any]]

MAPPING_NAME = "<数据>"


class Limits(BaseModel):
    """Input limits; the defaults sit far above a national ledger of a million items."""

    max_file_bytes: int = 8 * 1024**3
    max_items: int = 20_000_000
    max_depth: int = 32
    # Nodes of a YAML document after expanding aliases: stops alias bombs early.
    max_yaml_nodes: int = 500_000_000
    # Aliases may repeat a document's nodes at most this many times over.
    max_alias_expansion: int = 20


DEFAULT_LIMITS = Limits()


# --- reading and parsing ----------------------------------------------------


def read_text(path: Path, shown: str, limits: Limits, error: type = LedgerError) -> str:
    """Read a file as UTF-8 text (a byte-order mark is allowed), or raise a located error."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise error.at(shown, "", "是目录,不是文件")
        if size > limits.max_file_bytes:
            raise error.at(shown, "", f"文件过大: {size} 字节,上限 {limits.max_file_bytes} 字节")
        data = path.read_bytes()
    except FileNotFoundError:
        raise error.at(shown, "", "文件不存在") from None
    except PermissionError:
        raise error.at(shown, "", "无权读取该文件") from None
    except OSError as exc:
        raise error.at(shown, "", f"无法读取: {exc.strerror or exc}") from None
    if b"\x00" in data[:8192]:
        raise error.at(shown, "", "不是文本文件(含二进制内容)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error.at(shown, "", f"不是 UTF-8 编码的文本(第 {exc.start} 字节)") from None


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


# --- validation --------------------------------------------------------------

_CAUSES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知的字段",
    "list_type": "应为列表",
    "dict_type": "应为映射(键: 值)",
    "model_type": "应为映射(键: 值)",
    "model_attributes_type": "应为映射(键: 值)",
}

def _place(loc: tuple, data: Any) -> str:
    """Turn a pydantic location into ``items[3] (P-004).milestones[0].due``."""
    text = ""
    node = data
    for index, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if index == 1 and loc[0] == "items" and isinstance(node, dict):
                item_id = node.get("id")
                if isinstance(item_id, (str, int)) and not isinstance(item_id, bool) and str(item_id).strip():
                    text += f" ({str(item_id).strip()[:40]})"
        else:
            text += f".{_shorten(str(part), 40)}" if text else _shorten(str(part), 40)
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _allowed_keys(loc: tuple, root: Any) -> list[str]:
    """The keys a mapping at ``loc`` may have, for "did you mean" hints."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return list(model.model_fields)


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def cause_of(error: Any, root: Any = LedgerFile) -> str:
    """A pydantic error of a document validated as ``root``, told in Chinese."""
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        hints = [] if len(key) > 40 else difflib.get_close_matches(key, _allowed_keys(error["loc"][:-1], root), n=1, cutoff=0.6)
        return f"未知的字段 {_shorten(key, 40)!r}" + (f",是否想写 {hints[0]!r}?" if hints else "")
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"应为 {expected.replace(chr(39), '')} 之一,实际为 {_short(error['input'])}"
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = error["ctx"].get("ge", error["ctx"].get("le"))
        word = "不能小于" if kind == "greater_than_equal" else "不能大于"
        loc = error["loc"]
        if loc and loc[-1] == "progress":
            return f"应在 0 到 100 之间,实际为 {_short(error['input'])}"
        return f"{word} {limit},实际为 {_short(error['input'])}"
    if kind in _CAUSES:
        return _CAUSES[kind]
    return str(error["msg"])


# Cross-field checks run on the later field; their errors point at the field they name.
_POINT_AT = {"start_after_due": "start", "rank_range": "rank"}


def _diagnostics(exc: ValidationError, data: Any, shown: str) -> list[Diagnostic]:
    found = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if error["type"] in _POINT_AT:
            loc = loc[:-1] + (_POINT_AT[error["type"]],)
        found.append(Diagnostic(shown, _place(loc, data), cause_of(error)))
    return found


def _validate_file(data: Any, shown: str, limits: Limits) -> LedgerFile:
    if not isinstance(data, dict):
        what = "空文件" if data is None else {list: "列表", str: "文本"}.get(type(data), type(data).__name__)
        raise LedgerError.at(shown, "", f"台账顶层应为映射(含 items 列表),实际为{what}")
    items = data.get("items")
    if isinstance(items, list) and len(items) > limits.max_items:
        raise LedgerError.at(shown, "items", f"事项过多: {len(items)} 个,上限 {limits.max_items} 个")
    try:
        return LedgerFile.model_validate(data)
    except ValidationError as exc:
        raise LedgerError(_diagnostics(exc, data, shown)) from None


# --- merging -----------------------------------------------------------------


def _merge(files: list[tuple[str, LedgerFile]]) -> Ledger:
    problems: list[Diagnostic] = []
    info: dict[str, Any] = {}
    info_from: dict[str, str] = {}
    units: list[Unit] = []
    unit_from: dict[str, str] = {}
    items: list[Item] = []
    item_from: dict[str, str] = {}
    for shown, doc in files:
        if doc.ledger is not None:
            for key, value in doc.ledger.model_dump(exclude_none=True).items():
                if key in info and info[key] != value:
                    problems.append(Diagnostic(
                        shown, f"ledger.{key}",
                        f"与 {info_from[key]} 不一致({value} ≠ {info[key]})",
                    ))
                else:
                    info[key], info_from[key] = value, shown
        for index, unit in enumerate(doc.units):
            name = unit.name.strip()
            if name in unit_from:
                problems.append(Diagnostic(shown, f"units[{index}].name", f"单位 {name!r} 重复,已见于 {unit_from[name]}"))
            else:
                unit_from[name] = f"{shown} units[{index}]"
                units.append(unit)
        for index, item in enumerate(doc.items):
            if item.id in item_from:
                problems.append(Diagnostic(
                    shown, f"items[{index}] ({item.id}).id", f"编号重复,已见于 {item_from[item.id]}"
                ))
            else:
                item_from[item.id] = f"{shown} items[{index}]"
                items.append(item)
    if problems:
        raise LedgerError(problems)
    return Ledger(
        info=LedgerInfo(**info),
        units=units,
        items=items,
        sources=[shown for shown, _ in files],
        notes=_notes(units, items),
    )


def _notes(units: list[Unit], items: list[Item]) -> list[str]:
    """Oddities accepted on purpose, each summarised in one line."""
    notes = []
    if units:
        known = {unit.name.strip() for unit in units}
        strays = sorted(i.id for i in items if i.unit and i.unit.strip() and i.unit.strip() not in known)
        if strays:
            notes.append(f"{len(strays)} 个事项的责任单位不在 units 名单中: {_sample(strays)}")
    reversed_ = sorted(
        i.id for i in items if i.started_on and i.completed_on and i.started_on > i.completed_on
    )
    if reversed_:
        notes.append(f"{len(reversed_)} 个事项的实际开工晚于实际完工: {_sample(reversed_)}")
    return notes


def _sample(ids: list[str], shown: int = 10) -> str:
    head = ", ".join(ids[:shown])
    return head + (f" 等(共 {len(ids)} 个)" if len(ids) > shown else "")


# --- the public entry --------------------------------------------------------


def load_ledger(
    sources: LedgerSource | Iterable[LedgerSource],
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Ledger:
    """Load, validate and merge one or more ledgers.

    ``sources`` is a path, a list of paths, or an already parsed mapping (or a
    list mixing both). Raises :class:`LedgerError` with every problem found in
    every file, each located by file, item and field.
    """
    if isinstance(sources, (str, os.PathLike, Mapping)):
        sources = [sources]
    files: list[tuple[str, LedgerFile]] = []
    problems: list[Diagnostic] = []
    for source in sources:
        try:
            files.append(_load_one(source, limits))
        except LedgerError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise LedgerError(problems)
    if not files:
        raise LedgerError.at("", "", "没有给出台账文件")
    return _merge(files)


def _load_one(source: LedgerSource, limits: Limits) -> tuple[str, LedgerFile]:
    if isinstance(source, Mapping):
        return MAPPING_NAME, _validate_file(dict(source), MAPPING_NAME, limits)
    shown = os.fspath(source)
    path = Path(shown)
    data = parse_document(read_text(path, shown, limits), shown, path.suffix, limits)
    return shown, _validate_file(data, shown, limits)

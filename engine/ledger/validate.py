"""Validation of one parsed ledger file against the models, every problem located.

Turns pydantic's errors into :class:`~engine.errors.Diagnostic` lines such as
``facts/x.yaml: items[3] (P-004).progress: 应在 0 到 100 之间,实际为 150``,
with Chinese causes and "是否想写" hints for near-miss keys.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable, Optional, Union

from pydantic import BaseModel, ValidationError

from ..errors import Diagnostic, LedgerError
from .limits import Limits
from .models import LedgerFile, Rejected
from .values import shorten as _shorten
from .values import show_value as _short

__all__ = ["RECORD_FIELDS", "Locate", "FindLines", "InvalidFile", "cause_of", "place_of", "validate_file", "raw_ids"]


class InvalidFile(LedgerError):
    """A ledger file with errors; ``ids`` are the item ids it holds (index, id), as written.

    The loader checks them against the other files' ids, so that a duplicate
    id is reported in the same run as the file's other errors.
    """

    def __init__(self, diagnostics: Any, ids: list[tuple[int, str]]) -> None:
        super().__init__(diagnostics)
        self.ids = ids


def raw_ids(data: Any) -> list[tuple[int, str]]:
    """The (index, id) of every item of a parsed file whose id is usable text or an integer."""
    items = data.get("items") if isinstance(data, dict) else None
    found = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        value = item.get("id") if isinstance(item, dict) else None
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            found.append((index, str(value).strip()))
    return found


_CAUSES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知的字段",
    "list_type": "应为列表",
    "dict_type": "应为映射(键: 值)",
    "model_type": "应为映射(键: 值)",
    "model_attributes_type": "应为映射(键: 值)",
}

def place_of(loc: tuple, data: Any) -> str:
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
        expected = error.get("ctx", {}).get("expected", "").replace("'", "")
        got = error["input"]
        choices = [word.strip() for word in expected.replace(" or ", ",").split(",") if word.strip()]
        hints = difflib.get_close_matches(got, choices, n=1, cutoff=0.6) if isinstance(got, str) and len(got) <= 40 else []
        return f"应为 {', '.join(choices)} 之一,实际为 {_short(got)}" + (f",是否想写 {hints[0]!r}?" if hints else "")
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

# A reader's way of naming the place of a value (a sheet's cell, a line): the place, or
# (file, place) when the value came from another file of the same ledger (a run's CSV files).
Locate = Callable[[tuple], Union[str, tuple[str, str], None]]
# A text reader's way of finding the lines of places (see :mod:`.lines`): called once, with every place.
FindLines = Callable[[list], dict]

# The record lists of an item: under skip_invalid a bad record drops only itself.
RECORD_FIELDS = frozenset({"milestones", "issues", "supervisions", "visits", "responses"})


def _located(exc: ValidationError, data: Any, shown: str, locate: Optional[Locate],
             lines: Optional[FindLines] = None) -> list[tuple[tuple, Diagnostic]]:
    """Every error of a validation, with its pydantic location and its located diagnostic."""
    errors = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if error["type"] in _POINT_AT:
            loc = loc[:-1] + (_POINT_AT[error["type"]],)
        errors.append((loc, error))
    found_lines = lines([loc for loc, _ in errors]) if lines else {}
    found = []
    for loc, error in errors:
        where = locate(loc) if locate else None
        file, place = where if isinstance(where, tuple) else (shown, where or place_of(loc, data))
        found.append((loc, Diagnostic(file, place, cause_of(error), found_lines.get(loc))))
    return found


def validate_file(
    data: Any,
    shown: str,
    limits: Limits,
    *,
    locate: Optional[Locate] = None,
    rejected: Optional[list[Rejected]] = None,
    lines: Optional[FindLines] = None,
) -> LedgerFile:
    """One parsed ledger file → its model, or a :class:`LedgerError` with every problem located.

    ``locate`` turns a pydantic location (``("items", 3, "progress")``) into the
    place a person should look at (a sheet's cell, a line), or into (file,
    place); it may return None for the default ``items[3] (P-004).progress``.
    ``lines`` (for a text file) gives the line of each place, called once with
    all of them, only when there are errors. With ``rejected`` (a list),
    items, units and records with errors are set aside instead — each error
    appended to it — and the rest is validated; errors outside them spoil the
    whole file and still raise.
    """
    if not isinstance(data, dict):
        what = "空文件" if data is None else {list: "列表", str: "文本"}.get(type(data), type(data).__name__)
        raise LedgerError.at(shown, "", f"台账顶层应为映射(含 items 列表),实际为{what}")
    items = data.get("items")
    if isinstance(items, list) and len(items) > limits.max_items:
        raise LedgerError.at(shown, "items", f"事项过多: {len(items)} 个,上限 {limits.max_items} 个")
    try:
        return LedgerFile.model_validate(data)
    except ValidationError as exc:
        errors = _located(exc, data, shown, locate, lines)
    if rejected is None:
        raise InvalidFile([d for _, d in errors], raw_ids(data))
    kept, set_aside = _set_aside(data, errors)
    try:
        document = LedgerFile.model_validate(kept)
    except ValidationError as exc:
        raise LedgerError([d for _, d in _located(exc, kept, shown, locate)]) from None
    rejected.extend(set_aside)
    return document


def _set_aside(data: dict, errors: list[tuple[tuple, Diagnostic]]) -> tuple[dict, list[Rejected]]:
    """The document without the items, units and records that have errors, and what was set aside.

    Raises the errors that are not inside an item, a unit or a record: they spoil the file.
    """
    spoiled = [d for loc, d in errors if not (len(loc) >= 2 and loc[0] in ("items", "units") and isinstance(loc[1], int))]
    if spoiled:
        raise InvalidFile([d for _, d in errors], raw_ids(data))
    items: list = list(data.get("items") or [])
    units: list = list(data.get("units") or [])
    drop_items: set[int] = set()
    drop_units: set[int] = set()
    drop_records: dict[int, dict[str, set[int]]] = {}
    set_aside = []
    for loc, diagnostic in errors:
        index = loc[1]
        if loc[0] == "units":
            drop_units.add(index)
            set_aside.append(Rejected(file=diagnostic.file, place=diagnostic.place, id=None, cause=diagnostic.cause))
            continue
        if len(loc) >= 4 and loc[2] in RECORD_FIELDS and isinstance(loc[3], int):
            drop_records.setdefault(index, {}).setdefault(loc[2], set()).add(loc[3])
        else:
            drop_items.add(index)
        set_aside.append(Rejected(file=diagnostic.file, place=diagnostic.place, id=_id_of(items, index),
                                  cause=diagnostic.cause))
    kept_items = []
    for index, item in enumerate(items):
        if index in drop_items:
            continue
        if index in drop_records and isinstance(item, dict):
            item = dict(item)
            for field, positions in drop_records[index].items():
                if isinstance(item.get(field), list):
                    item[field] = [r for j, r in enumerate(item[field]) if j not in positions]
        kept_items.append(item)
    kept = dict(data)
    kept["items"] = kept_items
    if "units" in data:
        kept["units"] = [u for index, u in enumerate(units) if index not in drop_units]
    return kept, set_aside


def _id_of(items: list, index: int) -> Optional[str]:
    item = items[index] if index < len(items) else None
    value = item.get("id") if isinstance(item, dict) else None
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()[:40]
    return None

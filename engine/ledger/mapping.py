"""Mapping files: an office's own workbook layout, told in YAML, checked like a rule pack.

::

    mapping:
      sheets:
        项目库:                              # a sheet name, or a CSV file's stem
          kind: project                      # every row's kind (or map a column to kind)
          header_row: 3                      # optional, counted from 1
          columns:
            项目代码: id
            计划竣工时间: {field: due, formats: ["%Y年%m月%d日"]}
            当前阶段: {field: progress, values: {前期: 5, 在建: 50, 竣工: 100}}
            序号: ignore
        节点计划: {records: milestones, columns: {项目代码: item, 节点: name, 时限: due}}

A column maps to a field (dotted; ``extra.NAME`` for an office's own field;
the template's Chinese header works too), to ``ignore``, or to ``{field,
formats, values}``. Every problem is located in the mapping file
(``mapping.sheets.项目库.columns.当前阶段.field``), unknown keys and fields with
"是否想写". :func:`load_mapping` gives a :class:`Mapping` whose sheets the
spreadsheet reader plans by.
"""

from __future__ import annotations

import difflib
import os
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import Diagnostic, LedgerError
from .cellvalues import CellProblem, cell_text, to_kind
from .headers import EXEMPT_HEADERS, SheetRole, columns_of, header_key, headers_of
from .limits import DEFAULT_LIMITS, Limits
from .parse import parse_document
from .read import read_text
from .sheets import Bound
from .validate import cause_of

__all__ = ["Mapping", "MappedSheet", "load_mapping", "RECORD_KINDS"]

RECORD_KINDS = ("milestones", "issues", "supervisions", "visits", "responses", "units", "meetings")
# Fields a sheet of each role must fill; without a column for them every row would be refused.
_REQUIRED = {
    "items": ("id", "title"), "milestones": ("item", "due"), "issues": ("item", "type", "raised_on"),
    "supervisions": ("item", "date"), "visits": ("item", "date"), "responses": ("item", "date"),
    "units": ("name",), "meetings": ("date",),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    """A column mapped with options: its field, the date formats to try, a table of cell texts."""

    field: str
    formats: Optional[list[str]] = None
    values: Optional[dict[Union[str, int, float, bool], Any]] = None


class SheetSpec(_Strict):
    kind: Optional[str] = None
    records: Optional[Literal["milestones", "issues", "supervisions", "visits", "responses", "units", "meetings"]] = None
    header_row: Optional[int] = Field(default=None, ge=1)
    columns: dict[str, Any]


class _Sheets(_Strict):
    sheets: dict[str, SheetSpec]


class MappingFile(_Strict):
    """A mapping file as written: the one key ``mapping``."""

    mapping: _Sheets


@dataclass(frozen=True)
class MappedSheet:
    """One mapped sheet, ready for :func:`~.sheets.plan_sheet`: its role, header row and columns."""

    name: str
    role: SheetRole
    header_row: Optional[int]
    columns: dict[str, Optional[Bound]]


@dataclass(frozen=True)
class Mapping:
    """A checked mapping file: its mapped sheets by name."""

    file: str
    sheets: dict[str, MappedSheet]

    def sheet(self, name: str) -> Optional[MappedSheet]:
        return self.sheets.get(_sheet_key(name))


def _sheet_key(name: str) -> str:
    return unicodedata.normalize("NFKC", str(name)).strip()


def _place(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# The keys allowed at each depth of a mapping file, for "是否想写" on an unknown one.
_KEYS_AT = {1: list(MappingFile.model_fields), 2: list(_Sheets.model_fields), 4: list(SheetSpec.model_fields)}


def _cause(error: Any) -> str:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden" and len(loc) in _KEYS_AT:
        key = str(loc[-1])
        hint = difflib.get_close_matches(key, _KEYS_AT[len(loc)], n=1, cutoff=0.6)
        return f"未知的字段 {key!r}" + (f",是否想写 {hint[0]!r}?" if hint else "")
    return cause_of(error, MappingFile)


def load_mapping(source: Union[str, os.PathLike, dict], limits: Limits = DEFAULT_LIMITS) -> Mapping:
    """Read and check a mapping file (or an already parsed mapping); every problem located."""
    if isinstance(source, dict):
        shown, data = "<映射>", source
    else:
        shown = os.fspath(source)
        data = parse_document(read_text(Path(shown), shown, limits), shown, Path(shown).suffix, limits)
    if not isinstance(data, dict):
        raise LedgerError.at(shown, "", "映射文件顶层应为映射,只含 mapping 一个键")
    try:
        parsed = MappingFile.model_validate(data)
    except ValidationError as exc:
        raise LedgerError([Diagnostic(shown, _place(tuple(e["loc"])), _cause(e))
                           for e in exc.errors(include_url=False)]) from None
    problems: list[Diagnostic] = []
    sheets = {}
    for name, spec in parsed.mapping.sheets.items():
        checked = _check_sheet(shown, str(name), spec, ("mapping", "sheets", str(name)), problems)
        if checked is not None:
            sheets[_sheet_key(name)] = checked
    if problems:
        raise LedgerError(problems)
    return Mapping(shown, sheets)


def _check_sheet(shown: str, name: str, spec: SheetSpec, at: tuple, problems: list[Diagnostic]) -> Optional[MappedSheet]:
    def problem(where: tuple, cause: str) -> None:
        problems.append(Diagnostic(shown, _place(at + where), cause))

    kind = None
    if spec.kind is not None and spec.records is not None:
        problem(("kind",), "kind 与 records 只能写一个: 事项表写 kind,记录表写 records")
    if spec.kind is not None:
        try:
            kind = to_kind(spec.kind)
        except CellProblem as exc:
            problem(("kind",), exc.cause)
    role = SheetRole(spec.records or "items", kind)
    columns: dict[str, Optional[Bound]] = {}
    targets: dict[str, str] = {}
    before = len(problems)
    for header, target in spec.columns.items():
        where = ("columns", str(header))
        bound = _check_column(str(header), target, role.role, lambda w, c, base=where: problem(base + w, c))
        key = header_key(header)
        if bound is not None:
            if bound.field in targets:
                problem(where, f"与列 {targets[bound.field]!r} 都映射到 {bound.field}")
            targets[bound.field] = str(header)
        columns[key] = bound
    if len(problems) > before:
        return None
    if role.role == "items" and spec.kind is None and "kind" not in targets:
        problem((), "事项表应写 kind(每行的类别),或把一列映射到 kind")
    missing = [f for f in _REQUIRED[role.role] if f not in targets and not (f == "kind" and kind)]
    if missing:
        problem(("columns",), f"缺少映射到 {'、'.join(missing)} 的列(必填字段)")
    return MappedSheet(name, role, spec.header_row, columns)


def _fields_of(role: str) -> dict[str, Any]:
    """Field path → column of the template, for the targets a sheet of ``role`` may map to."""
    return {c.field: c for c in columns_of(role)}


def _check_column(header: str, target: Any, role: str, problem: Any) -> Optional[Bound]:
    if header_key(header) in {header_key(h) for h in EXEMPT_HEADERS} and target == "ignore":
        return None
    if isinstance(target, str):
        spec = ColumnSpec(field=target)
    elif isinstance(target, dict):
        try:
            spec = ColumnSpec.model_validate(target)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                problem(tuple(error["loc"]), cause_of(error, ColumnSpec))
            return None
    else:
        problem((), f"应为字段名、ignore 或 {{field, formats, values}},实际为 {cell_text(target)!r}")
        return None
    if spec.field == "ignore" and spec.formats is None and spec.values is None:
        return None
    found = _target(spec.field, role)
    if found is None:
        names = list(_fields_of(role)) + [c.header for c in columns_of(role)]
        hint = difflib.get_close_matches(spec.field, names, n=1, cutoff=0.6)
        where = () if isinstance(target, str) else ("field",)
        problem(where, f"未知的字段 {spec.field!r}" + (f",是否想写 {hint[0]!r}?" if hint else "")
                + ("" if hint or role != "items" else "(自有字段写 extra.名称)"))
        return None
    field_path, type_ = found
    formats = None
    if spec.formats is not None:
        if type_ not in ("date", "extra"):
            problem(("formats",), f"formats 只用于日期字段,{field_path} 不是日期")
        for index, form in enumerate(spec.formats):
            if not _round_trips(form):
                problem(("formats", index), f"不是可用的日期格式 {form!r}(应含 %Y、%m、%d 等,例如 %Y年%m月%d日)")
        formats = tuple(spec.formats)
    values = None
    if spec.values is not None:
        values = {}
        for key, value in spec.values.items():
            if isinstance(value, (dict, list)) or value is None:
                problem(("values", cell_text(key)), "values 的值应为文本、数值或布尔值")
            values[cell_text(key)] = value
    return Bound(-1, header, field_path, type_, formats, values)


def _target(name: str, role: str) -> Optional[tuple[str, str]]:
    """(field path, cell type) of a mapping target on a sheet of ``role``, or None when unknown."""
    if role == "items" and name.startswith("extra."):
        return (name, "extra") if name[6:].isidentifier() else None
    fields = _fields_of(role)
    if name in fields:
        return name, fields[name].type
    column = headers_of(role).get(header_key(name))
    return (column.field, column.type) if column is not None else None


def _round_trips(form: str) -> bool:
    """A strftime format that can write and read back a day (so it names year, month and day)."""
    if "%" not in form:
        return False
    sample = date(2026, 3, 14)
    try:
        return datetime.strptime(sample.strftime(form), form).date() == sample
    except ValueError:
        return False

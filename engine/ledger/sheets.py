"""A sheet as read, and its plan: which row holds the headers and which column fills which field.

The readers (:mod:`.xlsx`, :mod:`.csv`) give a :class:`Sheet` — rows of cell
values and the merged ranges — and :func:`plan_sheet` finds its header row
(the first of the first 10 rows with two known headers, below any title),
binds each column to a field by the template's vocabulary or a mapping, and
says what it refused (a near-miss header: "是否想写") and what it ignored.
:mod:`.assemble` then reads the data rows by the plan.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from ..errors import Diagnostic
from .cellvalues import cell_text, is_blank
from .headers import EXEMPT_HEADERS, Column, SheetRole, header_key, headers_of, unit_free

__all__ = ["Sheet", "Bound", "Plan", "SheetSpecLike", "column_letter", "plan_sheet", "HEADER_SEARCH_ROWS"]

HEADER_SEARCH_ROWS = 10
_EXEMPT_KEYS = frozenset(header_key(h) for h in EXEMPT_HEADERS)


def column_letter(index: int) -> str:
    """A column's letters from its 0-based index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Sheet:
    """One sheet (or one CSV file) as read: its rows of cell values, row 1 first.

    ``merges`` are merged ranges as (first row, first column, last row, last
    column), 1-based; ``file`` is the file shown in messages; in a CSV file
    (``csv``) a place names only the cell.
    """

    name: str
    rows: list[list[Any]]
    file: str
    csv: bool = False
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False
    # Rows (1-based) whose only content was one cell merged across the row: a section heading.
    headings: set[int] = field(default_factory=set)

    def spread_merges(self) -> None:
        """Give a merged range's value to every cell it covers (a unit merged down several rows)."""
        for top, left, bottom, right in self.merges:
            if top > len(self.rows):
                continue
            source = self.rows[top - 1]
            value = source[left - 1] if left - 1 < len(source) else None
            if right > left and top == bottom and sum(not is_blank(v) for v in source) == (0 if is_blank(value) else 1):
                self.headings.add(top)
            for r in range(top, min(bottom, len(self.rows)) + 1):
                row = self.rows[r - 1]
                if len(row) < right:
                    row.extend([None] * (right - len(row)))
                for c in range(left, right + 1):
                    if r != top or c != left:
                        row[c - 1] = value

    def where(self, row: int, column: Optional[int] = None) -> str:
        """The place of a cell (``重点项目!H12``, in CSV ``H12``), or of a row without a column."""
        cell = f"{column_letter(column)}{row}" if column is not None else f"第 {row} 行"
        return cell if self.csv else f"{self.name}!{cell}"


@dataclass(frozen=True)
class Bound:
    """A column bound to a field: where it is, its header as written, how its cells are read."""

    index: int
    header: str
    field: str
    type: str
    formats: Optional[tuple[str, ...]] = None
    values: Optional[dict[str, Any]] = None


class SheetSpecLike:
    """What :func:`plan_sheet` reads from a mapped sheet (see :mod:`.mapping`)."""

    role: SheetRole
    header_row: Optional[int]
    columns: dict[str, Optional[Bound]]  # header key → binding (index unset), None for ``ignore``


@dataclass
class Plan:
    """How to read one sheet: its role, header row, bound columns, and where data starts."""

    sheet: Sheet
    role: SheetRole
    header_row: int
    data_start: int
    columns: list[Bound]
    order: int = 0

    def column(self, field_path: str) -> Optional[Bound]:
        for bound in self.columns:
            if bound.field == field_path:
                return bound
        return None


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one inserted, deleted or replaced character."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False


def _lookup(known: dict[str, Any], key: str) -> Any:
    return known.get(key) if key in known else known.get(unit_free(key))


def _header_texts(sheet: Sheet, top: int, bottom: int) -> list[str]:
    """Each column's header: the lowest non-empty cell of the header rows (a two-row header)."""
    width = max((len(sheet.rows[r - 1]) for r in range(top, bottom + 1)), default=0)
    texts = []
    for c in range(width):
        text = ""
        for r in range(top, bottom + 1):
            row = sheet.rows[r - 1]
            if c < len(row) and not is_blank(row[c]):
                text = " ".join(cell_text(row[c]).split())
        texts.append(text)
    return texts


def _find_header_row(sheet: Sheet, known: dict[str, Any]) -> Optional[int]:
    for number, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS], 1):
        hits = 0
        for value in row:
            if not is_blank(value):
                key = header_key(cell_text(value))
                hits += key in known or unit_free(key) in known or key in _EXEMPT_KEYS
        if hits >= 2:
            return number
    return None


def plan_sheet(
    sheet: Sheet, role: SheetRole, spec: Optional[SheetSpecLike] = None,
) -> tuple[Optional[Plan], list[Diagnostic], list[str]]:
    """Plan a sheet of ``role`` by the template (or by a mapped sheet's ``spec``).

    The header row is the first of the first 10 rows with two known headers
    (序号, 备注 and 说明 count: they are headers too).

    Returns the plan (None for a sheet without any content), the errors that
    spoil the sheet (no header row, a near-miss header, a column given twice)
    and the headers it ignored.
    """
    known: dict[str, Any] = dict(spec.columns) if spec else dict(headers_of(role.role))
    if spec and spec.header_row:
        header_row: Optional[int] = spec.header_row
        if header_row > len(sheet.rows):
            return None, [Diagnostic(sheet.file, sheet.where(header_row), "表头行超出工作表的范围")], []
    else:
        header_row = _find_header_row(sheet, known)
    if header_row is None:
        if all(is_blank(v) for row in sheet.rows for v in row):
            return None, [], []
        expected = "、".join(list(dict.fromkeys(_shown_headers(role, spec)))[:4])
        return None, [Diagnostic(sheet.file, "" if sheet.csv else sheet.name,
                                 f"前 {HEADER_SEARCH_ROWS} 行中找不到表头行(至少含两个已知列名,如 {expected})")], []
    bottom = max([b for t, _, b, _ in sheet.merges if t == header_row] + [header_row])
    texts = _header_texts(sheet, header_row, bottom)
    keys = [header_key(t) for t in texts]
    problems: list[Diagnostic] = []
    ignored: list[str] = []
    columns: list[Bound] = []
    seen: dict[str, int] = {}
    present = set(keys)
    bound_fields = {_field_of(_lookup(known, k)) for k in keys if _lookup(known, k) is not None}
    for index, (text, key) in enumerate(zip(texts, keys)):
        if not key or key in _EXEMPT_KEYS:
            continue
        extra = _extra_field(text) if role.role == "items" and not spec else None
        if extra:
            known[key] = Bound(-1, text, extra, "extra")
        entry = _lookup(known, key)
        if key in known or unit_free(key) in known:
            if entry is None:  # mapped to ignore
                continue
            binding = _bind(entry, index, text)
            if binding.field in seen:
                problems.append(Diagnostic(sheet.file, sheet.where(header_row, index),
                                           f"列 {text!r} 与 {column_letter(seen[binding.field])} 列重复(都是 {binding.field})"))
                continue
            seen[binding.field] = index
            columns.append(binding)
            continue
        if spec:
            hint = difflib.get_close_matches(key, [k for k in known if k not in present], n=1, cutoff=0.5)
            problems.append(Diagnostic(sheet.file, sheet.where(header_row, index),
                                       f"列 {text!r} 不在映射中(映射到字段或写 ignore)"
                                       + (f",是否想写 {_header_of(known, hint[0])!r}?" if hint else "")))
            continue
        near = [k for k in known if _one_edit(key, k)]
        if near and not any(k in present or _field_of(known[k]) in bound_fields for k in near):
            problems.append(Diagnostic(sheet.file, sheet.where(header_row, index),
                                       f"未知的列名 {text!r},是否想写 {_header_of(known, near[0])!r}?"))
            continue
        ignored.append(text)
    plan = Plan(sheet, role, header_row, bottom + 1, columns)
    if role.role == "items" and role.kind is None and plan.column("kind") is None:
        problems.append(Diagnostic(sheet.file, sheet.where(header_row), "缺少 类别 列: 不以类别命名的工作表须注明每行的类别"))
    if role.role not in ("items", "units", "info", "meetings") and plan.column("item") is None:
        problems.append(Diagnostic(sheet.file, sheet.where(header_row), "缺少 事项编号 列: 记录须注明所属事项"))
    return plan, problems, ignored


def _extra_field(text: str) -> Optional[str]:
    """``extra.NAME`` written as a header: the field's own name, like ``investment.planned``."""
    name = unicodedata.normalize("NFKC", text).strip()
    return name if name.startswith("extra.") and name[6:].isidentifier() else None


def _field_of(entry: Any) -> Optional[str]:
    return None if entry is None else entry.field


def _bind(entry: Any, index: int, text: str) -> Bound:
    if isinstance(entry, Bound):
        return Bound(index, text, entry.field, entry.type, entry.formats, entry.values)
    column: Column = entry
    return Bound(index, text, column.field, column.type)


def _header_of(known: dict[str, Any], key: str) -> str:
    """The header a person would write for ``key``: the template's word, a synonym, or the mapping's."""
    entry = known[key]
    if isinstance(entry, Column):
        return next((n for n in (entry.header, *entry.synonyms, entry.field) if header_key(n) == key), entry.header)
    return entry.header if entry is not None else key


def _shown_headers(role: SheetRole, spec: Optional[SheetSpecLike]) -> Sequence[str]:
    if spec:
        return [b.header for b in spec.columns.values() if b is not None]
    return [c.header for c in headers_of(role.role).values()]

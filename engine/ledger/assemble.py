"""Planned sheets → the raw ledger mapping a YAML file would give, with the cell of every value.

Item rows become items, record rows (节点, 问题 …) are tied to their item by
事项编号, 责任单位 rows become units, 台账信息 and 会议 the ledger's header.
Every row remembers where it came from, so that :meth:`Workbook.locate` can
turn a pydantic location (``("items", 3, "progress")``) into
``重点项目!H12 (P-004).形象进度`` for :func:`~.validate.validate_file`.
Cells that cannot be read are problems of their row: with ``skip`` the row
is set aside (a bad item takes its records with it), otherwise every problem
is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..errors import Diagnostic
from .cellvalues import CellProblem, cell_text, clean_text, convert
from .headers import RECORD_COLUMNS, field_headers, header_key
from .models import Rejected
from .sheets import Bound, Plan
from .validate import RECORD_FIELDS

__all__ = ["Workbook", "assemble", "TOTAL_WORDS"]

# A row that sums the others (合计) is not an item.
TOTAL_WORDS = frozenset({"合计", "小计", "总计"})
_ITEM_HEADERS = field_headers()


@dataclass(frozen=True)
class RowAt:
    """Where a row of the ledger came from: its sheet's plan, its row number, its item's id."""

    plan: Plan
    row: int
    id: Optional[str]

    def place(self, field_path: Optional[str]) -> tuple[str, str, tuple]:
        """(file, place, sort key) of this row's cell for ``field_path`` (the row when it has none)."""
        bound = self.plan.column(field_path) if field_path else None
        sheet = self.plan.sheet
        where = sheet.where(self.row, bound.index if bound else None)
        who = f" ({self.id[:40]})" if self.id else ""
        header = bound.header if bound else (_header(self.plan, field_path) if field_path else "")
        text = f"{where}{who}" + (f".{header}" if header else "")
        return sheet.file, text, (self.plan.order, self.row, bound.index if bound else -1)


def _header(plan: Plan, field_path: str) -> str:
    if plan.role.role == "items":
        return _ITEM_HEADERS.get(field_path, field_path)
    for column in RECORD_COLUMNS.get(plan.role.role, ()):
        if column.field == field_path:
            return column.header
    return field_path


@dataclass
class Workbook:
    """One workbook (or one run's CSV files) as a raw ledger mapping, with the places of its rows."""

    data: dict[str, Any] = field(default_factory=lambda: {"items": []})
    items_at: list[RowAt] = field(default_factory=list)
    records_at: list[dict[str, list[RowAt]]] = field(default_factory=list)
    units_at: list[RowAt] = field(default_factory=list)
    info_at: Optional[RowAt] = None
    meetings_at: list[RowAt] = field(default_factory=list)
    # (sort key, diagnostic, spoils the whole file)
    problems: list[tuple[tuple, Diagnostic, bool]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    order: dict[tuple[str, str], tuple] = field(default_factory=dict)

    def locate(self, loc: tuple) -> Optional[tuple[str, str]]:
        """A pydantic location of :attr:`data` as (file, sheet!cell place), or None."""
        at, rest = self._row_of(loc)
        if at is None:
            return None
        field_path = ".".join(str(p) for p in rest) if rest else None
        file, place, key = at.place(field_path)
        self.order[(file, place)] = key
        return file, place

    def _row_of(self, loc: tuple) -> tuple[Optional[RowAt], tuple]:
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int) and loc[1] < len(self.items_at):
            i, rest = loc[1], loc[2:]
            if len(rest) >= 2 and rest[0] in RECORD_FIELDS and isinstance(rest[1], int):
                rows = self.records_at[i].get(rest[0], [])
                return (rows[rest[1]], rest[2:3]) if rest[1] < len(rows) else (self.items_at[i], ())
            return self.items_at[i], rest
        if len(loc) >= 2 and loc[0] == "units" and isinstance(loc[1], int) and loc[1] < len(self.units_at):
            return self.units_at[loc[1]], loc[2:3]
        if len(loc) >= 2 and loc[0] == "ledger":
            if loc[1] == "meetings" and len(loc) >= 3 and isinstance(loc[2], int) and loc[2] < len(self.meetings_at):
                return self.meetings_at[loc[2]], loc[3:4]
            if self.info_at is not None and loc[1] != "meetings":
                return self.info_at, loc[1:2]
        return None, ()

    def item_places(self) -> dict[str, tuple[str, str]]:
        """Where each item is: id → (file, the cell of its id such as ``重点项目!A5``)."""
        places = {}
        for at in self.items_at:
            if at.id is not None:
                bound = at.plan.column("id")
                places[at.id] = (at.plan.sheet.file, at.plan.sheet.where(at.row, bound.index if bound else None))
        return places

    def problem(self, at: RowAt, field_path: Optional[str], cause: str, spoils: bool = False) -> Diagnostic:
        file, place, key = at.place(field_path)
        self.order[(file, place)] = key
        diagnostic = Diagnostic(file, place, cause)
        self.problems.append((key, diagnostic, spoils))
        return diagnostic

    def sort_key(self, diagnostic: Diagnostic) -> tuple:
        return self.order.get((diagnostic.file, diagnostic.place), (1 << 30, 0, 0))


# --- reading rows ------------------------------------------------------------------------


def _value(raw: Any, bound: Bound) -> Any:
    if bound.values is not None:
        text = cell_text(raw)
        if text not in bound.values:
            shown = "、".join(list(bound.values)[:8])
            raise CellProblem(f"{text!r} 不在映射的 values 中(可填: {shown})")
        raw = bound.values[text]
        if not isinstance(raw, str):
            return raw
    return convert(raw, bound.type, bound.formats)


def _read(plan: Plan, row: list[Any]) -> tuple[dict[str, Any], list[tuple[Bound, str]]]:
    values: dict[str, Any] = {}
    bad: list[tuple[Bound, str]] = []
    width = len(row)
    for bound in plan.columns:
        raw = row[bound.index] if bound.index < width else None
        if raw is None:
            continue
        if type(raw) is str:  # the common case, kept short: most cells are plain text
            raw = clean_text(raw)
            if not raw:
                continue
            if bound.type == "text" and bound.values is None:
                values[bound.field] = raw
                continue
        try:
            values[bound.field] = _value(raw, bound)
        except CellProblem as problem:
            bad.append((bound, problem.cause))
    return values, bad


def _is_total(plan: Plan, row: list[Any], values: dict[str, Any]) -> bool:
    if values.get("id") or values.get("item"):
        return False
    return any(isinstance(v, str) and header_key(v) in TOTAL_WORDS for v in row)


def _rows(plan: Plan, book: Workbook):
    """The data rows of a planned sheet worth reading: (row number, values, bad cells)."""
    totals = []
    for number in range(plan.data_start, len(plan.sheet.rows) + 1):
        if number in plan.sheet.headings:
            continue
        row = plan.sheet.rows[number - 1]
        values, bad = _read(plan, row)
        if not values and not bad:
            continue  # empty, or only 序号/备注/说明 and columns duban does not read
        if _is_total(plan, row, values):
            totals.append(number)
            continue
        yield number, values, bad
    if totals:
        shown = "、".join(plan.sheet.where(n) for n in totals)
        book.notes.append(f"{plan.sheet.file}: 已跳过合计行 {shown}")


def _nested(values: dict[str, Any]) -> dict[str, Any]:
    """``{"investment.planned": 1}`` → ``{"investment": {"planned": 1}}``."""
    out: dict[str, Any] = {}
    for path, value in values.items():
        head, dot, rest = path.partition(".")
        if dot:
            out.setdefault(head, {})[rest] = value
        else:
            out[path] = value
    return out


# --- the workbook ------------------------------------------------------------------------


def assemble(plans: list[Plan], skip: bool) -> Workbook:
    """Read every planned sheet into one raw ledger mapping; items first, so records find them."""
    book = Workbook()
    for order, plan in enumerate(plans):
        plan.order = order
    by_id: dict[str, int] = {}
    set_aside: set[str] = set()
    for plan in plans:
        if plan.role.role == "items":
            _items(plan, book, by_id, set_aside, skip)
    for plan in plans:
        role = plan.role.role
        if role in RECORD_FIELDS:
            _records(plan, book, by_id, set_aside, skip)
        elif role == "units":
            _units(plan, book, skip)
        elif role in ("info", "meetings"):
            _header_rows(plan, book)
    return book


def _set_aside(book: Workbook, at: RowAt, bad: list[tuple[Bound, str]]) -> None:
    for bound, cause in bad:
        file, place, key = at.place(bound.field)
        book.order[(file, place)] = key
        book.rejected.append(Rejected(file=file, place=place, id=at.id, cause=cause))


def _items(plan: Plan, book: Workbook, by_id: dict[str, int], set_aside: set[str], skip: bool) -> None:
    kind = plan.role.kind
    for number, values, bad in _rows(plan, book):
        item_id = values.get("id")
        at = RowAt(plan, number, item_id)
        if kind is not None:
            given = values.get("kind")
            if given is not None and given != kind:
                bound = plan.column("kind")
                bad.append((bound, f"类别 {given!r} 与工作表 {plan.sheet.name}({kind})不一致"))  # type: ignore[arg-type]
            values["kind"] = kind
        if item_id is not None and item_id in by_id:
            first = book.items_at[by_id[item_id]] if by_id[item_id] >= 0 else None
            seen = f",已见于 {first.place('id')[1].split(' (')[0]}" if first else ""
            book.problem(at, "id", f"编号重复{seen}", spoils=True)
            continue
        if skip and bad:
            _set_aside(book, at, bad)
            if item_id is not None:
                set_aside.add(item_id)
                by_id[item_id] = -1
            continue
        for bound, cause in bad:
            book.problem(at, bound.field, cause)
        if item_id is not None:
            by_id[item_id] = len(book.items_at)
        book.data["items"].append(_nested(values))
        book.items_at.append(at)
        book.records_at.append({})


def _records(plan: Plan, book: Workbook, by_id: dict[str, int], set_aside: set[str], skip: bool) -> None:
    role = plan.role.role
    for number, values, bad in _rows(plan, book):
        item_id = values.pop("item", None)
        at = RowAt(plan, number, item_id)
        if item_id in set_aside:
            continue  # its item was set aside, and takes its records with it
        index = by_id.get(item_id) if item_id is not None else None
        if index is None:
            cause = "缺少事项编号" if item_id is None else f"本工作簿中没有编号为 {item_id!r} 的事项"
            bad.insert(0, (plan.column("item"), cause))  # type: ignore[arg-type]
        if skip and bad:
            _set_aside(book, at, bad)
            continue
        for bound, cause in bad:
            book.problem(at, bound.field, cause)
        if index is None:
            continue
        item = book.data["items"][index]
        item.setdefault(role, []).append(values)
        book.records_at[index].setdefault(role, []).append(at)


def _units(plan: Plan, book: Workbook, skip: bool) -> None:
    units = book.data.setdefault("units", [])
    for number, values, bad in _rows(plan, book):
        at = RowAt(plan, number, values.get("name"))
        if skip and bad:
            _set_aside(book, at, bad)
            continue
        for bound, cause in bad:
            book.problem(at, bound.field, cause)
        units.append(values)
        book.units_at.append(at)


def _header_rows(plan: Plan, book: Workbook) -> None:
    """台账信息 (one row: 县, 基准日) and 会议 (a header row alone says that meetings are recorded)."""
    ledger = book.data.setdefault("ledger", {})
    if plan.role.role == "meetings":
        meetings = ledger.setdefault("meetings", [])
    for number, values, bad in _rows(plan, book):
        at = RowAt(plan, number, None)
        for bound, cause in bad:
            book.problem(at, bound.field, cause, spoils=True)
        if plan.role.role == "meetings":
            meetings.append(values)
            book.meetings_at.append(at)
        elif book.info_at is not None:
            book.problem(at, None, f"台账信息只能填一行(已有 {book.info_at.place(None)[1]})", spoils=True)
        else:
            ledger.update(values)
            book.info_at = at

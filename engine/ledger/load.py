"""Ledger files → one validated :class:`~engine.ledger.Ledger`.

The entry of the ledger package: each source is read (:mod:`.read`), parsed
(:mod:`.parse`) and validated (:mod:`.validate`); the files are then merged
into one ledger, and the oddities accepted on purpose become notes. All
problems of all files are reported together, each located by file, item and
field.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, Union

from .._collector import collector_paused
from ..errors import Diagnostic, LedgerError
from .jsonl import JSONL_SUFFIXES, InvalidLines, load_jsonl
from .limits import DEFAULT_LIMITS, Limits
from .lines import lines_of
from .models import Item, Ledger, LedgerFile, LedgerInfo, Meeting, Rejected, Unit
from .parse import document_suffix, parse_document
from .read import STDIN, STDIN_SHOWN, display_name, read_text
from .mapping import Mapping as SheetMapping
from .mapping import load_mapping
from .spreadsheet import CSV_SUFFIX, OLD_SUFFIXES, WORKBOOK_SUFFIXES, load_csv_files, load_workbook
from .validate import InvalidFile, validate_file
from .values import id_key

__all__ = ["load_ledger", "merge", "duplicate_ids", "MAPPING_NAME"]

LedgerSource = Union[str, os.PathLike, Mapping[str, Any]]

MAPPING_NAME = "<数据>"

# Where a reader says a file's items are, when not ``items[N]``: by id (a sheet's cell, ``重点项目!A5``)
# or, for a file read line by line, by position (``第 1203 行``); each as (file, place).
Places = Union[Mapping[str, tuple[str, str]], Sequence[tuple[str, str]]]


def merge(files: list[tuple[str, LedgerFile]], rejected: Iterable[Rejected] = (), notes: Iterable[str] = (),
          places: Optional[dict[int, Places]] = None) -> Ledger:
    """Several validated files → one ledger; disagreeing headers, repeated units or ids are errors.

    ``notes`` are the readers' own (a spreadsheet's ignored columns …), kept before the merge's;
    ``places`` gives, by the file's index, where its items are when that is not ``items[N]``
    (:data:`Places`: id → (file, ``重点项目!A5``), or one (file, ``第 N 行``) per item).
    """
    problems: list[Diagnostic] = []
    info: dict[str, Any] = {}
    info_from: dict[str, str] = {}
    units: list[Unit] = []
    unit_from: dict[str, str] = {}
    items: list[Item] = []
    origins: dict[str, tuple[str, str]] = {}
    meetings: Optional[list[Meeting]] = None
    for number, (shown, doc) in enumerate(files):
        where = (places or {}).get(number)
        if doc.ledger is not None:
            # Meetings are records, concatenated across files; the other fields must agree.
            if doc.ledger.meetings is not None:
                meetings = (meetings or []) + list(doc.ledger.meetings)
            for key, value in doc.ledger.model_dump(exclude_none=True, exclude={"meetings"}).items():
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
            if item.id not in origins:
                origins[item.id] = _item_place(shown, where, index, item.id)
        items.extend(doc.items)
    problems.extend(duplicate_ids(
        entry for number, (shown, doc) in enumerate(files) for entry in _placed_ids(shown, doc, (places or {}).get(number))))
    if problems:
        raise LedgerError(problems)
    ledger = Ledger(
        info=LedgerInfo(**info, meetings=meetings),
        units=units,
        items=items,
        sources=[shown for shown, _ in files],
        notes=list(notes) + _notes(units, items),
        rejected=list(rejected),
    )
    ledger._origins = origins
    return ledger


def duplicate_ids(entries: Iterable[tuple[str, str, str]]) -> list[Diagnostic]:
    """An error for every item whose id was already seen, from (file, place, id) in reading order."""
    seen: dict[str, str] = {}
    problems = []
    for file, place, item_id in entries:
        if item_id in seen:
            problems.append(Diagnostic(file, f"{place} ({item_id}).id", f"编号重复,已见于 {seen[item_id]}"))
        else:
            seen[item_id] = f"{file} {place}"
    return problems


def _placed_ids(shown: str, doc: LedgerFile, where: Optional[Places]) -> list[tuple[str, str, str]]:
    """(file, place, id) of a validated file's items: ``items[N]``, a sheet's row, or a line."""
    return [(*_item_place(shown, where, index, item.id), item.id) for index, item in enumerate(doc.items)]


def _item_place(shown: str, where: Optional[Places], index: int, item_id: str) -> tuple[str, str]:
    """(file, place) of a file's item ``index``: where its reader says it is, else ``items[N]``."""
    if where is None:
        return shown, f"items[{index}]"
    if isinstance(where, Mapping):
        return where.get(item_id, (shown, f"items[{index}]"))
    return where[index]


def _look_alikes(items: list[Item]) -> Optional[str]:
    """A note naming ids that differ only in full-width forms, case or the kind of dash: probable duplicates."""
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(id_key(item.id), []).append(item.id)
    alike = sorted(" / ".join(sorted(ids)) for ids in groups.values() if len(ids) > 1)
    if not alike:
        return None
    return (f"{len(alike)} 组事项编号只差全角半角、大小写或连字符,疑为同一事项重复录入: "
            + "; ".join(alike[:5]) + (" 等" if len(alike) > 5 else ""))


def _notes(units: list[Unit], items: list[Item]) -> list[str]:
    """Oddities accepted on purpose, each summarised in one line."""
    notes = []
    if not items:
        notes.append("台账中没有事项(items 为空),没有可检查的内容")
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
    alike = _look_alikes(items)
    if alike:
        notes.append(alike)
    return notes


def _sample(ids: list[str], shown: int = 10) -> str:
    head = ", ".join(ids[:shown])
    return head + (f" 等(共 {len(ids)} 个)" if len(ids) > shown else "")


# --- the public entry --------------------------------------------------------


@collector_paused()
def load_ledger(
    sources: LedgerSource | Iterable[LedgerSource],
    *,
    limits: Limits = DEFAULT_LIMITS,
    skip_invalid: bool = False,
    mapping: Optional[Union[str, os.PathLike, Mapping[str, Any]]] = None,
) -> Ledger:
    """Load, validate and merge one or more ledgers.

    ``sources`` is a path, a list of paths, or an already parsed mapping (or a
    list mixing both). A path is read by its extension: YAML, JSON, JSON Lines
    (.jsonl or .ndjson: one item per line, read a chunk at a time; ``ledger``
    and ``units`` come from another file), a workbook (.xlsx) or CSV (a run's
    CSV files are the sheets of one workbook, each named like its sheet); ``mapping`` (a mapping file, or its parsed content)
    describes workbooks in an office's own layout. Raises :class:`LedgerError`
    with every problem found in every file, each located by file, item and
    field (a sheet's cell). With ``skip_invalid`` an item, unit or record
    with errors is set aside instead (listed in the ledger's ``rejected``);
    errors that spoil a whole file still raise.
    """
    if isinstance(sources, (str, os.PathLike, Mapping)):
        sources = [sources]
    sources = list(sources)
    files: list[tuple[str, LedgerFile]] = []
    notes: list[str] = []
    problems: list[Diagnostic] = []
    rejected: Optional[list[Rejected]] = [] if skip_invalid else None
    layout: Optional[SheetMapping] = None
    if mapping is not None:  # a broken mapping would misread every workbook: it stops the run first
        layout = load_mapping(dict(mapping) if isinstance(mapping, Mapping) else mapping, limits)
    # A run's CSV files are the sheets of one workbook, read where the first of them is named.
    csvs = [s for s in sources if _suffix(s) == CSV_SUFFIX]
    # Beside a JSON Lines file, a YAML or JSON file may hold only the ledger's info and units.
    items_elsewhere = any(_suffix(s) in JSONL_SUFFIXES for s in sources)
    places: dict[int, Places] = {}
    # The ids of every file, valid or not, in reading order: a duplicate is reported with the other errors.
    ids: list[tuple[str, str, str]] = []
    for source in _distinct(sources, problems):
        try:
            before = len(files)
            if _suffix(source) == CSV_SUFFIX:
                if source is csvs[0]:
                    shown, document, found, places[len(files)] = load_csv_files(csvs, limits, layout, rejected)  # type: ignore[arg-type]
                    files.append((shown, document))
                    notes.extend(found)
            elif _suffix(source) in JSONL_SUFFIXES:
                try:
                    shown, document, places[len(files)] = load_jsonl(source, limits, rejected)  # type: ignore[arg-type]
                except InvalidLines as exc:
                    ids.extend(exc.ids)
                    raise
                files.append((shown, document))
            elif _suffix(source) in WORKBOOK_SUFFIXES or _suffix(source) in OLD_SUFFIXES:
                shown, document, found, places[len(files)] = load_workbook(source, limits, layout, rejected)  # type: ignore[arg-type]
                files.append((shown, document))
                notes.extend(found)
            else:
                try:
                    files.append(_load_one(source, limits, rejected, items_elsewhere))
                except InvalidFile as exc:
                    ids.extend((exc.diagnostics[0].file, f"items[{index}]", item_id) for index, item_id in exc.ids)
                    raise
            for number in range(before, len(files)):
                ids.extend(_placed_ids(*files[number], places.get(number)))
        except LedgerError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise LedgerError(problems + duplicate_ids(ids))
    if not files:
        raise LedgerError.at("", "", "没有给出台账文件")
    return merge(files, rejected or (), notes, places)


def _suffix(source: LedgerSource) -> str:
    return "" if isinstance(source, Mapping) else Path(os.fspath(source)).suffix.lower()


def _distinct(sources: Iterable[LedgerSource], problems: list[Diagnostic]) -> Iterable[LedgerSource]:
    """The sources, each file once: a file given twice is one error ("文件重复"), not one per item."""
    seen: dict[Any, str] = {}
    for source in sources:
        if isinstance(source, Mapping):
            yield source
            continue
        shown = STDIN_SHOWN if os.fspath(source) == STDIN else display_name(source)
        try:
            key = "stdin" if shown == STDIN_SHOWN else (lambda info: (info.st_dev, info.st_ino))(os.stat(source))
        except (OSError, ValueError):
            yield source  # the reader says what is wrong with it
            continue
        if key in seen:
            problems.append(Diagnostic(shown, "", f"文件重复: 与 {seen[key]} 是同一个文件,只能给出一次"))
            continue
        seen[key] = shown
        yield source


def _header(data: Any, items_elsewhere: bool) -> Any:
    """A file beside a JSON Lines file may be a header only: ``ledger`` and ``units``, no ``items``."""
    if items_elsewhere and isinstance(data, dict) and "items" not in data:
        return {**data, "items": []}
    return data


def _load_one(source: LedgerSource, limits: Limits, rejected: Optional[list[Rejected]],
              items_elsewhere: bool = False) -> tuple[str, LedgerFile]:
    if isinstance(source, Mapping):
        return MAPPING_NAME, validate_file(_header(dict(source), items_elsewhere), MAPPING_NAME, limits,
                                           rejected=rejected)
    if os.fspath(source) == STDIN:
        text = read_text(STDIN, STDIN_SHOWN, limits)
        suffix = document_suffix(text)
        data = _header(parse_document(text, STDIN_SHOWN, suffix, limits), items_elsewhere)
        return STDIN_SHOWN, validate_file(data, STDIN_SHOWN, limits, rejected=rejected, lines=lines_of(text, suffix))
    shown = display_name(source)
    path = Path(source)
    data = _header(parse_document(read_text(path, shown, limits), shown, path.suffix, limits), items_elsewhere)
    # Lines are looked up only for errors, in the file read again: nothing is kept for them meanwhile.
    return shown, validate_file(data, shown, limits, rejected=rejected,
                                lines=lambda places: lines_of(read_text(path, shown, limits), path.suffix)(places))

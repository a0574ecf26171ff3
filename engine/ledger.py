"""The ledger (台账): pydantic models of what the supervision office records.

Nothing here knows about rules. The models validate exactly what the spec
lists as invalid (a start after the due date, a progress outside 0..100, an
unknown key …); anything merely odd is accepted here and noted by the loader.
Causes are in Chinese because people read them; the loader adds the file and
the item to each.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "KINDS",
    "WORK_KINDS",
    "LEVELS",
    "PROBLEM_TYPES",
    "PLACEHOLDERS",
    "is_missing",
    "show_value",
    "LedgerInfo",
    "Unit",
    "Milestone",
    "Investment",
    "Problem",
    "Supervision",
    "Visit",
    "Benchmarks",
    "Item",
    "LedgerFile",
    "Ledger",
]

Kind = Literal["project", "enterprise", "reform", "excellence", "party", "task", "indicator"]
Level = Literal["national", "provincial", "municipal", "county"]
ProblemType = Literal["land", "funds", "approval", "energy", "labor", "enterprise", "other"]

KINDS: tuple[str, ...] = ("project", "enterprise", "reform", "excellence", "party", "task", "indicator")
WORK_KINDS: tuple[str, ...] = ("project", "reform", "task", "party", "excellence")
LEVELS: tuple[str, ...] = ("national", "provincial", "municipal", "county")
PROBLEM_TYPES: tuple[str, ...] = ("land", "funds", "approval", "energy", "labor", "enterprise", "other")

# Words that people type into a name field when there is no name yet.
PLACEHOLDERS: frozenset[str] = frozenset(
    {"待定", "待明确", "未定", "暂无", "无", "未知", "tbd", "n/a", "na", "-", "—", "?"}
)


def is_missing(value: Any) -> bool:
    """The spec's missing test: absent, blank, a placeholder, or an empty list or mapping.

    Latin placeholders match in any case; only the whole (stripped) text
    counts, so 王无忌 is a name.
    """
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        return text == "" or text.lower() in PLACEHOLDERS
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


# --- scalar types with strict parsing and Chinese causes -------------------

# Larger numbers are typing mistakes (1e15 万元 is ten thousand times a national budget).
MAX_NUMBER = 10**15

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "date_type", "应为 YYYY-MM-DD 格式的日期,实际为 {got}", {"got": show_value(value)}
        )
    if not _DATE_RE.fullmatch(value):
        raise PydanticCustomError(
            "date_format", "应为 YYYY-MM-DD 格式的日期,实际为 {got}", {"got": show_value(value)}
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_impossible", "不存在的日期 {got}", {"got": value}) from None


def _parse_number(value: Any) -> Union[int, float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("number_type", "应为数值,实际为 {got}", {"got": show_value(value)})
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("number_finite", "数值过大或不是有限数值,实际为 {got}", {"got": show_value(value)})
    if abs(value) > MAX_NUMBER:
        raise PydanticCustomError("number_huge", "数值过大(上限 1e15),实际为 {got}", {"got": show_value(value)})
    return value


def _parse_text(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("text_type", "应为文本,实际为 {got}", {"got": show_value(value)})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PydanticCustomError("text_invalid", "文本含无效字符(第 {at} 个字符)", {"at": exc.start + 1}) from None
    return value


def _parse_id(value: Any) -> str:
    # Spreadsheets and YAML turn 1001 into a number; an id is text either way.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = _parse_text(value).strip()
    if not text:
        raise PydanticCustomError("id_blank", "编号不能为空", {})
    return text


def _parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "应为 true 或 false,实际为 {got}", {"got": show_value(value)})
    return value


def _parse_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "应为整数,实际为 {got}", {"got": show_value(value)})
    if value > MAX_NUMBER:
        raise PydanticCustomError("number_huge", "数值过大,实际为 {got}", {"got": show_value(value)})
    return value


def show_value(value: Any) -> str:
    """A short picture of a bad value; never expands a container (it may be an alias bomb)."""
    if isinstance(value, dict):
        return "映射"
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        return "超过 15 位的整数"
    text = repr(value[:60]) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


Day = Annotated[date, BeforeValidator(_parse_date), WithJsonSchema({"type": "string", "format": "date"})]
Number = Annotated[Union[int, float], BeforeValidator(_parse_number), WithJsonSchema({"type": "number"})]
Amount = Annotated[
    Union[int, float], BeforeValidator(_parse_number), Field(ge=0), WithJsonSchema({"type": "number", "minimum": 0})
]
Percent = Annotated[
    Union[int, float], BeforeValidator(_parse_number), Field(ge=0, le=100),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
]
Text = Annotated[str, BeforeValidator(_parse_text)]
Id = Annotated[str, BeforeValidator(_parse_id), WithJsonSchema({"type": ["string", "integer"], "minLength": 1})]
Flag = Annotated[bool, BeforeValidator(_parse_bool)]
Count = Annotated[
    int, BeforeValidator(_parse_count), Field(ge=1), WithJsonSchema({"type": "integer", "minimum": 1})
]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- records ---------------------------------------------------------------


class LedgerInfo(_Record):
    """The ledger's header: the county and the default reference date."""

    county: Text | None = None
    as_of: Day | None = None


class Unit(_Record):
    """A county unit (单位); units are the subjects of unit-level rules (EXC-01)."""

    name: Text
    head: Text | None = None


class Milestone(_Record):
    """A point on the roadmap: planned ``due``, actual ``done_on``."""

    name: Text | None = None
    due: Day
    done_on: Day | None = None


class Investment(_Record):
    """This year's planned investment and the year-to-date amount, in 万元."""

    planned: Amount | None = None
    completed: Amount | None = None


class Problem(_Record):
    """A problem on an item: a factor guarantee (land, funds …) or an enterprise's request."""

    type: ProblemType
    description: Text | None = None
    raised_on: Day
    deadline: Day | None = None
    resolved_on: Day | None = None
    complex: Flag = False


class Supervision(_Record):
    """A supervision or inspection; with ``rectify_by`` it is a finding to rectify."""

    date: Day
    by: Text | None = None
    finding: Text | None = None
    rectify_by: Day | None = None
    rectified_on: Day | None = None


class Visit(_Record):
    """A contact leader's visit to an enterprise."""

    date: Day
    leader: Text | None = None


class Benchmarks(_Record):
    """Growth rates an indicator should beat; any may be absent."""

    national: Number | None = None
    provincial: Number | None = None
    municipal: Number | None = None


class Item(_Record):
    """One line of the ledger: a project, an enterprise, a reform, an indicator …"""

    id: Id
    kind: Kind
    title: Text
    owner: Text | None = None
    unit: Text | None = None
    leader: Text | None = None
    level: Level = "county"
    start: Day | None = None
    due: Day | None = None
    started_on: Day | None = None
    completed_on: Day | None = None
    progress: Percent | None = None
    progress_reported_on: Day | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    investment: Investment | None = None
    issues: list[Problem] = Field(default_factory=list)
    supervisions: list[Supervision] = Field(default_factory=list)
    visits: list[Visit] = Field(default_factory=list)
    goal: Text | None = None
    path: Text | None = None
    measures: Text | None = None
    outcome: Text | None = None
    value: Number | None = None
    benchmarks: Benchmarks | None = None
    rank: Count | None = None
    rank_of: Count | None = None

    # Cross-field checks are field validators on the later field, so that they run
    # (and are reported) even when another field of the item is invalid too.
    @field_validator("due")
    @classmethod
    def _due_not_before_start(cls, due: Optional[date], info: ValidationInfo) -> Optional[date]:
        start = info.data.get("start")
        if due is not None and start is not None and start > due:
            raise PydanticCustomError(
                "start_after_due",
                "计划完工 {due} 早于计划开工 {start}",
                {"start": start.isoformat(), "due": due.isoformat()},
            )
        return due

    @field_validator("rank_of")
    @classmethod
    def _rank_within(cls, rank_of: Optional[int], info: ValidationInfo) -> Optional[int]:
        rank = info.data.get("rank")
        if rank_of is not None and rank is not None and rank > rank_of:
            raise PydanticCustomError(
                "rank_range",
                "排名 rank ({rank}) 超过参评县数 rank_of ({rank_of})",
                {"rank": rank, "rank_of": rank_of},
            )
        return rank_of


class LedgerFile(_Record):
    """One ledger file as written: the format that ``duban schema`` publishes."""

    ledger: LedgerInfo | None = None
    units: list[Unit] = Field(default_factory=list)
    items: list[Item]


class Ledger(BaseModel):
    """One or more ledger files merged: what the engine evaluates.

    ``sources`` are the files it came from; ``notes`` are the oddities the
    loader accepted but wants a person to see (a unit not in ``units`` …).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    info: LedgerInfo = Field(default_factory=LedgerInfo)
    units: list[Unit] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

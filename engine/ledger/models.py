"""The ledger (台账): pydantic models of what the supervision office records.

Nothing here knows about rules. The models validate exactly what the spec
lists as invalid (a start after the due date, a progress outside 0..100, an
unknown key …); anything merely odd is accepted here and noted by the loader.
Causes are in Chinese because people read them; the loader adds the file and
the item to each.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .values import Amount, Count, Day, ExtraValue, Flag, Id, Number, Percent, Text

__all__ = [
    "KINDS",
    "WORK_KINDS",
    "LEVELS",
    "PROBLEM_TYPES",
    "EXTRA_TYPES",
    "Meeting",
    "LedgerInfo",
    "Unit",
    "Milestone",
    "Investment",
    "Problem",
    "Supervision",
    "Visit",
    "Benchmarks",
    "Response",
    "Item",
    "LedgerFile",
    "Rejected",
    "Ledger",
]

Kind = Literal["project", "enterprise", "reform", "excellence", "party", "task", "indicator"]
Level = Literal["national", "provincial", "municipal", "county"]
ProblemType = Literal["land", "funds", "approval", "energy", "labor", "enterprise", "other"]

KINDS: tuple[str, ...] = ("project", "enterprise", "reform", "excellence", "party", "task", "indicator")
WORK_KINDS: tuple[str, ...] = ("project", "reform", "task", "party", "excellence")
LEVELS: tuple[str, ...] = ("national", "provincial", "municipal", "county")
PROBLEM_TYPES: tuple[str, ...] = ("land", "funds", "approval", "energy", "labor", "enterprise", "other")
# The types a pack may declare for an item's extra fields (``fields: {extra.phase: text}``).
EXTRA_TYPES: tuple[str, ...] = ("text", "number", "boolean", "date")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- records ---------------------------------------------------------------


class Meeting(_Record):
    """A county meeting with enterprises; only 企业座谈会 and 会商会 count for ENT-03."""

    date: Day
    type: Text | None = None
    title: Text | None = None


class LedgerInfo(_Record):
    """The ledger's header: the county, the default reference date, the county's meetings.

    ``meetings`` present (even empty) says that the ledger records meetings;
    absent, the county-level rules that read them do not apply.
    """

    county: Text | None = None
    as_of: Day | None = None
    meetings: list[Meeting] | None = None


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


class Response(_Record):
    """A responsible unit's written reply (回执) to a notice: the cause and the measures."""

    date: Day
    rule: Text | None = None
    cause: Text | None = None
    measures: Text | None = None
    by: Text | None = None


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
    baseline_due: Day | None = None
    recognized_on: Day | None = None
    responses: list[Response] = Field(default_factory=list)
    extra: dict[str, ExtraValue] | None = None

    @field_validator("extra", mode="before")
    @classmethod
    def _extra_names(cls, extra: Any) -> Any:
        if isinstance(extra, dict):
            for name in extra:
                if not isinstance(name, str) or not name.isidentifier():
                    raise PydanticCustomError(
                        "extra_name", "扩展字段名 {name} 无效: 只能由字母、汉字、数字和下划线组成,且不以数字开头",
                        {"name": repr(name)[:40]},
                    )
        return extra

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


class Rejected(_Record):
    """An item, a unit or a record set aside by ``--skip-invalid``: where, whose, and why."""

    file: str
    place: str
    id: Optional[str] = None
    cause: str


class Ledger(BaseModel):
    """One or more ledger files merged: what the engine evaluates.

    ``sources`` are the files it came from; ``notes`` are the oddities the
    loader accepted but wants a person to see (a unit not in ``units`` …);
    ``rejected`` what ``skip_invalid`` set aside, one entry per error.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    info: LedgerInfo = Field(default_factory=LedgerInfo)
    units: list[Unit] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    rejected: list[Rejected] = Field(default_factory=list)
    # Where each item came from: id → (file, place such as "items[3]"), for errors found later.
    _origins: dict[str, tuple[str, str]] = PrivateAttr(default_factory=dict)

    def origin(self, item_id: str) -> tuple[str, str]:
        """The file and place an item came from (``("", "items")`` when unknown)."""
        return self._origins.get(item_id, (self.sources[0] if len(self.sources) == 1 else "", "items"))

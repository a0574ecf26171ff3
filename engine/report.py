"""The report: findings, ranked items and a summary — the spec's JSON schema.

Pure data. Computing happens in :mod:`engine.evaluate`; showing happens in
:mod:`engine.output`, which the report's ``to_table``/``to_csv``/``to_markdown``
call (imported when used: the outputs import this module, not the reverse).
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .errors import UnknownItemError, UsageError
from .ledger.models import Rejected

__all__ = [
    "Finding",
    "WaiverInfo",
    "WaivedFinding",
    "Rejected",
    "ItemResult",
    "Summary",
    "RulesInfo",
    "Report",
    "LeafCheck",
    "ConditionCheck",
    "Miss",
    "LevelCheck",
    "LedgerChange",
    "Counterfactual",
    "RuleCheck",
    "Explanation",
    "RollupGroup",
    "Rollup",
    "PeriodCounts",
    "ErrorInfo",
    "Validation",
]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Model):
    """One warning: a rule that fired on a subject (an item, a unit, or the county).

    ``escalated_from`` is the severity it fired at when escalation (升级督办)
    raised it, and ``periods`` how many recorded periods in a row (this one
    included) it has fired; both are None for a finding that was not raised.
    """

    subject: str
    subject_kind: str
    subject_title: str
    rule: str
    title: str
    severity: Literal["red", "yellow", "blue"]
    message: str
    clause: str
    remedy: str
    evidence: dict[str, Any]
    points: float
    category: str = ""
    escalated_from: Optional[Literal["red", "yellow", "blue"]] = None
    periods: Optional[int] = None
    # The exact points, for the score: ``points`` is their nearest float.
    _exact_points: Fraction = PrivateAttr(default=Fraction(0))

    @property
    def exact_points(self) -> Fraction:
        return self._exact_points if self._exact_points else Fraction(self.points)


class WaiverInfo(_Model):
    """The waiver (豁免) that took a finding out of the count, as its file gives it."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    item: str
    rule: str
    reason: str
    approved_by: str
    from_: Optional[str] = Field(default=None, alias="from")
    until: str
    file: str = ""


class WaivedFinding(Finding):
    """A finding that a waiver covers: it keeps the severity it fired at and earns no points."""

    waiver: WaiverInfo


class ItemResult(_Model):
    """One ledger item's place in the ranking."""

    id: str
    kind: str
    title: str
    owner: Optional[str]
    unit: Optional[str]
    leader: Optional[str]
    light: Literal["red", "yellow", "green"]
    score: float
    tier: Literal["critical", "high", "medium", "low"]
    rank: int
    findings: list[str]
    level: str = "county"


class Summary(_Model):
    items: int
    findings: dict[str, int]
    lights: dict[str, int]
    tiers: dict[str, int]
    categories: dict[str, int] = Field(default_factory=dict)
    waived: int = 0
    rejected: int = 0


class RulesInfo(_Model):
    source: str
    sha256: str
    selected: list[str] = Field(default_factory=list)


class Report(_Model):
    """What one evaluation produced; ``to_json()`` gives deterministic bytes."""

    schema_version: int = SCHEMA_VERSION
    as_of: str
    # The ledger's county, which heads the notices and the dashboard. Not part of the JSON report,
    # whose keys the spec fixes.
    county: Optional[str] = Field(default=None, exclude=True)
    rules: RulesInfo
    summary: Summary
    notes: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    items: list[ItemResult] = Field(default_factory=list)
    waived: list[WaivedFinding] = Field(default_factory=list)
    rejected: list[Rejected] = Field(default_factory=list)
    # With a history: red and yellow items per recorded period before as_of, then this run's (oldest
    # first), for the dashboard's chart. Not part of the JSON report either.
    periods: list["PeriodCounts"] = Field(default_factory=list, exclude=True)

    def to_json(self) -> str:
        """The report as JSON text: UTF-8, two-space indent, fixed key order."""
        return self.model_dump_json(indent=2, by_alias=True) + "\n"

    def filtered(self, **filters: Any) -> "Report":
        """The report narrowed for display (``units``, ``leaders``, ``kinds``, ``min_severity``, ``top``):
        see :func:`engine.filters.filter_report`."""
        from .filters import filter_report

        return filter_report(self, **filters)

    def findings_for(self, subject: str) -> list[Finding]:
        return [f for f in self.findings if f.subject == subject]

    def item(self, item_id: str) -> ItemResult:
        """The ranked item with this id; :class:`~engine.errors.UnknownItemError` (a KeyError) if none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise UnknownItemError(item_id, (i.id for i in self.items), where="报告中")

    # -- the same texts as the command line, from the same renderers

    def to_table(self, view: str = "check", **options: Any) -> str:
        """The terminal table of ``duban check`` (``view="rank"``: of ``duban rank``, with ``top=N``)."""
        return self._render("table", view, options)

    def to_csv(self, view: str = "check", **options: Any) -> str:
        """The CSV of ``duban check --format csv`` (byte-order mark, CRLF; ``view="rank"`` as for to_table)."""
        return self._render("csv", view, options)

    def to_markdown(self, view: str = "check", **options: Any) -> str:
        """The Markdown of ``duban check --format markdown`` (``view="rank"`` as for to_table)."""
        return self._render("markdown", view, options)

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per finding, with its item's rank, score and people: ``pandas.DataFrame(report.records())``."""
        from .output.views import finding_records

        return finding_records(self)

    def _render(self, fmt: str, view: str, options: dict[str, Any]) -> str:
        if view not in ("check", "rank"):
            raise UsageError.at("view", repr(view), "应为 'check'(预警)或 'rank'(排名)")
        from .output import render

        return render(fmt, view, self, **options)


# --- explanations ---------------------------------------------------------------


class LeafCheck(_Model):
    """One condition leaf as evaluated: the value read, the operator, the operand, the result.

    ``param`` names the param the operand came from (``lag_yellow_points``), if any.
    """

    path: str
    field: str
    read: Any
    op: str
    operand: Any
    operand_field: Optional[str]
    result: bool
    param: Optional[str] = None


class ConditionCheck(_Model):
    """A condition as the tree it is (``all``, ``any``, ``not``, ``leaf``), each node with whether it held."""

    node: Literal["all", "any", "not", "leaf"]
    result: bool
    items: list["ConditionCheck"] = Field(default_factory=list)
    leaf: Optional[LeafCheck] = None


class Miss(_Model):
    """A leaf that kept a condition from holding, and how far its value is from the other outcome.

    ``held`` is what the leaf would have to become (False for a leaf under
    ``not`` that held); ``distance`` how much the value read must move (numbers
    only, None otherwise); ``text`` says it in words.
    """

    leaf: LeafCheck
    held: bool = True
    distance: Optional[Any] = None
    text: str


class LevelCheck(_Model):
    """One level of a graded rule: its condition traced, whether it held, whether it is the one chosen.

    ``misses`` are, for a level tried before the chosen one, the leaves that
    kept it from holding: why this level and not the one above.
    """

    severity: str
    when: Optional[ConditionCheck]
    held: bool
    chosen: bool
    misses: list[Miss] = Field(default_factory=list)


class LedgerChange(_Model):
    """A counterfactual in ledger terms: one change to the subject's ledger record with the same effect.

    ``action`` is ``set`` (``field`` takes ``value``), ``add`` (``value`` is a
    record appended to the list ``field``), ``complete`` (the records of
    ``field`` at the indices in ``value`` are done, resolved or rectified on
    the reference date) or ``fill`` (a missing name or text is filled in).
    ``current`` is what the text compares with (the value now, the latest
    event's date), None where there is nothing to compare. The engine has
    applied the change and evaluated the changed record again: it holds.
    """

    field: str
    action: Literal["set", "add", "complete", "fill"]
    value: Any
    current: Any
    text: str


class Counterfactual(_Model):
    """The nearest value of one metric that changes a rule's outcome, everything else as it is.

    ``effect``: ``off`` (the finding goes away), ``lower`` (it drops to
    ``severity``) or, for a rule that did not fire, ``fire`` (it would fire
    at ``severity``). The metric ``field`` must satisfy ``op bound`` (``lt 10``:
    below 10); ``param`` names the param the bound came from. ``on`` is, for
    a day count that grows by one a day, the date it reaches the bound if
    nothing is done. ``ledger`` states it in ledger terms where the metric
    maps back to one field.
    """

    effect: Literal["off", "lower", "fire"]
    severity: Optional[str] = None
    field: str
    op: str
    bound: Any
    param: Optional[str] = None
    current: Any
    text: str
    on: Optional[str] = None
    ledger: Optional[LedgerChange] = None


class RuleCheck(_Model):
    """One rule that applies to the explained subject, fired or not.

    ``fired`` is true for a finding that counts; a waived one has ``waiver``
    (and ``severity``, the level it fired at) instead. ``checks`` and
    ``level_checks`` are the leaves in reading order; ``tree`` and ``levels``
    the same as trees; ``counterfactuals`` the nearest changes that switch a
    finding off or lower it (for a rule that did not fire: that would fire it);
    ``misses`` the leaves that kept an unfired rule from firing, with their
    distance.
    """

    rule: str
    title: str
    fired: bool
    severity: Optional[str]
    checks: list[LeafCheck]
    level_checks: list[list[LeafCheck]]
    magnitude: Optional[float]
    factor: Optional[float]
    points: Optional[float]
    message: Optional[str]
    tree: Optional[ConditionCheck] = None
    levels: list[LevelCheck] = Field(default_factory=list)
    escalated_from: Optional[str] = None
    periods: Optional[int] = None
    waiver: Optional[WaiverInfo] = None
    counterfactuals: list[Counterfactual] = Field(default_factory=list)
    misses: list[Miss] = Field(default_factory=list)


class Explanation(_Model):
    """Why a subject (an item, a unit or the county) got its findings, and an item its score.

    ``item``, ``importance`` and ``raw_points`` are an item's; they are None
    for a unit or the county, which get no score.
    """

    as_of: str
    item: Optional[ItemResult]
    importance: Optional[float]
    raw_points: Optional[float]
    rules: list[RuleCheck]
    notes: list[str] = Field(default_factory=list)
    subject: str = ""
    subject_kind: str = ""
    subject_title: str = ""


# --- roll-ups ---------------------------------------------------------------------


class RollupGroup(_Model):
    """One group of a roll-up (a unit, a leader, a kind or a level) and where it stands.

    ``points`` is the unrounded sum of the group's finding points, without
    importance; ``top_item`` is the group's highest-scoring item (the best
    ranked among equals) and ``top_score`` its score.
    """

    group: str
    items: int
    red: int
    yellow: int
    green: int
    findings: dict[str, int]
    points: float
    top_score: Optional[float]
    top_item: Optional[str]


class Rollup(_Model):
    """A report rolled up by unit, leader, kind or level (``duban rollup --by …``)."""

    by: Literal["unit", "leader", "kind", "level"]
    as_of: str
    groups: list[RollupGroup]


# --- validation ---------------------------------------------------------------


class ErrorInfo(_Model):
    """One located error, as data: the file, the place in it, the cause."""

    file: str
    place: str
    cause: str


class Validation(_Model):
    """What ``duban validate`` found: the files, their counts, the pack, every error.

    ``items`` and ``units`` are None when the ledger could not be read;
    ``rules`` (the number of rules) is None when no pack was checked or it is
    broken; ``ok`` is true when there are no errors.
    """

    ok: bool
    files: list[str]
    items: Optional[int] = None
    units: Optional[int] = None
    rules: Optional[int] = None
    rules_source: Optional[str] = None
    notes: list[str] = Field(default_factory=list)
    errors: list[ErrorInfo] = Field(default_factory=list)
class PeriodCounts(_Model):
    """One recorded period (from the history) as the dashboard charts it: its red and yellow items."""

    as_of: str
    red: int
    yellow: int


Report.model_rebuild()

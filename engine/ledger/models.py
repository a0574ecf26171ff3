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

    model_config = ConfigDict(title="会议", json_schema_extra={"description": "县里召开的会议;只有企业座谈会和会商会计入 ENT-03"})

    date: Day = Field(title="会议日期", description="会议召开的日期,YYYY-MM-DD")
    type: Text | None = Field(None, title="会议类型", description="企业座谈会或会商会(其他类型照收,不计入)")
    title: Text | None = Field(None, title="会议名称", description="会议的名称")


class LedgerInfo(_Record):
    """The ledger's header: the county, the default reference date, the county's meetings.

    ``meetings`` present (even empty) says that the ledger records meetings;
    absent, the county-level rules that read them do not apply.
    """

    model_config = ConfigDict(title="台账信息", json_schema_extra={"description": "台账的县名、默认基准日和县里的会议"})

    county: Text | None = Field(None, title="县", description="县名,用于报告和督办单的标题")
    as_of: Day | None = Field(None, title="基准日", description="默认的检查基准日,YYYY-MM-DD;命令行的 --as-of 优先")
    meetings: list[Meeting] | None = Field(None, title="会议", description="县里召开的企业座谈会、会商会;给出(即使为空)表示台账记录会议")


class Unit(_Record):
    """A county unit (单位); units are the subjects of unit-level rules (EXC-01)."""

    model_config = ConfigDict(title="责任单位", json_schema_extra={"description": "全县的一个单位;单位是单位级规则(EXC-01)的对象"})

    name: Text = Field(title="单位名称", description="责任单位的名称,各事项的责任单位应与之一致")
    head: Text | None = Field(None, title="负责人", description="单位主要负责人")


class Milestone(_Record):
    """A point on the roadmap: planned ``due``, actual ``done_on``."""

    model_config = ConfigDict(title="节点", json_schema_extra={"description": "路线图上的一个节点:计划完成时间和实际完成时间"})

    name: Text | None = Field(None, title="节点名称", description="路线图上的节点,如 主体完工")
    due: Day = Field(title="计划完成时间", description="节点的计划完成日期,YYYY-MM-DD(计划日期不受基准日影响)")
    done_on: Day | None = Field(None, title="实际完成时间", description="节点的实际完成日期;晚于基准日视为尚未完成")


class Investment(_Record):
    """This year's planned investment and the year-to-date amount, in 万元."""

    model_config = ConfigDict(title="年度投资", json_schema_extra={"description": "本年度计划投资和年初至今完成投资,万元"})

    planned: Amount | None = Field(None, title="年度计划投资", description="本年度计划投资,万元,不小于 0")
    completed: Amount | None = Field(None, title="年度完成投资", description="年初至今完成投资,万元,不小于 0")


class Problem(_Record):
    """A problem on an item: a factor guarantee (land, funds …) or an enterprise's request."""

    model_config = ConfigDict(title="问题", json_schema_extra={"description": "事项上的一个问题:项目的要素保障问题或企业提出的诉求"})

    type: ProblemType = Field(
        title="问题类型", description="land 用地、funds 资金、approval 审批、energy 能耗、labor 用工、enterprise 企业诉求、other 其他"
    )
    description: Text | None = Field(None, title="问题描述", description="问题的内容")
    raised_on: Day = Field(title="提出日期", description="问题提出的日期;晚于基准日视为尚未提出")
    deadline: Day | None = Field(None, title="办结时限", description="应解决的日期;不填时按提出后 15 个工作日(复杂问题 30 个)计")
    resolved_on: Day | None = Field(None, title="解决日期", description="问题解决的日期;晚于基准日视为尚未解决")
    complex: Flag = Field(False, title="复杂问题", description="是否为复杂问题(办结时限更长)")


class Supervision(_Record):
    """A supervision or inspection; with ``rectify_by`` it is a finding to rectify."""

    model_config = ConfigDict(title="督查", json_schema_extra={"description": "一次督查检查;有整改时限的是待整改的督查问题"})

    date: Day = Field(title="督查日期", description="督查或检查的日期;晚于基准日视为尚未发生")
    by: Text | None = Field(None, title="督查单位", description="开展督查的单位,如 县督查室")
    finding: Text | None = Field(None, title="督查发现", description="督查发现的问题")
    rectify_by: Day | None = Field(None, title="整改时限", description="督查问题应整改完成的日期")
    rectified_on: Day | None = Field(None, title="整改完成日期", description="督查问题整改完成的日期;晚于基准日视为尚未整改")


class Visit(_Record):
    """A contact leader's visit to an enterprise."""

    model_config = ConfigDict(title="走访", json_schema_extra={"description": "联系县领导对企业的一次走访"})

    date: Day = Field(title="走访日期", description="联系县领导走访企业的日期;晚于基准日视为尚未发生")
    leader: Text | None = Field(None, title="走访领导", description="走访的县领导")


class Benchmarks(_Record):
    """Growth rates an indicator should beat; any may be absent."""

    model_config = ConfigDict(title="比较基准", json_schema_extra={"description": "经济指标应超过的增速;可只填其中几项"})

    national: Number | None = Field(None, title="全国", description="全国增速,%(可为负)")
    provincial: Number | None = Field(None, title="全省", description="全省增速,%(可为负)")
    municipal: Number | None = Field(None, title="全市", description="全市增速,%(可为负)")


class Response(_Record):
    """A responsible unit's written reply (回执) to a notice: the cause and the measures."""

    model_config = ConfigDict(title="反馈", json_schema_extra={"description": "责任单位对督办单的一次书面反馈(回执):原因分析和整改措施"})

    date: Day = Field(title="反馈日期", description="责任单位书面反馈(回执)的日期;晚于基准日视为尚未反馈")
    rule: Text | None = Field(None, title="规则", description="所回复的预警规则编号,如 LAG-01;不填表示回复整个事项")
    cause: Text | None = Field(None, title="原因分析", description="问题的原因分析")
    measures: Text | None = Field(None, title="整改措施", description="针对性的整改措施")
    by: Text | None = Field(None, title="反馈人", description="反馈人姓名")


class Item(_Record):
    """One line of the ledger: a project, an enterprise, a reform, an indicator …"""

    model_config = ConfigDict(title="事项", json_schema_extra={"description": "台账的一行:重点项目、重点企业、重点改革、创先争优、党建工作、重点任务或经济指标"})

    id: Id = Field(title="编号", description="事项编号,在一起读取的所有台账文件中唯一")
    kind: Kind = Field(
        title="类别",
        description="project 重点项目、enterprise 重点企业、reform 重点改革、excellence 创先争优、party 党建工作、task 重点任务、"
        "indicator 经济指标",
    )
    title: Text = Field(title="名称", description="事项名称")
    owner: Text | None = Field(None, title="责任人", description="事项的责任人;空白或 待定、TBD 等视为未明确")
    unit: Text | None = Field(None, title="责任单位", description="牵头责任单位")
    leader: Text | None = Field(None, title="联系县领导", description="挂点联系的县领导")
    level: Level = Field(
        "county", title="级别", description="national 国家级、provincial 省级、municipal 市级、county 县级(默认),决定重要性"
    )
    start: Day | None = Field(None, title="计划开工", description="计划开工日期,YYYY-MM-DD")
    due: Day | None = Field(None, title="计划完成", description="计划完成日期,不早于计划开工")
    started_on: Day | None = Field(None, title="实际开工", description="实际开工日期;晚于基准日视为尚未开工")
    completed_on: Day | None = Field(None, title="实际完成", description="实际完成日期;晚于基准日视为尚未完成")
    progress: Percent | None = Field(None, title="形象进度", description="最近填报的形象进度,%,0 到 100")
    progress_reported_on: Day | None = Field(None, title="进度填报日期", description="形象进度的填报日期;晚于基准日时该进度视为未填报")
    milestones: list[Milestone] = Field(default_factory=list, title="节点", description="路线图的各个节点")
    investment: Investment | None = Field(None, title="年度投资", description="本年度计划投资和完成投资,万元")
    issues: list[Problem] = Field(default_factory=list, title="问题", description="要素保障问题(用地、资金、审批等)和企业诉求")
    supervisions: list[Supervision] = Field(default_factory=list, title="督查", description="督查检查记录")
    visits: list[Visit] = Field(default_factory=list, title="走访", description="联系县领导走访企业的记录")
    goal: Text | None = Field(None, title="目标", description="改革或创先争优的目标")
    path: Text | None = Field(None, title="路径", description="改革的路径")
    measures: Text | None = Field(None, title="举措", description="改革的举措")
    outcome: Text | None = Field(None, title="制度成果", description="改革完成后形成的制度性成果")
    value: Number | None = Field(None, title="本期值", description="经济指标的本期增速,%(可为负)")
    benchmarks: Benchmarks | None = Field(None, title="比较基准", description="经济指标应超过的全国、全省、全市增速")
    rank: Count | None = Field(None, title="排名", description="经济指标在全市各县中的排名,1 为最好")
    rank_of: Count | None = Field(None, title="参评数", description="参与排名的县数,不小于排名")
    baseline_due: Day | None = Field(None, title="原计划完成", description="最初批准的完成日期(计划日期)")
    recognized_on: Day | None = Field(None, title="表彰日期", description="取得成效后获表彰的日期;晚于基准日视为尚未表彰")
    responses: list[Response] = Field(default_factory=list, title="反馈", description="责任单位对督办单的书面反馈(回执)")
    extra: dict[str, ExtraValue] | None = Field(None, title="扩展字段", description="本单位自己的列:名称 → 文本、数值、布尔值或日期,供自定义规则包读取")

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

    model_config = ConfigDict(title="台账", json_schema_extra={"description": "一个台账文件:台账信息、责任单位和事项"})

    ledger: LedgerInfo | None = Field(None, title="台账信息", description="县名、基准日和县里的会议")
    units: list[Unit] = Field(default_factory=list, title="责任单位", description="全县的责任单位名单")
    items: list[Item] = Field(title="事项", description="重点项目、重点企业、重点改革、创先争优、党建工作、重点任务和经济指标")


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

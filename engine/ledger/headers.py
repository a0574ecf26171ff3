"""The template workbook's vocabulary, as data: sheets, column headers, synonyms, Chinese values.

One table says which header means which ledger field, with the value type
its cells are read as; the spreadsheet readers, the mapping checker, the
template writer and its 说明 sheet all read it, and so can the YAML loader
(a Chinese key such as 责任人 → "是否想写 'owner'"). Nothing here reads files.

- :data:`ITEM_COLUMNS`   the columns of an item sheet (重点项目 …, 事项)
- :data:`RECORD_COLUMNS` the columns of each record sheet (节点, 问题 …), 责任单位, 台账信息 and 会议
- :data:`SHEETS`         sheet name → what it holds
- :data:`KIND_WORDS`, :data:`LEVEL_WORDS`, :data:`ISSUE_TYPE_WORDS`, :data:`YES`, :data:`NO`
- :func:`header_key`     how a header cell is compared (full-width, spaces, units)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

__all__ = [
    "Column",
    "SheetRole",
    "ITEM_COLUMNS",
    "RECORD_COLUMNS",
    "ITEM_COLUMN",
    "SHEETS",
    "ITEMS_SHEET",
    "HELP_SHEET",
    "EXEMPT_HEADERS",
    "KIND_SHEETS",
    "KIND_WORDS",
    "LEVEL_WORDS",
    "ISSUE_TYPE_WORDS",
    "YES",
    "NO",
    "header_key",
    "unit_free",
    "headers_of",
    "role_of_sheet",
    "columns_of",
    "field_headers",
]


@dataclass(frozen=True)
class Column:
    """One column of the template: its header, the field it fills, how its cells are read.

    ``field`` is a dotted path (``investment.planned``); ``type`` is one of
    id, text, date, number, percent, count, flag, kind, level, issue_type,
    extra; ``synonyms`` are other headers that mean the same; ``meaning`` is
    the line the 说明 sheet shows.
    """

    header: str
    field: str
    type: str
    meaning: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetRole:
    """What a sheet holds: ``items`` (of ``kind``, or by a 类别 column), a record list, or the header.

    ``role`` is ``items``, ``units``, ``info``, ``meetings`` or a record field
    of an item (``milestones``, ``issues``, ``supervisions``, ``visits``,
    ``responses``).
    """

    role: str
    kind: Optional[str] = None


# --- item sheets -----------------------------------------------------------------------

ITEM_COLUMNS: tuple[Column, ...] = (
    Column("编号", "id", "id", "事项编号,全台账唯一(必填)", ("项目编号", "事项编号")),
    Column("类别", "kind", "kind", "事项类别;在各类别的工作表上可省略,填写时须与工作表一致"),
    Column("名称", "title", "text", "事项名称(必填)", ("事项名称", "项目名称")),
    Column("责任人", "owner", "text", "责任人;空白或 待定、暂无 等视为未明确"),
    Column("责任单位", "unit", "text", "牵头责任单位"),
    Column("联系县领导", "leader", "text", "挂点(联系)县领导"),
    Column("级别", "level", "level", "重要性: 国家级、省级、市级、县级(默认县级)"),
    Column("计划开工", "start", "date", "计划开工日期"),
    Column("计划完成", "due", "date", "计划完成日期", ("计划完成时间", "计划完工时间")),
    Column("原计划完成", "baseline_due", "date", "最初批准的计划完成日期(调整计划前)"),
    Column("实际开工", "started_on", "date", "实际开工日期"),
    Column("实际完成", "completed_on", "date", "实际完成日期", ("实际完成时间", "实际完工时间")),
    Column("形象进度", "progress", "percent", "形象进度,0 到 100;62、62% 或设为百分比格式的 0.62 都表示 62%",
           ("形象进度(%)",)),
    Column("进度填报日期", "progress_reported_on", "date", "形象进度的填报日期"),
    Column("年度计划投资", "investment.planned", "number", "本年度计划投资,万元"),
    Column("年度完成投资", "investment.completed", "number", "本年度累计完成投资,万元"),
    Column("目标", "goal", "text", "改革、创先争优: 目标"),
    Column("路径", "path", "text", "改革: 路径"),
    Column("举措", "measures", "text", "改革: 举措"),
    Column("制度成果", "outcome", "text", "改革: 形成的制度性成果"),
    Column("表彰日期", "recognized_on", "date", "创先争优: 获得表彰的日期"),
    Column("本期值", "value", "percent", "经济指标: 本期增速(%)"),
    Column("全国", "benchmarks.national", "percent", "经济指标: 全国增速(%)"),
    Column("全省", "benchmarks.provincial", "percent", "经济指标: 全省增速(%)"),
    Column("全市", "benchmarks.municipal", "percent", "经济指标: 全市增速(%)"),
    Column("排名", "rank", "count", "经济指标: 在全市各县中的排名(1 为最好)"),
    Column("参评数", "rank_of", "count", "经济指标: 参加排名的县数"),
)

# The column that ties a record row to its item.
ITEM_COLUMN = Column("事项编号", "item", "id", "所属事项的编号(必填,须是本工作簿中的事项)", ("项目编号",))

# --- record sheets, units, the ledger header, meetings -------------------------------------

RECORD_COLUMNS: dict[str, tuple[Column, ...]] = {
    "milestones": (
        ITEM_COLUMN,
        Column("节点名称", "name", "text", "节点名称"),
        Column("计划完成时间", "due", "date", "节点的计划完成日期(必填)", ("计划完成",)),
        Column("实际完成时间", "done_on", "date", "节点的实际完成日期", ("实际完成",)),
    ),
    "issues": (
        ITEM_COLUMN,
        Column("问题类型", "type", "issue_type", "用地、资金、审批、能耗、用工、企业诉求、其他(必填)"),
        Column("问题描述", "description", "text", "问题描述"),
        Column("提出日期", "raised_on", "date", "问题提出日期(必填)"),
        Column("办结时限", "deadline", "date", "要求办结的日期"),
        Column("解决日期", "resolved_on", "date", "问题解决日期"),
        Column("复杂问题", "complex", "flag", "是否复杂问题: 是/否(空白为否)"),
    ),
    "supervisions": (
        ITEM_COLUMN,
        Column("督查日期", "date", "date", "督查日期(必填)"),
        Column("督查单位", "by", "text", "开展督查的单位"),
        Column("督查发现", "finding", "text", "督查发现的问题"),
        Column("整改时限", "rectify_by", "date", "要求整改完成的日期;填写即为须整改的问题"),
        Column("整改完成日期", "rectified_on", "date", "实际整改完成日期"),
    ),
    "visits": (
        ITEM_COLUMN,
        Column("走访日期", "date", "date", "走访日期(必填)"),
        Column("走访领导", "leader", "text", "走访的县领导"),
    ),
    "responses": (
        ITEM_COLUMN,
        Column("反馈日期", "date", "date", "回执日期(必填)"),
        Column("规则", "rule", "text", "回复针对的预警规则编号(可空: 针对整个事项)"),
        Column("原因分析", "cause", "text", "原因分析"),
        Column("整改措施", "measures", "text", "整改措施"),
        Column("反馈人", "by", "text", "反馈人"),
    ),
    "units": (
        Column("单位名称", "name", "text", "单位名称(必填)"),
        Column("负责人", "head", "text", "单位负责人"),
    ),
    "info": (
        Column("县", "county", "text", "县名"),
        Column("基准日", "as_of", "date", "默认基准日(命令行 --as-of 优先)"),
    ),
    "meetings": (
        Column("会议日期", "date", "date", "会议日期(必填)"),
        Column("会议类型", "type", "text", "企业座谈会、会商会(其他类型不计)"),
        Column("会议名称", "title", "text", "会议名称"),
    ),
}

# --- sheets ------------------------------------------------------------------------------

KIND_SHEETS: dict[str, str] = {
    "重点项目": "project",
    "重点企业": "enterprise",
    "重点改革": "reform",
    "创先争优": "excellence",
    "党建工作": "party",
    "重点任务": "task",
    "经济指标": "indicator",
}
ITEMS_SHEET = "事项"
HELP_SHEET = "说明"

SHEETS: dict[str, SheetRole] = {
    **{name: SheetRole("items", kind) for name, kind in KIND_SHEETS.items()},
    ITEMS_SHEET: SheetRole("items"),
    "责任单位": SheetRole("units"),
    "节点": SheetRole("milestones"),
    "问题": SheetRole("issues"),
    "督查": SheetRole("supervisions"),
    "走访": SheetRole("visits"),
    "反馈": SheetRole("responses"),
    "台账信息": SheetRole("info"),
    "会议": SheetRole("meetings"),
}

# Extra columns that every office has; they are never data and never a typo (序号 is one edit from 编号).
EXEMPT_HEADERS: frozenset[str] = frozenset({"序号", "备注", "说明"})

# --- values ------------------------------------------------------------------------------

KIND_WORDS: dict[str, str] = {
    **KIND_SHEETS,
    "项目": "project", "企业": "enterprise", "改革": "reform", "党建": "party", "任务": "task", "指标": "indicator",
    **{kind: kind for kind in KIND_SHEETS.values()},
}
LEVEL_WORDS: dict[str, str] = {
    "国家级": "national", "省级": "provincial", "市级": "municipal", "县级": "county",
    **{level: level for level in ("national", "provincial", "municipal", "county")},
}
ISSUE_TYPE_WORDS: dict[str, str] = {
    "用地": "land", "土地": "land", "资金": "funds", "审批": "approval", "手续": "approval",
    "能耗": "energy", "能源": "energy", "用工": "labor", "企业诉求": "enterprise", "其他": "other",
    **{t: t for t in ("land", "funds", "approval", "energy", "labor", "enterprise", "other")},
}
# Yes/no cells; Latin words in any case. × beside √ is what people tick with.
YES: frozenset[str] = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔"})
NO: frozenset[str] = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✕"})

# --- comparing headers ---------------------------------------------------------------------

_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
# A unit in brackets after a header (年度计划投资(万元)) says how the number is written, not what it is.
_UNIT = re.compile(r"\((万元|元|亿元|%)\)$")


def header_key(text: object) -> str:
    """A header as it is compared: NFKC (full-width → half-width), no white space, lower case,
    no trailing required-marker ``*`` and no unit in brackets (``(万元)``, ``(%)``)."""
    key = _SPACE.sub("", unicodedata.normalize("NFKC", str(text))).lower().rstrip("*")
    return key


def unit_free(key: str) -> str:
    """``key`` without a trailing unit in brackets."""
    return _UNIT.sub("", key)


def columns_of(role: str) -> tuple[Column, ...]:
    """The template's columns of a sheet that holds ``role``."""
    return ITEM_COLUMNS if role == "items" else RECORD_COLUMNS[role]


def headers_of(role: str) -> dict[str, Column]:
    """Every header a sheet holding ``role`` understands — the template's, its synonyms and the
    fields' own names (``owner``, ``investment.planned``) — keyed by :func:`header_key`."""
    found: dict[str, Column] = {}
    for column in columns_of(role):
        for name in (column.header, *column.synonyms, column.field):
            found.setdefault(header_key(name), column)
    return found


def field_headers() -> dict[str, str]:
    """Field path → the template's Chinese header, for every item field (for messages)."""
    return {column.field: column.header for column in ITEM_COLUMNS}


def role_of_sheet(name: str) -> Optional[SheetRole]:
    """The template's meaning of a sheet called ``name``, or None for a sheet it does not know."""
    return SHEETS.get(unicodedata.normalize("NFKC", name).strip())

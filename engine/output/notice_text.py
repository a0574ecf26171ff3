"""What a notice (督办单) says, format-independently: its Chinese wording, fields and table rows.

The notice formats (docx, html, markdown) lay these out; the facts come from
:class:`~engine.notices.Notice`, computed by the library.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..notices import Notice
from ..report import Finding
from .views import SEVERITY_ZH

__all__ = [
    "SEVERITY_COLOURS",
    "TABLE_HEADERS",
    "COLUMN_WIDTHS_MM",
    "RECEIPT_LABEL_MM",
    "RECEIPT_ROW_MM",
    "RECEIPT_TITLE",
    "RECEIPT_ROWS",
    "CUT_LINE",
    "chinese_date",
    "severity_label",
    "escalation_mark",
    "fields",
    "intro",
    "rows",
    "signature",
    "receipt_fields",
    "receipt_note",
]

# Fill and text colour of the 预警 cell, per severity (hex RGB without '#').
SEVERITY_COLOURS = {"red": ("C00000", "FFFFFF"), "yellow": ("FFD966", "000000"), "blue": ("BDD7EE", "000000")}
TABLE_HEADERS = ["序号", "编号", "事项", "预警", "问题", "整改要求", "依据"]
# The findings table's column widths on A4 (mm; the text width between 18 mm margins), for Word and HTML.
COLUMN_WIDTHS_MM = (11, 15, 27, 14, 44, 35, 28)
# The reply slip: the label column, and the rows' heights (room to write by hand, a slip that fits
# under a short notice).
RECEIPT_LABEL_MM = 30
RECEIPT_ROW_MM = {"原因分析": 20, "整改措施": 20, "完成时限": 9, "责任人签字": 10}
RECEIPT_TITLE = "督查督办回执"
RECEIPT_ROWS = ["原因分析", "整改措施", "完成时限", "责任人签字"]
CUT_LINE = "✂ - - - - - - - - - - - - - - - - 沿 此 线 剪 下 - - - - - - - - - - - - - - - -"


def chinese_date(iso: str) -> str:
    """2026-11-28 → 2026年11月28日."""
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def severity_label(finding: Finding) -> str:
    return f"{SEVERITY_ZH[finding.severity]}色"


def escalation_mark(finding: Finding) -> str:
    """升级督办 with where it came from, for a finding that escalation raised; empty otherwise."""
    if finding.escalated_from is None:
        return ""
    streak = f",连续{finding.periods}期" if finding.periods else ""
    return f"升级督办(原{SEVERITY_ZH[finding.escalated_from]}色{streak})"


def fields(notice: Notice) -> list[tuple[str, str]]:
    """The labelled lines under the title: addressee, leaders, dates."""
    leaders = "、".join(notice.leaders) or "—"
    if notice.assigned:
        head = [("责任单位", notice.unit)]
    else:
        head = [("送达", notice.addressee), ("责任单位", "未明确")]
    return head + [
        ("联系县领导", leaders),
        ("签发日期", chinese_date(notice.issued_on)),
        ("反馈时限", f"{chinese_date(notice.reply_by)}前({notice.reply_working_days}个工作日内)"),
    ]


def intro(notice: Notice) -> str:
    """The paragraph before the table: what was found and what is asked, by when."""
    as_of, reply = chinese_date(notice.issued_on), chinese_date(notice.reply_by)
    count = len(notice.findings)
    if notice.assigned:
        return (f"经对截至{as_of}的重点工作台账进行督查,你单位有以下{count}项问题,现予督办。"
                f"请对照整改要求逐项整改,并于{reply}前将回执报送{notice.office}。")
    return (f"经对截至{as_of}的重点工作台账进行督查,以下{count}项问题所涉事项未明确责任单位。"
            f"请于{reply}前明确责任单位,转交督办并跟踪整改。")


def rows(notice: Notice) -> list[list[Any]]:
    """The findings table, one row per finding; the 预警 cell is a list of lines (the severity, the mark)."""
    table = []
    for number, finding in enumerate(notice.findings, 1):
        warning = [severity_label(finding)] + ([escalation_mark(finding)] if finding.escalated_from else [])
        table.append([
            str(number),
            finding.subject if finding.subject_kind != "unit" else "—",
            finding.subject_title,
            warning,
            finding.message,
            finding.remedy,
            finding.clause,
        ])
    return table


def signature(notice: Notice) -> tuple[str, str]:
    """The signing office and the date under it."""
    return notice.office, chinese_date(notice.issued_on)


def receipt_fields(notice: Notice) -> list[tuple[str, str]]:
    return [("督办单编号", notice.number), ("责任单位", notice.unit if notice.assigned else "")]


def receipt_note(notice: Notice) -> str:
    return f"请于{chinese_date(notice.reply_by)}前将本回执报送{notice.office}。"

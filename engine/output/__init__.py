"""Outputs: one module per format behind one small interface, and their registry.

A format is a set of *views* — one renderer per command that prints
(``check``, ``rank``, ``explain``, ``rules``, ``metrics``, ``rollup``, ``history``, ``diff``,
``validate``, ``notice`` for ``duban notices``, and the analysts' ``sweep`` and
``coverage``) — each a function from what the library computed (a
:class:`~engine.report.Report`, an explanation, a rule pack, a sweep, a
coverage) to text. Renderers never compute: they arrange
what the report holds, with Chinese headers. The registry :data:`FORMATS`
also gives the command line its ``--format`` choices and their help.

- :mod:`.views`     the format-independent part: labels, headers and rows
- :mod:`.cycle`     the same for the supervision cycle's views: history, diff
- :mod:`.table`     aligned terminal tables
- :mod:`.json`      the JSON report of the spec
- :mod:`.csv`       CSV with a byte-order mark, for Excel
- :mod:`.markdown`  pipe tables under a heading
- :mod:`.xlsx`      the report as an Excel workbook (汇总, 预警, 排名, 按单位, 按领导)
- :mod:`.workbook`  openpyxl plumbing: tables, widths for Chinese text, deterministic bytes
- :mod:`.html`      the dashboard (one self-contained HTML file) and HTML notices, from Jinja2 templates
- :mod:`.docx`      Word notices (督办单), a binary format with only the ``notice`` view; :mod:`.word` lays them out
- :mod:`.notice_text` the wording, fields and rows of a notice, for every notice format
- :mod:`.cells`     spreadsheet cells that cannot run as formulas
- :mod:`.write`     writing a result to a file atomically
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from ..errors import UsageError
from . import csv, docx, html, json, markdown, table, xlsx

__all__ = ["VIEWS", "OutputFormat", "FORMATS", "render", "formats_help", "formats_for", "choose_format"]

# What commands print; a format module offers the views it can show.
VIEWS = ("check", "rank", "explain", "rules", "rule", "metrics", "rollup", "notice", "history", "diff", "validate",
         "sweep", "coverage")


@dataclass(frozen=True)
class OutputFormat:
    """One output format: its name, a line of help, its renderer per view.

    ``suffixes`` are the file extensions that name it (for guessing the format
    from ``--output``); a ``binary`` format's renderers return bytes and need
    ``--output``; a ``terminal`` format's renderers also take ``color`` and
    ``width``, which the command line gives when it prints to a terminal.
    """

    name: str
    title: str
    views: Mapping[str, Callable[..., Any]]
    suffixes: tuple[str, ...] = ()
    binary: bool = False
    terminal: bool = False


def _views(module: Any) -> dict[str, Callable[..., str]]:
    return {name: getattr(module, name) for name in VIEWS if hasattr(module, name)}


FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat("table", "终端表格", _views(table), (".txt",), terminal=True),
        OutputFormat("json", "JSON 报告", _views(json), (".json",)),
        OutputFormat("csv", "CSV(带 BOM,Excel 可直接打开)", _views(csv), (".csv",)),
        OutputFormat("markdown", "Markdown 表格", _views(markdown), (".md", ".markdown")),
        OutputFormat("xlsx", "Excel 工作簿(须同时给出 --output)", _views(xlsx), (".xlsx",), binary=True),
        OutputFormat("html", "HTML 看板(单个文件,离线可打开)", _views(html), (".html", ".htm")),
        OutputFormat("docx", "Word 文档", _views(docx), (".docx",), binary=True),
    )
}


def render(fmt: str, view: str, subject: Any = None, **options: Any) -> Any:
    """``subject`` rendered by format ``fmt``'s renderer for ``view``."""
    output = FORMATS.get(fmt)
    if output is None:
        raise UsageError.at("--format", fmt, f"未知的输出格式,应为 {', '.join(FORMATS)} 之一")
    renderer = output.views.get(view)
    if renderer is None:
        raise UsageError.at("--format", fmt, f"{view} 不支持 {fmt} 格式")
    return renderer(**options) if subject is None else renderer(subject, **options)


def formats_for(view: str) -> list[str]:
    """The names of the formats that have a renderer for ``view``."""
    return [f.name for f in FORMATS.values() if view in f.views]


def formats_help(view: str) -> str:
    """The ``--format`` help of a command: the formats its view supports."""
    return "输出格式: " + ",".join(f"{f.name} {f.title}" for f in FORMATS.values() if view in f.views) + "。"


def choose_format(fmt: Optional[str], output: Optional[str], view: str) -> OutputFormat:
    """The format asked for: ``fmt`` if given, else the one ``output``'s extension names, else the table.

    An output file whose extension names no format of ``view`` is refused
    rather than filled with a table; a name without an extension gets the
    table. A binary format needs an output file.
    """
    if fmt:
        chosen = FORMATS[fmt]
    elif output and os.path.splitext(output)[1]:
        suffix = os.path.splitext(output)[1].lower()
        found = [f for f in FORMATS.values() if suffix in f.suffixes and view in f.views]
        if not found:
            known = ", ".join(f"{s} {f.name}" for f in FORMATS.values() if view in f.views for s in f.suffixes)
            raise UsageError.at("--output", output, f"无法从扩展名判断输出格式(可用的扩展名: {known});请用 -f 指定格式")
        chosen = found[0]
    else:
        chosen = FORMATS["table"]
    if chosen.binary and not output:
        raise UsageError.at("--format", chosen.name, "该格式须写入文件: 请用 -o/--output 指定文件")
    return chosen

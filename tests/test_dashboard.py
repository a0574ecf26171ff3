"""The dashboard (`--format html` on check and rank): one self-contained file, escaped, with every part.

What it does in a browser (filters, drill-down, console) is tested in Chromium by tests/test_browser.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from conftest import AS_OF, SAMPLE, make_item, make_ledger
from engine import Engine, load_ledger
from engine.output import FORMATS, render
from engine.report import PeriodCounts
from engine.rollup import rollup


@pytest.fixture(scope="module")
def sample_report():
    return Engine.default().evaluate(load_ledger(SAMPLE), AS_OF)


@pytest.fixture(scope="module")
def page(sample_report) -> str:
    return render("html", "check", sample_report)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def test_html_is_a_registered_format_for_check_and_rank() -> None:
    assert FORMATS["html"].suffixes == (".html", ".htm")
    assert {"check", "rank", "notice"} <= set(FORMATS["html"].views)
    assert not FORMATS["html"].binary


def test_nothing_is_loaded_from_anywhere(page: str) -> None:
    assert not re.search(r"https?:|//", page)
    elements = parsed(page)
    for tag, attrs in elements.tags:
        for name in ("src", "href", "action", "xlink:href", "data", "srcset", "poster"):
            assert name not in attrs or attrs[name].startswith("data:"), (tag, attrs)
        assert tag not in ("link", "iframe", "object", "embed", "img", "base")
    assert "@import" not in page and "url(" not in page
    assert page.count("<script") == 1 and "<script>" in page  # the page's own script, inline


def test_county_as_of_tiles_and_rollups(page: str, sample_report) -> None:
    summary = sample_report.summary
    assert "<h1>清溪县重点工作督办看板</h1>" in page and "基准日 <strong>2026-11-28</strong>" in page
    tiles = re.findall(r'<div class="tile (\w+)"><span class="n">(\d+)</span><span class="l">([^<]+)</span>', page)
    assert tiles == [
        ("total", str(summary.items), "事项"),
        ("red", str(summary.lights["red"]), "红灯事项"),
        ("yellow", str(summary.lights["yellow"]), "黄灯事项"),
        ("green", str(summary.lights["green"]), "绿灯事项"),
        ("total", str(sum(summary.findings.values())), "预警"),
        ("red", str(summary.findings["red"]), "红色预警"),
        ("yellow", str(summary.findings["yellow"]), "黄色预警"),
        ("blue", str(summary.findings["blue"]), "蓝色预警"),
    ]
    for title, by in (("按责任单位汇总", "unit"), ("按联系县领导汇总", "leader")):
        section = page.split(f"<h2>{title}</h2>")[1].split("</section>")[0]
        rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", section)
        assert rows == [(str(escape(g.group)), str(g.items), str(g.red)) for g in rollup(sample_report, by).groups]


def test_lights_by_unit_are_stacked_bars(page: str, sample_report) -> None:
    chart = page.split("各责任单位事项亮灯情况(红灯、黄灯、绿灯事项数)</figcaption>")[1].split("</svg>")[0]
    bars = re.findall(r'<rect class="(red|yellow|green)" [^>]*><title>([^<]+)</title>', chart)
    expected = [(light, f"{g.group} {label} {getattr(g, light)} 项")
                for g in rollup(sample_report, "unit").groups
                for light, label in (("red", "红灯"), ("yellow", "黄灯"), ("green", "绿灯")) if getattr(g, light)]
    assert bars == expected
    assert 'id="periods"' not in page  # no history, no period chart


def test_the_period_chart_is_drawn_when_periods_are_given(sample_report) -> None:
    periods = [("2026-10-31", 15, 16), PeriodCounts(as_of="2026-11-14", red=14, yellow=15), ("2026-11-28", 13, 14)]
    page = render("html", "check", sample_report, periods=periods)
    chart = page.split('<figure id="periods">')[1].split("</figure>")[0]
    bars = re.findall(r'<rect class="(red|yellow)" x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)">'
                      r"<title>([^<]+)</title>", chart)
    assert [(b[0], b[4]) for b in bars] == [
        ("red", "2026-10-31 红灯 15 项"), ("yellow", "2026-10-31 黄灯 16 项"),
        ("red", "2026-11-14 红灯 14 项"), ("yellow", "2026-11-14 黄灯 15 项"),
        ("red", "2026-11-28 红灯 13 项"), ("yellow", "2026-11-28 黄灯 14 项"),
    ]
    heights = [float(b[3]) for b in bars]
    assert heights[1] == max(heights) and heights[4] == min(heights)  # bar heights follow the counts
    assert [float(b[1]) for b in bars] == sorted(float(b[1]) for b in bars)  # oldest on the left
    for label in ("2026-10-31", "2026-11-14", "2026-11-28"):
        assert f">{label}</text>" in chart


def test_every_item_with_its_columns_and_findings(page: str, sample_report) -> None:
    rows = re.findall(r'<tr class="item" id="item-(\d+)" data-id="([^"]+)" data-kind="(\w+)" data-unit="([^"]*)" '
                      r'data-leader="([^"]*)" data-light="(\w+)"', page)
    assert [r[1] for r in rows] == [i.id for i in sample_report.items]
    for (index, _, kind, unit, leader, light), item in zip(rows, sample_report.items):
        assert (kind, light) == (item.kind, item.light)
        assert unit == (item.unit or "(未填)") and leader in (item.leader, "(未填)")
        detail = page.split(f'<tr class="detail" id="detail-{index}" hidden>')[1].split("</tr>")[0]
        findings = sample_report.findings_for(item.id)
        for finding in findings:
            for text in (finding.message, finding.remedy, finding.clause):
                assert str(escape(text)) in detail
            for name in finding.evidence:
                assert f'<span class="evidence">{name} = ' in detail
        if not findings:
            assert "无预警。" in detail
    assert "县委改革办尚未明确创先争优目标" in page.split("<h2>单位和全县预警</h2>")[1]


def test_filters_offer_the_kinds_units_leaders_and_lights_present(page: str, sample_report) -> None:
    def options(select: str) -> list[str]:
        block = page.split(f'<select id="{select}"')[1].split("</select>")[0]
        return re.findall(r'<option value="([^"]*)">', block)

    assert options("f-unit") == [""] + sorted({i.unit for i in sample_report.items})
    leaders = {i.leader for i in sample_report.items} - {"待定", "待明确"}
    assert options("f-leader") == [""] + sorted(leaders) + ["(未填)"]
    assert options("f-light") == ["", "red", "yellow", "green"]
    assert set(options("f-kind")[1:]) == {i.kind for i in sample_report.items}
    assert 'id="f-text" type="search"' in page


def test_rank_top_lists_only_the_first_items(sample_report) -> None:
    page = render("html", "rank", sample_report, top=5)
    assert re.findall(r'data-id="([^"]+)"', page) == [i.id for i in sample_report.items[:5]]
    assert "仅列出优先级最高的 5 项(共 42 项)" in page


def test_print_styles_are_a4(page: str) -> None:
    assert "@page { size: A4;" in page and "@media print" in page


def test_ledger_text_is_escaped_everywhere() -> None:
    hostile = "<script>alert(1)</script>"
    ledger = make_ledger(
        make_item(id="P-1", title=hostile, unit='"><img src=x onerror=alert(2)>', leader="<b>李</b>", owner=""),
        units=[{"name": "<i>局</i>"}],
    )
    report = Engine.default().evaluate(ledger, AS_OF)
    for view in ("check", "rank"):
        page = render("html", view, report)
        assert page.count("<script") == 1
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img" not in page and "<b>李</b>" not in page and "<i>局</i>" not in page
        assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
        text = "".join(parsed(page).text)
        assert hostile in text  # shown as the text it is


def test_cli_writes_the_dashboard_from_another_folder(run_duban, tmp_path: Path) -> None:
    run_duban("check", str(SAMPLE), "--format", "html", "--output", "board.html", cwd=tmp_path)
    run_duban("check", str(SAMPLE), "--format", "html", "--output", "again.html", cwd=tmp_path)
    assert (tmp_path / "board.html").read_bytes() == (tmp_path / "again.html").read_bytes()  # two processes
    page = (tmp_path / "board.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    run_duban("rank", str(SAMPLE), "--format", "html", "--top", "3", "--output", "top.html", cwd=tmp_path)
    assert len(re.findall(r'<tr class="item"', (tmp_path / "top.html").read_text(encoding="utf-8"))) == 3


def test_a_filtered_report_shows_only_what_the_filter_keeps(sample_report) -> None:
    """Under --min-severity red an item's reasons name only its red findings (its rule list names them all)."""
    view = sample_report.filtered(min_severity="red")
    page = render("html", "rank", view)
    assert re.findall(r'data-id="([^"]+)"', page) == [i.id for i in view.items]
    red_titles = {f.title for f in view.findings}
    for item in view.items:
        row = page.split(f'data-id="{item.id}"')[1].split("</tr>")[0]
        reasons = row.rsplit("<td>", 1)[1].split("</td>")[0]  # the last cell: 主要问题
        shown = reasons.rstrip("等").split("、")
        assert set(shown) <= red_titles, (item.id, reasons)

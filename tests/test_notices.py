"""Notices (SPEC Part 2 "What the office sends"): who gets one, their numbers, dates and findings, and the files.

The library builds the notices from a report (engine/notices.py); the formats lay them out. Word files are
read back with python-docx: A4, the Chinese font on every run, the shaded 预警 cells, the reply slip, and
the same bytes for the same input.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from markupsafe import escape
from docx.oxml.ns import qn

from conftest import SAMPLE, make_item, make_ledger
from engine import Engine, Finding, load_ledger
from engine.notices import UNASSIGNED, build_notices, file_safe
from engine.output import FORMATS, formats_for, render
from engine.output.notice_text import SEVERITY_COLOURS

AS_OF = date(2026, 11, 28)
SEVERITY_ORDER = ("red", "yellow", "blue")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


@pytest.fixture(scope="module")
def sample_report(engine: Engine):
    return engine.evaluate(load_ledger(SAMPLE), AS_OF)


def unit_of(report, finding: Finding) -> str | None:
    if finding.subject_kind == "unit":
        return finding.subject
    unit = report.item(finding.subject).unit
    return unit.strip() if unit and unit.strip() not in ("", "待定", "待明确") else None


# --- who gets a notice, and what it holds ----------------------------------------------------------------


def test_one_notice_per_unit_holding_every_finding_of_its_unit(sample_report, engine: Engine) -> None:
    notices = build_notices(sample_report, engine.pack.params).notices
    expected: dict[str, list[Finding]] = {}
    county = [f for f in sample_report.findings if f.subject_kind == "county"]
    for finding in sample_report.findings:
        if finding.subject_kind != "county":
            expected.setdefault(unit_of(sample_report, finding), []).append(finding)
    assert None not in expected  # every item of the sample has a unit
    assert [n.unit for n in notices] == sorted(expected)  # code-point order
    for notice in notices:
        assert notice.findings == expected[notice.unit]
        assert notice.assigned and notice.addressee == notice.unit
    # every finding of the report but the county's is in exactly one notice
    assert county, "the sample has a county finding (ENT-03)"
    assert sum(len(n.findings) for n in notices) == len(sample_report.findings) - len(county)


def test_number_title_dates_and_leaders(sample_report, engine: Engine) -> None:
    notices = build_notices(sample_report, engine.pack.params).notices
    assert [n.number for n in notices] == [f"督办〔2026〕1128-{i:02d}号" for i in range(1, len(notices) + 1)]
    for notice in notices:
        assert notice.title == "清溪县督查督办单"
        assert notice.office == "清溪县督查室"
        assert notice.issued_on == "2026-11-28"
        # 2026-11-28 is a Saturday: five working days are Mon 30 Nov to Fri 4 Dec
        assert notice.reply_by == "2026-12-04" and notice.reply_working_days == 5
        assert notice.file_stem == f"督办单-{notice.unit}-2026-11-28"
        leaders = [sample_report.item(f.subject).leader for f in notice.findings if f.subject_kind not in ("unit", "county")]
        assert notice.leaders == list(dict.fromkeys(l for l in leaders if l not in ("待定", "待明确")))
    housing = next(n for n in notices if n.unit == "县住建局")
    assert housing.leaders == ["赵永明", "陈卫民"]


@pytest.mark.parametrize("as_of, days, reply_by", [
    ("2025-09-30", 5, "2025-10-14"),   # 国庆: 1–8 October off, Saturday 11 October a make-up working day
    ("2026-11-27", 1, "2026-11-30"),   # a Friday: the next working day is Monday
    ("2026-11-27", 10, "2026-12-11"),
])
def test_reply_deadline_counts_official_working_days(as_of: str, days: int, reply_by: str) -> None:
    engine = Engine.default(params={"notice_reply_working_days": days})
    report = engine.evaluate(make_ledger(make_item(owner=""), as_of=as_of))
    (notice,) = build_notices(report, engine.pack.params).notices
    assert notice.reply_by == reply_by


def test_a_pack_without_the_param_uses_five_working_days(sample_report) -> None:
    (first, *_) = build_notices(sample_report, {}).notices
    assert first.reply_by == "2026-12-04"


def test_min_severity_keeps_findings_at_or_above_it_and_the_numbers(sample_report, engine: Engine) -> None:
    everything = {n.unit: n for n in build_notices(sample_report, engine.pack.params).notices}
    for minimum in SEVERITY_ORDER:
        kept = SEVERITY_ORDER[:SEVERITY_ORDER.index(minimum) + 1]
        notices = build_notices(sample_report, engine.pack.params, min_severity=minimum).notices
        units_with = {unit_of(sample_report, f) for f in sample_report.findings
                      if f.severity in kept and f.subject_kind != "county"}
        assert {n.unit for n in notices} == units_with
        for notice in notices:
            assert notice.findings == [f for f in everything[notice.unit].findings if f.severity in kept]
            assert notice.number == everything[notice.unit].number  # numbered without the filter
    red = build_notices(sample_report, engine.pack.params, min_severity="red").notices
    assert len(red) < len(everything)  # the sample has units with no red finding: their numbers are skipped


def test_a_filtered_view_chooses_the_findings_and_the_numbers_stay(sample_report, engine: Engine) -> None:
    everything = {n.unit: n for n in build_notices(sample_report, engine.pack.params).notices}
    view = sample_report.filtered(units=["县住建局", "县商务局"], min_severity="red")
    notices = build_notices(sample_report, engine.pack.params, shown=view).notices
    items = {n.unit: n for n in notices if any(f.subject_kind not in ("unit", "county") for f in n.findings)}
    assert sorted(items) == ["县住建局", "县商务局"]
    for unit, notice in items.items():
        assert notice.number == everything[unit].number
        assert notice.findings == [f for f in view.findings if f in everything[unit].findings]
        assert {f.severity for f in notice.findings} == {"red"}


def test_missing_units_go_to_the_office_numbered_last_and_unit_findings_to_their_unit(engine: Engine) -> None:
    ledger = make_ledger(
        make_item(id="P-1", unit="县住建局", owner=""),
        make_item(id="P-2", unit="待定", owner="", leader="王五"),
        make_item(id="P-3", unit="  ", owner=""),
        make_item(id="P-4", unit="县交通局", owner=""),
        units=[{"name": "县住建局"}, {"name": "县水利局"}],
    )
    report = engine.evaluate(ledger, AS_OF)
    notices = build_notices(report, engine.pack.params).notices
    assert [n.unit for n in notices] == ["县交通局", "县住建局", "县水利局", UNASSIGNED]
    assert [n.sequence for n in notices] == [1, 2, 3, 4]
    office = notices[-1]
    assert not office.assigned and office.addressee == "测试县督查室"
    assert office.file_stem == "督办单-未明确责任单位-2026-11-28"
    assert office.number == "督办〔2026〕1128-04号"
    assert {f.subject for f in office.findings} == {"P-2", "P-3"}
    assert {f.rule for f in office.findings} >= {"OWN-01", "OWN-02"}  # the missing unit is a finding too
    assert office.leaders == ["王五", "李四"]
    water = notices[2]
    assert [(f.subject, f.rule, f.subject_kind) for f in water.findings] == [("县水利局", "EXC-01", "unit")]
    housing = notices[1]
    assert [f.rule for f in housing.findings if f.subject_kind == "unit"] == ["EXC-01"]
    assert housing.findings[-1].subject_kind == "unit"  # unit findings come after the items', as in the report


def test_county_findings_go_into_no_notice(sample_report, engine: Engine) -> None:
    county = [f for f in sample_report.findings if f.subject_kind == "county"]
    assert county
    without = sample_report.model_copy(update={"findings": [f for f in sample_report.findings if f not in county]})
    notices = build_notices(sample_report, engine.pack.params).notices
    assert notices == build_notices(without, engine.pack.params).notices
    assert not [f for n in notices for f in n.findings if f.subject_kind == "county"]


def test_without_a_county_the_title_is_plain(engine: Engine) -> None:
    report = engine.evaluate(load_ledger({"items": [make_item(owner="")]}), AS_OF)
    (notice,) = build_notices(report, engine.pack.params).notices
    assert notice.title == "督查督办单" and notice.office == "督查室"


def test_file_names_replace_the_characters_file_systems_refuse(engine: Engine) -> None:
    assert file_safe('县/局\\a:b*c?d"e<f>g|h') == "县_局_a_b_c_d_e_f_g_h"
    ledger = make_ledger(make_item(id="P-1", unit="县/局", owner=""), make_item(id="P-2", unit="县_局", owner=""),
                         make_item(id="P-3", unit="县:交通局", owner=""))
    notices = build_notices(engine.evaluate(ledger, AS_OF), engine.pack.params).notices
    # 县/局 and 县_局 would share a file: both get their number; 县:交通局 alone does not
    assert {n.unit: n.file_stem for n in notices} == {
        "县/局": "督办单-县_局-2026-11-28-01", "县_局": "督办单-县_局-2026-11-28-03",
        "县:交通局": "督办单-县_交通局-2026-11-28",
    }


# --- the formats -------------------------------------------------------------------------------------------


def escalated_report(sample_report):
    """The sample's report with one finding raised from yellow to red by escalation (as the history will do)."""
    findings = list(sample_report.findings)
    index = next(i for i, f in enumerate(findings) if f.severity == "yellow" and f.subject_kind != "unit")
    findings[index] = findings[index].model_copy(update={
        "severity": "red", "escalated_from": "yellow", "periods": 3,
        "message": findings[index].message + "(连续3期未整改,升级督办)",
    })
    return sample_report.model_copy(update={"findings": findings}), findings[index]


def notice_of(report, engine: Engine, subject: str):
    unit = report.item(subject).unit
    return next(n for n in build_notices(report, engine.pack.params).notices if n.unit == unit)


def test_notice_formats_are_registered_beside_the_others() -> None:
    assert formats_for("notice") == ["markdown", "html", "docx"]
    assert FORMATS["docx"].binary and FORMATS["docx"].suffixes == (".docx",)
    assert set(FORMATS["docx"].views) == {"notice"}


def test_word_notice_has_every_element(sample_report, engine: Engine) -> None:
    report, raised = escalated_report(sample_report)
    notice = notice_of(report, engine, raised.subject)
    document = docx.Document(io.BytesIO(render("docx", "notice", notice)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text = "\n".join(p.text for p in document.paragraphs)
    for expected in (notice.title, notice.number, f"责任单位：{notice.unit}", "联系县领导：" + "、".join(notice.leaders),
                     "签发日期：2026年11月28日", "反馈时限：2026年12月4日前(5个工作日内)", "清溪县督查室",
                     "督查督办回执", f"督办单编号：{notice.number}", "沿 此 线 剪 下"):
        assert expected in text, expected
    findings, receipt = document.tables
    rows = [[cell.text for cell in row.cells] for row in findings.rows]
    assert rows[0] == ["序号", "编号", "事项", "预警", "问题", "整改要求", "依据"]
    assert len(rows) == len(notice.findings) + 1
    for number, (row, finding) in enumerate(zip(rows[1:], notice.findings), 1):
        assert row[:3] == [str(number), finding.subject if finding.subject_kind != "unit" else "—",
                           finding.subject_title]
        assert row[4:] == [finding.message, finding.remedy, finding.clause]
    # the 预警 cell: its colour, and the mark on the escalated finding
    for row, finding in zip(findings.rows[1:], notice.findings):
        cell = row.cells[3]
        assert cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == SEVERITY_COLOURS[finding.severity][0]
        label = {"red": "红色", "yellow": "黄色", "blue": "蓝色"}[finding.severity]
        if finding is raised or finding == raised:
            assert cell.text == f"{label}\n升级督办(原黄色,连续3期)"
        else:
            assert cell.text == label
    assert [row.cells[0].text for row in receipt.rows] == ["原因分析", "整改措施", "完成时限", "责任人签字"]


def test_word_runs_carry_an_east_asian_font_and_chinese_language(sample_report, engine: Engine) -> None:
    notice = build_notices(sample_report, engine.pack.params).notices[0]
    data = render("docx", "notice", notice)
    document = docx.Document(io.BytesIO(data))
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs
    for run in runs:
        fonts = run._element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) in ("SimSun", "SimHei"), run.text
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode("utf-8")
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles).group(0)
    assert 'w:eastAsia="SimSun"' in defaults and 'w:eastAsia="zh-CN"' in defaults
    assert "eastAsiaTheme" not in defaults


def test_word_notice_is_the_same_bytes_whatever_the_clock(sample_report, engine: Engine,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    notice = build_notices(sample_report, engine.pack.params).notices[0]
    monkeypatch.setattr(time, "time", lambda: 1_000_000_000.0)
    first = render("docx", "notice", notice)
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    second = render("docx", "notice", notice)
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {(2026, 11, 28, 0, 0, 0)}
    assert not [name for name in archive.namelist() if "thumbnail" in name]
    props = docx.Document(io.BytesIO(first)).core_properties
    assert props.author == "清溪县督查室" and props.created.date() == AS_OF and props.modified.date() == AS_OF
    assert "python-docx" not in archive.read("docProps/core.xml").decode("utf-8")


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_text_notices_hold_the_same_elements(fmt: str, sample_report, engine: Engine) -> None:
    report, raised = escalated_report(sample_report)
    notice = notice_of(report, engine, raised.subject)
    text = render(fmt, "notice", notice)
    for expected in (notice.title, notice.number, notice.unit, "2026年12月4日", "清溪县督查室", "督查督办回执",
                     "原因分析", "整改措施", "完成时限", "责任人签字", "升级督办(原黄色,连续3期)"):
        assert expected in text, expected
    for finding in notice.findings:
        for value in (finding.message, finding.remedy, finding.clause, finding.subject_title):
            assert (str(escape(value)) if fmt == "html" else value.replace("|", "\\|")) in text
    if fmt == "html":
        assert not re.search(r"https?:|//|src=|<link|@import|url\(", text)
        for severity, (fill, _) in SEVERITY_COLOURS.items():
            assert f"td.warning.{severity} {{ background: #{fill};" in text
        assert text.count('class="warning ') == len(notice.findings)


def test_notice_text_is_escaped(engine: Engine) -> None:
    ledger = make_ledger(make_item(title="<script>alert(1)</script>|x", unit="<b>局</b>", owner=""))
    notice = build_notices(engine.evaluate(ledger, AS_OF), engine.pack.params).notices[0]
    page = render("html", "notice", notice)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>局</b>" not in page and "&lt;b&gt;局&lt;/b&gt;" in page
    assert "\\|x" in render("markdown", "notice", notice)


# --- the command -------------------------------------------------------------------------------------------


def test_cli_writes_one_file_per_notice_and_prints_them(run_cli, tmp_path: Path, monkeypatch, sample_report,
                                                        engine: Engine) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "备忘.txt").write_text("keep", encoding="utf-8")
    stale = out / "督办单-县住建局-2026-11-28.docx"
    stale.write_bytes(b"old")
    result = run_cli("notices", str(SAMPLE), "--out", "out")
    notices = build_notices(sample_report, engine.pack.params).notices
    assert result.stdout.splitlines() == [str(Path("out") / f"{n.file_stem}.docx") for n in notices]
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n.file_stem}.docx" for n in notices] + ["备忘.txt"])
    assert (out / "备忘.txt").read_text(encoding="utf-8") == "keep"
    assert stale.read_bytes() != b"old"
    docx.Document(str(stale))  # replaced by a real document
    again = tmp_path / "again"
    run_cli("notices", str(SAMPLE), "--out", "again")
    for notice in notices:
        name = f"{notice.file_stem}.docx"
        assert (again / name).read_bytes() == (out / name).read_bytes()


@pytest.mark.parametrize("fmt, suffix", [("html", ".html"), ("markdown", ".md")])
def test_cli_formats_and_min_severity(fmt: str, suffix: str, run_cli, tmp_path: Path, sample_report,
                                      engine: Engine) -> None:
    result = run_cli("notices", str(SAMPLE), "--out", str(tmp_path / "n"), "--format", fmt, "--min-severity", "red")
    red = build_notices(sample_report, engine.pack.params, min_severity="red").notices
    assert result.stdout.splitlines() == [str(tmp_path / "n" / f"{n.file_stem}{suffix}") for n in red]
    everything = {n.unit: n for n in build_notices(sample_report, engine.pack.params).notices}
    for notice in red:
        text = (tmp_path / "n" / f"{notice.file_stem}{suffix}").read_text(encoding="utf-8")
        assert notice.number in text
        for finding in everything[notice.unit].findings:
            shown = str(escape(finding.message)) if fmt == "html" else finding.message
            assert (shown in text) == (finding.severity == "red"), finding.message


def test_cli_out_that_is_a_file_is_a_usage_error(run_cli, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    result = run_cli("notices", str(SAMPLE), "--out", str(tmp_path / "f"), code=2)
    assert result.stderr.splitlines()[-1].startswith(f"错误: --out: {tmp_path / 'f'}: 不是目录")
    assert (tmp_path / "f").read_text(encoding="utf-8") == "x"


def test_cli_without_findings_writes_nothing(run_cli, tmp_path: Path) -> None:
    ledger = tmp_path / "clean.json"
    ledger.write_text(json.dumps({"ledger": {"as_of": "2026-11-28"}, "items": [make_item()]}), encoding="utf-8")
    result = run_cli("notices", str(ledger), "--out", str(tmp_path / "n"))
    assert result.stdout == "" and "未生成督办单" in result.stderr
    assert not (tmp_path / "n").exists()


def test_cli_unit_filter_writes_only_that_units_notice_with_its_number(run_cli, tmp_path: Path, sample_report,
                                                                        engine: Engine) -> None:
    everyone = {n.unit: n.number for n in build_notices(sample_report, engine.pack.params).notices}
    out = tmp_path / "notices"
    printed = run_cli("notices", str(SAMPLE), "--out", str(out), "--format", "markdown", "--unit", "县住建局").stdout
    assert [Path(line).name for line in printed.splitlines()] == ["督办单-县住建局-2026-11-28.md"]
    assert everyone["县住建局"] in (out / "督办单-县住建局-2026-11-28.md").read_text(encoding="utf-8")


def test_cli_rollup_rolls_up_what_the_filters_show(run_cli) -> None:
    data = json.loads(run_cli("rollup", str(SAMPLE), "--by", "leader", "--unit", "县住建局", "--format", "json").stdout)
    report = Engine.default().evaluate(load_ledger(SAMPLE))
    expected = {i.leader for i in report.items if i.unit == "县住建局"}
    assert {g["group"] for g in data["groups"]} == expected
    assert sum(g["items"] for g in data["groups"]) == sum(1 for i in report.items if i.unit == "县住建局")

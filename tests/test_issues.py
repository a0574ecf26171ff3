"""Regression tests for reported problems, one test per problem, named after it (as rule-engine's tests/issues.py).

Each test failed before its fix. Sections are by issue; a new issue adds its own section.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import pty
import re
import select
import stat
import struct
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wcwidth import wcswidth

from click.testing import CliRunner

from cli import main
from conftest import ROOT, SAMPLE, duban_executable, make_item
from engine import DubanError, Engine, LedgerError, UsageError, load_ledger, load_pack
from engine.errors import PackError

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def write_ledger(path: Path, *items: dict, as_of: str = "2026-11-28") -> Path:
    data = {"ledger": {"county": "测试县", "as_of": as_of}, "items": list(items)}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def csv_rows(data: bytes) -> list[list[str]]:
    """A CSV document as rows; it must be one document: the byte-order mark once, at byte 0."""
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")[1:]
    assert "\ufeff" not in text
    return list(csv.reader(io.StringIO(text, newline="")))


def on_terminal(args: list[str], columns: int, env: dict[str, str] | None = None) -> tuple[str, str]:
    """Run duban with stdout on a pseudo-terminal of ``columns`` columns: (what the terminal showed, stderr)."""
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    environment.update({"TERM": "xterm-256color", "PYTHONIOENCODING": "utf-8", **(env or {})})
    proc = subprocess.Popen(duban_executable() + args, stdout=slave, stderr=subprocess.PIPE, cwd=ROOT,
                            env=environment)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    stderr = proc.stderr.read().decode("utf-8")  # type: ignore[union-attr]
    assert proc.wait(timeout=60) == 0, stderr
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n"), stderr


# --- issue 10, output side ----------------------------------------------------------------------------------
# What a new user hit: the explain CSV, Markdown cells, the library's entry points, formula injection,
# the ranking among capped items, and the command line's conventions, language and terminal table.


def test_explain_csv_is_one_csv_with_the_score_rows(run_cli) -> None:
    """Bug 1: `explain --format csv` printed prose, a BOM mid-stream, rows and a prose score block."""
    data = run_cli("explain", "P-004", str(SAMPLE), "--format", "csv").stdout_bytes
    header, *rows = csv_rows(data)
    assert {len(row) for row in rows} == {len(header)}
    part = header.index("部分")
    # the explanation's lines (each rule's verdict, condition tree, levels, counterfactuals, misses), then the
    # breakdown, then the total
    lines = [row for row in rows if row[part] not in ("得分", "合计")]
    checks = [row for row in lines if row[part] == "条件"]
    scores = {row[header.index("规则")]: row for row in rows if row[part] == "得分"}
    (total,) = [row for row in rows if row[part] == "合计"]
    assert rows == lines + list(scores.values()) + [total]
    assert {row[header.index("规则")] for row in checks} >= {"SCH-02", "LAG-01", "LAG-02", "MULTI-01", "OWN-01"}
    # P-004: SCH-02 60, LAG-01 51.65, LAG-02 60, MULTI-01 30 … (SPEC "Priority score"), as the JSON form has them
    points = {rule: row[header.index("分值")] for rule, row in scores.items()}
    assert {rule: points[rule] for rule in ("SCH-02", "LAG-01", "LAG-02", "MULTI-01")} == {
        "SCH-02": "60", "LAG-01": "51.65", "LAG-02": "60", "MULTI-01": "30"}
    data = json.loads(run_cli("explain", "P-004", str(SAMPLE), "--format", "json").stdout)
    assert set(points) == {r["rule"] for r in data["rules"] if r["fired"]}
    assert total[header.index("分值")] == "100"
    assert f"合计 {data['raw_points']:.2f}".rstrip("0").rstrip(".") in total[header.index("说明")]


def test_markdown_escapes_pipes_and_line_breaks(run_cli, tmp_path: Path) -> None:
    """Bug 4: a title 物流园|二期 broke the Markdown row, and so did a line break."""
    ledger = write_ledger(tmp_path / "l.yaml", make_item(id="P-1", title="物流园|二期", owner="待定"),
                          make_item(id="P-2", title="一期\n二期", owner="待定"))
    for command in ("check", "rank"):
        out = run_cli(command, str(ledger), "--format", "markdown").stdout
        table = [line for line in out.splitlines() if line.startswith("|")]
        columns = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(columns) == 1, table  # every row has the header's cells
        assert "物流园\\|二期" in out and "一期<br>二期" in out
        assert not any(line.startswith("二期") for line in out.splitlines())


def test_engine_evaluate_accepts_a_plain_mapping(python_engine: Engine) -> None:
    """Bug 5: `Engine.evaluate({...})` raised AttributeError; a mapping is now loaded as load_ledger loads it."""
    data = {"ledger": {"as_of": "2026-11-28"}, "items": [make_item(id="P-1", owner="待定")]}
    assert python_engine.evaluate(data).to_json() == python_engine.evaluate(load_ledger(data)).to_json()
    assert python_engine.explain(data, "P-1").item.id == "P-1"
    with pytest.raises(LedgerError, match=r"items\[0\] \(P-1\)\.progress"):
        python_engine.evaluate({"items": [make_item(id="P-1", progress=150)]})
    # anything else is a typed duban error that says what to pass
    with pytest.raises(UsageError, match="load_ledger"):
        python_engine.evaluate(str(SAMPLE))  # type: ignore[arg-type]


def test_csv_cells_cannot_run_as_formulas(run_cli, tmp_path: Path) -> None:
    """Bug 8: titles like =HYPERLINK(...) or @SUM(A1) reached CSV as formulas."""
    titles = ['=HYPERLINK("http://x","点我")', "@SUM(A1)", "+1+1", "-2+3"]
    ledger = write_ledger(tmp_path / "l.yaml", *(make_item(id=f"P-{n}", title=t, owner="待定")
                                                 for n, t in enumerate(titles)))
    for args in (("check",), ("rank",), ("explain", "P-0")):
        data = run_cli(*args, str(ledger), "--format", "csv").stdout_bytes
        cells = [cell for row in csv_rows(data) for cell in row]
        formulas = [c for c in cells if c[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
        assert not formulas
        if args[0] != "explain":  # the titles are cells of their own, written as text
            assert {"'" + title for title in titles} <= set(cells)
    from engine.output.csv import sheet

    # numbers are numbers, not text: a negative one keeps its sign
    (row,) = csv_rows(sheet(["a", "b", "c", "d"], [["-1.5", -2, "=1+1", "@x"]]).encode("utf-8"))[1:]
    assert row == ["-1.5", "-2", "'=1+1", "'@x"]


# The ranking change of the spec ("Priority score"): equal rounded scores are ordered by the uncapped score.

RANKING_PACK = """
scoring:
  base: {red: 30, yellow: 12, blue: 3}
  importance: {national: 1.3, provincial: 1.2, municipal: 1.1, county: 1.0}
  tiers: {critical: 70, high: 40, medium: 20}
  max_score: 100
rules:
  - {id: T-01, title: 进度不足一半, clause: 确保项目按计划推进, applies_to: [project], severity: red,
     when: {field: progress, op: lt, value: 50}, magnitude: {field: investment.planned, scale: 7},
     message: "「{title}」", remedy: 整改}
  - {id: T-02, title: 投资不足, clause: 确保项目按计划推进, applies_to: [project], severity: red,
     when: {field: investment.completed, op: lt, value: 40}, magnitude: {field: investment.completed, scale: 9},
     message: "「{title}」", remedy: 整改}
  - {id: T-03, title: 进度过两成, clause: 确保项目按计划推进, applies_to: [project], severity: yellow,
     when: {field: progress, op: gte, value: 20}, magnitude: {field: progress, scale: 70},
     message: "「{title}」", remedy: 整改}
  - {id: T-04, title: 有计划投资, clause: 确保项目按计划推进, applies_to: [project], severity: blue,
     when: {field: investment.planned, op: gte, value: 5}, message: "「{title}」", remedy: 整改}
"""

# The same pack and weights, read from the spec's words (SPEC "Priority score"), not from the engine.
BASE = {"red": 30, "yellow": 12, "blue": 3}
IMPORTANCE = {"national": Fraction("1.3"), "provincial": Fraction("1.2"), "municipal": Fraction("1.1"),
              "county": Fraction(1)}


def spec_points(item: dict) -> list[tuple[str, Fraction]]:
    """The findings of RANKING_PACK on one item: (severity, base × factor), factor = 1 + min(magnitude/scale, 1)."""
    def factor(magnitude: Any, scale: int) -> Fraction:
        return Fraction(1) if magnitude is None or magnitude <= 0 else 1 + min(Fraction(magnitude, scale), Fraction(1))

    progress = item.get("progress")
    planned = (item.get("investment") or {}).get("planned")
    completed = (item.get("investment") or {}).get("completed")
    found = []
    if progress is not None and progress < 50:
        found.append(("red", BASE["red"] * factor(planned, 7)))
    if completed is not None and completed < 40:
        found.append(("red", BASE["red"] * factor(completed, 9)))
    if progress is not None and progress >= 20:
        found.append(("yellow", BASE["yellow"] * factor(progress, 70)))
    if planned is not None and planned >= 5:
        found.append(("blue", Fraction(BASE["blue"])))
    return found


def spec_ranking(items: list[dict]) -> list[tuple[str, Fraction]]:
    """(id, score) in rank order: score, then uncapped score, then red findings (all descending), then id."""
    rows = []
    for item in items:
        found = spec_points(item)
        uncapped = sum((points for _, points in found), Fraction(0)) * IMPORTANCE[item.get("level", "county")]
        score = Fraction(math.floor(min(Fraction(100), uncapped) * 10 + Fraction(1, 2)), 10)  # half up, one decimal
        reds = sum(1 for severity, _ in found if severity == "red")
        rows.append((-score, -uncapped, -reds, item["id"], score))
    return [(row[3], row[4]) for row in sorted(rows)]


@pytest.fixture(scope="module")
def ranking_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("ranking-pack")
    (folder / "rules.yaml").write_text(RANKING_PACK, encoding="utf-8")
    return Engine.from_path(folder, backend="python")


def ranking_item(n: int, level: str, progress: Any, planned: Any, completed: Any) -> dict:
    item: dict[str, Any] = {"id": f"P-{n:02d}", "kind": "project", "title": f"项目{n}", "level": level}
    if progress is not None:
        item["progress"] = progress
    investment = {k: v for k, v in (("planned", planned), ("completed", completed)) if v is not None}
    if investment:
        item["investment"] = investment
    return item


def test_equal_scores_are_ordered_by_the_uncapped_score(ranking_engine: Engine) -> None:
    """Ranking: of two items capped at 100, the one with more points × importance ranks first, whatever its id."""
    items = [
        ranking_item(1, "county", 10, 70, 10),     # T-01 60 + T-02 ≈ 63.3 + T-04 3 → 126.3 × 1.0: capped
        ranking_item(2, "national", 10, 70, 10),   # the same × 1.3: capped, higher uncapped
        ranking_item(3, "county", 10, None, 30),   # two reds, 30 + 60 = 90: not capped
    ]
    report = ranking_engine.evaluate(load_ledger({"ledger": {"as_of": "2026-11-28"}, "items": items}))
    assert [(i.id, i.score) for i in report.items] == [("P-02", 100.0), ("P-01", 100.0), ("P-03", 90.0)]


levels = st.sampled_from(["national", "provincial", "municipal", "county"])
amounts = st.one_of(st.none(), st.integers(0, 80))
random_items = st.lists(
    st.tuples(st.integers(0, 99), levels, st.one_of(st.none(), st.integers(0, 100)), amounts, amounts),
    min_size=1, max_size=25, unique_by=lambda t: t[0],
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_items)
def test_ranking_matches_the_spec_on_random_ledgers(ranking_engine: Engine, rows: list[tuple]) -> None:
    """Ranking: on random ledgers, the engine's order and scores are the spec's, computed here independently."""
    items = [ranking_item(*row) for row in rows]
    report = ranking_engine.evaluate(load_ledger({"ledger": {"as_of": "2026-11-28"}, "items": items}))
    assert [(i.id, Fraction(str(i.score))) for i in report.items] == spec_ranking(items)
    assert [i.rank for i in report.items] == list(range(1, len(items) + 1))


# Frictions: conventions of the command line.


def test_short_options_f_and_o(run_cli, tmp_path: Path) -> None:
    """Conventions: -f and -o as short forms of --format and --output."""
    out = tmp_path / "r.json"
    run_cli("check", str(SAMPLE), "-f", "json", "-o", str(out))
    assert out.read_bytes() == run_cli("check", str(SAMPLE), "--format", "json").stdout_bytes


def test_format_is_guessed_from_the_output_extension(run_cli, tmp_path: Path) -> None:
    """Conventions: without --format, --output's extension names the format; one that names none is refused."""
    for name, expected in (("r.json", ("--format", "json")), ("r.csv", ("--format", "csv")),
                           ("r.md", ("--format", "markdown")), ("r.txt", ()), ("报告", ())):
        out = tmp_path / name
        run_cli("rank", str(SAMPLE), "-o", str(out))
        assert out.read_bytes() == run_cli("rank", str(SAMPLE), *expected).stdout_bytes, name
    # an explicit --format wins over the extension
    run_cli("check", str(SAMPLE), "-f", "json", "-o", str(tmp_path / "x.csv"))
    assert json.loads((tmp_path / "x.csv").read_text(encoding="utf-8"))["schema_version"] == 1
    # an extension that names no format: exit 2, nothing written, the formats listed
    result = run_cli("check", str(SAMPLE), "-o", str(tmp_path / "r.xls"), code=2)
    assert not (tmp_path / "r.xls").exists()
    assert "-f" in result.stderr and ".csv" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_quiet_drops_notes(run_cli, tmp_path: Path) -> None:
    """Conventions: --quiet drops the notes (提示), never the errors."""
    assert "提示" in run_cli("check").stderr  # the sample ledger, with a note
    for command in (("check",), ("rank",), ("explain", "P-004"), ("validate",)):
        assert run_cli(*command, "--quiet").stderr == "", command
        assert run_cli(*command, "-q").stderr == "", command
    bad = write_ledger(tmp_path / "bad.yaml", make_item(progress=150))
    assert "错误" in run_cli("check", str(bad), "-q", code=2).stderr


def test_a_ledger_without_items_gives_a_note(run_cli, tmp_path: Path) -> None:
    """Conventions: a ledger with no items was checked in silence; now a note says so."""
    empty = write_ledger(tmp_path / "empty.yaml")
    for command in ("check", "validate"):
        assert "没有事项" in run_cli(command, str(empty)).stderr
    assert any("没有事项" in note for note in load_ledger(empty).notes)
    assert not any("没有事项" in note for note in load_ledger(SAMPLE).notes)


def test_validate_format_json_for_ci(run_cli, tmp_path: Path) -> None:
    """Conventions: `validate --format json` gives CI one object (ok, files, items, units, errors); same exit codes."""
    good = json.loads(run_cli("validate", str(SAMPLE), "-f", "json").stdout)
    ledger = load_ledger(SAMPLE)
    assert good["ok"] is True and good["errors"] == []
    assert (good["files"], good["items"], good["units"]) == ([str(SAMPLE)], len(ledger.items), len(ledger.units))
    bad = write_ledger(tmp_path / "bad.yaml", make_item(id="P-1", progress=150), make_item(id="P-2", kind="projet"))
    result = run_cli("validate", str(bad), "-f", "json", code=2)
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["items"] is None
    assert {(e["file"], e["place"]) for e in data["errors"]} == {
        (str(bad), "items[0] (P-1).progress"), (str(bad), "items[1] (P-2).kind")}
    assert all(set(e) == {"file", "place", "cause"} and e["cause"] for e in data["errors"])
    assert len(result.stderr.strip().splitlines()) == 2  # the error lines, as for every command
    # the table form is unchanged: nothing on stdout on error
    assert run_cli("validate", str(bad), code=2).stdout == ""


def test_click_speaks_chinese(run_cli) -> None:
    """Frictions: click's own texts were English (Show this message and exit, No such option, Missing argument)."""
    english = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "[default:", "[OPTIONS]")
    for command in ((), ("check",), ("explain",), ("validate",), ("rules",), ("schema",)):
        out = run_cli(*command, "--help").stdout
        assert not [word for word in english if word in out], (command, out)
        assert "用法:" in out and "选项:" in out
        # wrapped by display width: the Chinese help fits an 80-column terminal
        assert max(wcswidth(line) for line in out.splitlines()) <= 80, (command, out)
    assert "--fail-on" in run_cli("check", "--help").stdout  # option names stay as they are
    cases = {("check", "--nope"): "没有选项 '--nope'", ("explain",): "缺少参数 'ITEM_ID'",
             ("check", "-f", "xml"): "不是 ", ("rank", "--top", "0"): "不在范围", ("chek",): "没有命令 'chek'"}
    for args, words in cases.items():
        stderr = run_cli(*args, code=2).stderr
        assert words in stderr and stderr.startswith("错误: ") and len(stderr.strip().splitlines()) == 1, stderr
        assert not re.search(r"No such|Missing|Invalid value|is not|Did you mean|Got unexpected", stderr), stderr
    # the Chinese is duban's: another click program in the same process keeps click's English
    import click
    from click.testing import CliRunner

    @click.command()
    def other() -> None:
        """Another tool."""

    assert "Show this message and exit." in CliRunner().invoke(other, ["--help"]).output


def test_table_colours_severities_on_a_terminal_only(run_cli, tmp_path: Path) -> None:
    """Frictions: the terminal table is coloured on a terminal (--color auto|always|never, NO_COLOR), never in files."""
    shown, _ = on_terminal(["check"], 200)
    assert "\x1b[31m红\x1b[0m" in shown and "\x1b[33m黄\x1b[0m" in shown
    shown, _ = on_terminal(["rank"], 200)
    assert "\x1b[31m红灯\x1b[0m" in shown and "\x1b[32m绿灯\x1b[0m" in shown
    assert not ANSI.search(on_terminal(["check"], 200, {"NO_COLOR": "1"})[0])
    assert not ANSI.search(on_terminal(["check", "--color", "never"], 200)[0])
    # a pipe gets plain text unless asked; a file never gets colour
    assert not ANSI.search(run_cli("check").stdout)
    assert ANSI.search(run_cli("check", "--color", "always").stdout)
    run_cli("check", "--color", "always", "-o", str(tmp_path / "r.txt"))
    assert not ANSI.search((tmp_path / "r.txt").read_text(encoding="utf-8"))


def test_table_fits_the_terminal_width(run_cli) -> None:
    """Frictions: the message column is wrapped to the terminal's width (Chinese counts double)."""
    for command in ("check", "rank"):
        narrow, _ = on_terminal([command], 80, {"NO_COLOR": "1"})
        assert max(wcswidth(line) for line in narrow.splitlines() if "基准日" not in line) <= 80
        wide, _ = on_terminal([command], 200, {"NO_COLOR": "1"})
        piped = run_cli(command).stdout
        assert wide == piped  # the sample's rows fit in 200 columns: nothing is wrapped
        assert len(narrow.splitlines()) > len(piped.splitlines())  # at 80 they are wrapped, not cut
        def characters(text: str) -> list[str]:  # what the rows say, without the rule under the header
            rows = [line for line in text.splitlines() if not re.fullmatch(r"[-\s]+", line)]
            return sorted("".join(rows).replace(" ", ""))

        assert characters(narrow) == characters(piped)  # every character is still there


def test_check_and_rank_tables_show_the_unit(run_cli) -> None:
    """Frictions: the check and rank tables lacked the 责任单位 column."""
    for command in ("check", "rank"):
        header = run_cli(command).stdout.splitlines()[0]
        assert "责任单位" in header
    assert re.search(r"^P-003\s.*县发改局\s+OWN-01\s+红", run_cli("check").stdout, re.M)


def test_schema_has_chinese_titles_and_no_rst(run_cli) -> None:
    """Frictions: `duban schema` had English auto-titles and RST markup; fields now carry the template's words."""
    schema = json.loads(run_cli("schema").stdout)
    texts = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "description") and isinstance(value, str):
                    texts.append(value)
                if key == "properties":
                    for name, prop in value.items():
                        assert prop.get("title") and prop.get("description"), name
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert texts and all(re.search(r"[\u4e00-\u9fff]", text) for text in texts), [
        t for t in texts if not re.search(r"[\u4e00-\u9fff]", t)]
    assert not [text for text in texts if "``" in text or ":class:" in text]
    item = schema["$defs"]["Item"]["properties"]
    assert {name: item[name]["title"] for name in ("id", "owner", "unit", "leader", "due", "progress")} == {
        "id": "编号", "owner": "责任人", "unit": "责任单位", "leader": "联系县领导", "due": "计划完成", "progress": "形象进度"}
    assert schema["$defs"]["Milestone"]["properties"]["due"]["title"] == "计划完成时间"


def test_report_renderers_match_the_command_line(run_cli, python_engine: Engine) -> None:
    """The library: report.to_csv(), to_table(), to_markdown() give the command line's bytes."""
    report = python_engine.evaluate(load_ledger(SAMPLE))
    assert report.to_csv().encode("utf-8") == run_cli("check", "-f", "csv", "--backend", "python").stdout_bytes
    assert report.to_table() == run_cli("check", "--backend", "python").stdout
    assert report.filtered(top=3).to_markdown("rank") == run_cli("rank", "-f", "markdown", "--top", "3").stdout
    with pytest.raises(UsageError):
        report.to_csv("explain")


def test_report_records_are_flat_for_pandas(python_engine: Engine) -> None:
    """The library: report.records() gives one flat dict per finding, with its item's rank and people."""
    report = python_engine.evaluate(load_ledger(SAMPLE))
    records = report.records()
    assert len(records) == len(report.findings)
    for record, finding in zip(records, report.findings):
        assert all(not isinstance(value, (dict, list)) for value in record.values()), record
        assert (record["subject"], record["rule"], record["points"]) == (finding.subject, finding.rule, finding.points)
        assert {f"evidence.{name}" for name, value in finding.evidence.items() if not isinstance(value, dict)} <= set(record)
        if finding.subject_kind == "unit":
            assert record["unit"] == finding.subject and record["rank"] is None
        elif finding.subject_kind == "county":
            assert record["unit"] is None and record["rank"] is None
        else:
            item = report.item(finding.subject)
            assert (record["rank"], record["unit"], record["score"]) == (item.rank, item.unit, item.score)


def test_report_item_raises_a_typed_error(python_engine: Engine) -> None:
    """The library: report.item("nope") raised a bare KeyError; now a duban error (still a KeyError) with 是否想写."""
    from engine import UnknownItemError

    report = python_engine.evaluate(load_ledger(SAMPLE))
    with pytest.raises(UnknownItemError) as caught:
        report.item("P-0O4")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, DubanError)
    assert "是否想写" in str(caught.value) and "P-004" in str(caught.value)
    assert caught.value.diagnostics[0].place == "P-0O4"
    with pytest.raises(KeyError):
        report.item("完全不同")


def test_readme_documents_the_library_renderers_and_explain() -> None:
    """The library: the README now documents Engine.explain and the report's renderers."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    library = readme[readme.index("## Library"):]
    library = library[:library.index("\n## ", 3)]
    for name in ("engine.explain(", "to_table(", "to_csv(", "to_markdown(", "records()", "UnknownItemError",
                 "raw_points"):
        assert name in library, name
    commands = readme[readme.index("## Commands"):]
    for option in ("-f", "-o", "--quiet", "--color", "NO_COLOR", "validate"):
        assert option in commands, option


# --- issue 10, input side -----------------------------------------------------------------------------------
# --output's mode and links, *.yml and one-file packs, errors in one round, params= and --set, line numbers,
# "是否想写", files that are not UTF-8 YAML/JSON, a Tab, impossible and full-width --as-of, - for standard input.

GOOD = "ledger: {county: 测试县, as_of: 2026-11-28}\nitems:\n  - {id: P-1, kind: project, title: 测试项目, owner: 张三}\n"

RULE = {
    "id": "X-1", "title": "测试规则", "clause": "对于进展缓慢的项目,要深入分析原因", "applies_to": ["project"],
    "when": {"field": "progress_gap", "op": "gte", "value": 10}, "severity": "yellow",
    "message": "「{title}」落后{progress_gap}个百分点", "remedy": "责任单位须报送赶超计划",
}


def invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, code: int, **kwargs: Any) -> Any:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, args, catch_exceptions=False, **kwargs)
    assert result.exit_code == code, f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def error_lines(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("错误: ")]


def write_pack(folder: Path, name: str = "r.yaml", **data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data or {"rules": [RULE]}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path




def test_bug_2_output_keeps_the_mode_of_an_existing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "report.json"
    out.write_text("{}", encoding="utf-8")
    out.chmod(0o640)
    invoke(["check", "ledger.yaml", "--format", "json", "--output", "report.json"], tmp_path, monkeypatch, 0)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["items"] == 1


def test_bug_2_a_new_output_gets_the_mode_the_umask_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    previous = os.umask(0o027)
    try:
        invoke(["check", "ledger.yaml", "--output", "new.txt"], tmp_path, monkeypatch, 0)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640  # 0o666 less 0o027, not mkstemp's 0o600


def test_bug_2_output_writes_through_a_symlink_to_its_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "latest.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    (tmp_path / "latest.json").symlink_to(Path("reports") / "latest.json")
    invoke(["check", "ledger.yaml", "--format", "json", "--output", "latest.json"], tmp_path, monkeypatch, 0)
    assert (tmp_path / "latest.json").is_symlink(), "the link was replaced by a file"
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["items"] == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["latest.json"]  # no temporary file left
    # still atomic: a failed run leaves the target as it was
    (tmp_path / "bad.yaml").write_text(GOOD.replace("owner: 张三", "progress: 150"), encoding="utf-8")
    before = target.read_bytes()
    invoke(["check", "bad.yaml", "--format", "json", "--output", "latest.json"], tmp_path, monkeypatch, 2)
    assert target.read_bytes() == before and (tmp_path / "latest.json").is_symlink()


def test_bug_3_rule_files_named_yml_are_read_like_yaml(tmp_path: Path) -> None:
    write_pack(tmp_path / "pack", "a.yaml", rules=[RULE])
    write_pack(tmp_path / "pack", "b.yml", rules=[{**RULE, "id": "X-2"}])
    write_pack(tmp_path / "pack", "C.YML", rules=[{**RULE, "id": "X-3"}])
    assert [rule.id for rule in load_pack(tmp_path / "pack").rules] == ["X-1", "X-2", "X-3"]


def test_bug_3_a_pack_folder_without_rule_files_says_which_extensions_it_looked_for(tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "rules.txt").write_text("规则", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path / "pack")
    (problem,) = caught.value.diagnostics
    assert "*.yaml" in problem.cause and "*.yml" in problem.cause


def test_rules_accepts_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Friction: `--rules my-rule.yaml` — a pack of that one file."""
    write_pack(tmp_path, "extra.yml", rules=[RULE])
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--rules", "builtin", "--rules", "extra.yml", "--format", "json"],
                    tmp_path, monkeypatch, 0)
    report = json.loads(result.stdout)
    assert "X-1" in report["rules"]["selected"] and "OWN-01" in report["rules"]["selected"]
    assert report["rules"]["source"] == "builtin,extra.yml"


def test_bug_9_validation_errors_and_duplicate_ids_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(
        "items:\n"
        "  - {id: P-1, kind: project, title: 甲, due: 2026-02-30}\n"
        "  - {id: P-1, kind: task, title: 乙}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("items:\n  - {id: P-1, kind: task, title: 丙}\n", encoding="utf-8")
    result = invoke(["check", "a.yaml", "b.yaml"], tmp_path, monkeypatch, 2)
    lines = error_lines(result)
    assert any(line.startswith("错误: a.yaml: items[0] (P-1).due: 不存在的日期") for line in lines), lines
    assert any(line.startswith("错误: a.yaml: items[1] (P-1).id: 编号重复") for line in lines), lines
    assert any(line.startswith("错误: b.yaml: items[0] (P-1).id: 编号重复") for line in lines), lines


def test_bug_9_builtin_twice_reports_duplicate_rule_ids_as_well_as_duplicate_params(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--rules", "builtin", "--rules", "builtin"], tmp_path, monkeypatch, 2)
    lines = error_lines(result)
    assert any("参数重复定义" in line for line in lines), lines
    duplicated = {line.split("(")[1].split(")")[0] for line in lines if "规则编号重复" in line}
    assert duplicated == {rule.id for rule in load_pack("builtin").rules}


def test_bug_10_library_errors_speak_of_params_not_of_the_command_line() -> None:
    with pytest.raises(UsageError) as caught:
        Engine.default(params={"lag_red_pionts": 25})
    (problem,) = caught.value.diagnostics
    assert problem.file == "params" and problem.place == "lag_red_pionts"
    assert "--set" not in str(caught.value) and "duban rules" not in str(caught.value)
    assert "lag_red_points" in problem.cause  # the hint stays
    with pytest.raises(UsageError) as caught:
        Engine.default(params={"zzz": 1})
    assert "--set" not in str(caught.value) and "duban" not in str(caught.value)


def test_bug_10_the_command_line_speaks_of_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    for value in ("lag_red_pionts=25", "lag_red_points=二十"):
        result = invoke(["check", "ledger.yaml", "--set", value], tmp_path, monkeypatch, 2)
        assert error_lines(result)[0].startswith(f"错误: --set: {value.split('=')[0]}: "), result.stderr


def test_yaml_ledger_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ledger.yaml"
    path.write_text(
        "ledger: {county: 测试县}\n"
        "items:\n"
        "  - id: P-1\n"
        "    kind: project\n"
        "    title: 甲\n"
        "    progress: 150\n"
        "    milestones:\n"
        "      - {name: 开工, due: 2026-13-01}\n"
        "  - {id: P-2, kind: project}\n", encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    lines = {d.place: d.line for d in caught.value.diagnostics}
    assert lines == {"items[0] (P-1).progress": 6, "items[0] (P-1).milestones[0].due": 8,
                     "items[1] (P-2).title": 9}  # a missing field: the line of its item
    assert str(caught.value).splitlines()[0].endswith("(第 6 行)")


def test_json_ledger_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps({"items": [{"id": "P-1", "kind": "project", "title": "甲"},
                                          {"id": "P-2", "kind": "projekt", "title": "乙", "progress": 150}]},
                               ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    text = path.read_text(encoding="utf-8").splitlines()
    for problem in caught.value.diagnostics:
        key = problem.place.rsplit(".", 1)[-1]
        assert f'"{key}"' in text[problem.line - 1], (problem, text[problem.line - 1])


def test_pack_errors_carry_line_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "r.yaml").write_text(
        "rules:\n"
        "  - id: X-1\n"
        "    title: 测试规则\n"
        "    clause: 条款\n"
        "    applies_to: [project]\n"
        "    when:\n"
        "      all:\n"
        "        - {field: progress_gap, op: gte, value: 10}\n"
        "        - {field: progress_gap, op: greater, value: 20}\n"
        "    severity: orange\n"
        "    message: 消息\n"
        "    remedy: 整改\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert {d.place: d.line for d in caught.value.diagnostics} == {"rule X-1.severity": 10}
    (folder / "r.yaml").write_text((folder / "r.yaml").read_text(encoding="utf-8").replace("orange", "red"),
                                   encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert {d.place: d.line for d in caught.value.diagnostics} == {"rule X-1.when.all[1].op": 9}


def test_did_you_mean_for_an_enum_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(
        "items:\n  - {id: P-1, kind: projet, title: 甲, level: provincal}\n", encoding="utf-8")
    result = invoke(["validate", "ledger.yaml"], tmp_path, monkeypatch, 2)
    text = result.stderr
    assert "是否想写 'project'" in text and "是否想写 'provincial'" in text
    assert " or " not in text  # the choices are listed without English


def test_did_you_mean_for_a_pack_param(tmp_path: Path) -> None:
    write_pack(tmp_path / "pack", rules=[{**RULE, "when": {"field": "progress_gap", "op": "gte",
                                                           "value": {"param": "lag_yelow_points"}}}])
    with pytest.raises(PackError) as caught:
        load_pack(["builtin", tmp_path / "pack"])
    assert "是否想写 'lag_yellow_points'" in str(caught.value)


@pytest.mark.parametrize("typed, meant", [("al", "all"), ("anny", "any"), ("nto", "not")])
def test_did_you_mean_for_a_branch_key(typed: str, meant: str, tmp_path: Path) -> None:
    leaf = {"field": "progress_gap", "op": "gte", "value": 10}
    write_pack(tmp_path / "pack", rules=[{**RULE, "when": {typed: [leaf]}}])
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path / "pack")
    (problem,) = caught.value.diagnostics
    assert problem.place == "rule X-1.when" and f"是否想写 {meant!r}" in problem.cause


@pytest.mark.parametrize("name", ["台账.yaml", "台账.json"])
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_gbk_ledger_says_what_it_is_and_to_save_it_as_utf8(name: str, encoding: str, tmp_path: Path) -> None:
    path = tmp_path / name
    text = GOOD if name.endswith(".yaml") else json.dumps(yaml.safe_load(GOOD), ensure_ascii=False, default=str)
    path.write_bytes(text.encode(encoding))
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    (problem,) = caught.value.diagnostics
    assert "GBK/GB18030" in problem.cause and "请另存为 UTF-8" in problem.cause
    assert "顶层" not in problem.cause


@pytest.mark.parametrize("content, what", [
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "Excel 工作簿"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "旧版 Office"),
    (b"%PDF-1.7\n" + bytes(range(256)), "PDF"),
    (bytes(range(256)) * 4, "二进制"),
], ids=["xlsx", "xls", "pdf", "binary"])
@pytest.mark.parametrize("name", ["台账.yaml", "台账.json"])
def test_a_workbook_or_binary_given_as_yaml_or_json_says_what_it_is(content: bytes, what: str, name: str,
                                                                    tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(LedgerError) as caught:
        load_ledger(tmp_path / name)
    (problem,) = caught.value.diagnostics
    assert what in problem.cause and "顶层" not in problem.cause


def test_a_tab_in_yaml_gets_a_chinese_message(tmp_path: Path) -> None:
    path = tmp_path / "ledger.yaml"
    path.write_text("items:\n\t- {id: P-1, kind: project, title: 甲}\n", encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    (problem,) = caught.value.diagnostics
    assert problem.place.startswith("第 2 行") and "Tab" in problem.cause and "空格" in problem.cause
    assert "cannot start any token" not in problem.cause


def test_as_of_an_impossible_date_says_the_date_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--as-of", "2026-02-30"], tmp_path, monkeypatch, 2)
    assert error_lines(result) == ["错误: --as-of: 不存在的日期 2026-02-30"]
    result = invoke(["check", "ledger.yaml", "--as-of", "２０２６-１１-２８"], tmp_path, monkeypatch, 2)
    assert "应为半角数字" in result.stderr and "不存在" not in result.stderr


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_dash_reads_the_ledger_from_standard_input(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    text = SAMPLE.read_text(encoding="utf-8") if fmt == "yaml" else json.dumps(data, ensure_ascii=False, default=str)
    from_file = invoke(["check", str(SAMPLE), "--format", "json"], tmp_path, monkeypatch, 0)
    from_stdin = invoke(["check", "-", "--format", "json"], tmp_path, monkeypatch, 0, input=text.encode("utf-8"))
    assert from_stdin.stdout == from_file.stdout
    # errors name standard input, with their line
    broken = text.replace("progress: 62", "progress: 162") if fmt == "yaml" else text.replace('"progress": 62',
                                                                                           '"progress": 162')
    assert broken != text
    result = invoke(["validate", "-"], tmp_path, monkeypatch, 2, input=broken.encode("utf-8"))
    assert error_lines(result)[0].startswith("错误: <标准输入>: items["), result.stderr


def test_dash_as_a_real_process_reads_a_pipe(tmp_path: Path) -> None:
    proc = subprocess.run(duban_executable() + ["validate", "-"], input=GOOD.encode("utf-8"), capture_output=True,
                          cwd=tmp_path, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert "台账有效: 1 个事项" in proc.stdout.decode("utf-8") and "<标准输入>" in proc.stdout.decode("utf-8")


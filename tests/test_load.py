"""load_ledger: YAML, JSON and mappings; merging; located errors; hostile input.

SPEC "The ledger (facts)": a ledger is a YAML or JSON file, dates are YYYY-MM-DD, unknown keys are
errors, several files merge into one ledger, two files that disagree on `ledger` fields or list the
same unit twice are an error, oddities (a unit not in `units`, started_on after completed_on) are
accepted with a note. Errors name file, place and cause; nothing in a file runs code.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, make_item
from engine import Ledger, LedgerError, load_ledger
from engine.errors import Diagnostic


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def errors(*sources: Any) -> list[Diagnostic]:
    with pytest.raises(LedgerError) as info:
        load_ledger(list(sources) if len(sources) > 1 else sources[0])
    found = list(info.value.diagnostics)
    assert found, "LedgerError without diagnostics"
    # str() of the error is one line per diagnostic, "file: place: cause"
    assert str(info.value).splitlines() == [str(d) for d in found]
    return found


SAMPLE_YAML = """
    ledger: {county: 示例县, as_of: 2026-11-28}
    units:
      - {name: 县住建局, head: 王五}
      - {name: 县发改局}
    items:
      - id: P-001
        kind: project
        title: 县城污水处理厂提标改造
        owner: 张三
        unit: 县住建局
        leader: 李四
        level: provincial
        start: 2026-03-01
        due: 2026-12-31
        started_on: 2026-03-15
        completed_on: null
        progress: 62
        progress_reported_on: 2026-11-20
        milestones:
          - {name: 主体完工, due: 2026-09-30, done_on: 2026-10-10}
        investment: {planned: 12000, completed: 7000}
        issues:
          - {type: land, description: 用地指标未落实, raised_on: 2026-08-01, deadline: null, resolved_on: null, complex: false}
        supervisions:
          - {date: 2026-10-15, by: 县督查室, finding: 进度滞后, rectify_by: 2026-11-15, rectified_on: null}
        visits:
          - {date: 2026-09-01, leader: 李四}
      - id: I-001
        kind: indicator
        title: 规上工业增加值增速
        unit: 县发改局
        value: 4.1
        benchmarks: {national: 5.0, provincial: 5.2, municipal: 4.8}
        rank: 9
        rank_of: 10
"""


# --- formats and sources ------------------------------------------------------------------------


def test_yaml_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", SAMPLE_YAML)
    ledger = load_ledger(path)
    assert isinstance(ledger, Ledger)
    assert ledger.info.county == "示例县"
    assert ledger.info.as_of == date(2026, 11, 28)  # unquoted YAML date
    assert [u.name for u in ledger.units] == ["县住建局", "县发改局"]
    assert [i.id for i in ledger.items] == ["P-001", "I-001"]
    p = ledger.items[0]
    assert (p.start, p.due, p.started_on, p.completed_on) == (date(2026, 3, 1), date(2026, 12, 31), date(2026, 3, 15), None)
    assert p.level == "provincial" and p.progress == 62
    assert p.milestones[0].done_on == date(2026, 10, 10)
    assert p.investment is not None and (p.investment.planned, p.investment.completed) == (12000, 7000)
    assert p.issues[0].raised_on == date(2026, 8, 1) and p.issues[0].complex is False
    assert p.supervisions[0].rectify_by == date(2026, 11, 15)
    assert p.visits[0].leader == "李四"
    i = ledger.items[1]
    assert i.value == 4.1 and i.benchmarks is not None and i.benchmarks.provincial == 5.2
    assert (i.rank, i.rank_of) == (9, 10)
    assert ledger.sources == [str(path)]
    assert ledger.notes == []


def test_yml_suffix_and_str_path(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yml", SAMPLE_YAML)
    assert [i.id for i in load_ledger(str(path)).items] == ["P-001", "I-001"]


def test_json_file(tmp_path: Path) -> None:
    data = {
        "ledger": {"county": "示例县", "as_of": "2026-11-28"},
        "units": [{"name": "县住建局"}],
        "items": [make_item(id="P-001"), {"id": 1001, "kind": "task", "title": "任务"}],
    }
    path = write_json(tmp_path / "a.json", data)
    ledger = load_ledger(path)
    assert ledger.info.as_of == date(2026, 11, 28)
    assert [i.id for i in ledger.items] == ["P-001", "1001"]
    assert ledger.items[0].start == date(2026, 1, 1)
    assert ledger.sources == [str(path)]


def test_mapping() -> None:
    ledger = load_ledger({"items": [make_item()]})
    assert [i.id for i in ledger.items] == ["P-1"]
    assert ledger.sources == ["<数据>"]
    assert ledger.info.as_of is None


def test_utf8_bom_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffitems:\n  - {id: P-1, kind: project, title: 项目}\n".encode("utf-8"))
    assert load_ledger(path).items[0].title == "项目"


# --- merging ---------------------------------------------------------------------------------------


def test_several_files_merge(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", """
        ledger: {county: 示例县}
        units: [{name: 县住建局}]
        items:
          - {id: P-1, kind: project, title: 甲, unit: 县住建局}
    """)
    b = write_json(tmp_path / "b.json", {
        "ledger": {"as_of": "2026-11-28", "county": "示例县"},
        "units": [{"name": "县发改局"}],
        "items": [{"id": "P-2", "kind": "project", "title": "乙", "unit": "县发改局"}],
    })
    mapping = {"items": [{"id": "P-3", "kind": "task", "title": "丙", "unit": "县住建局"}]}
    ledger = load_ledger([a, b, mapping])
    assert [i.id for i in ledger.items] == ["P-1", "P-2", "P-3"]
    assert [u.name for u in ledger.units] == ["县住建局", "县发改局"]
    assert ledger.info.county == "示例县"  # both files agree
    assert ledger.info.as_of == date(2026, 11, 28)  # only b has it
    assert ledger.sources == [str(a), str(b), "<数据>"]
    assert ledger.notes == []  # every unit is listed in one file or the other


def test_duplicate_id_within_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", """
        items:
          - {id: P-1, kind: project, title: 甲}
          - {id: P-2, kind: project, title: 乙}
          - {id: P-1, kind: project, title: 丙}
    """)
    (found,) = errors(path)
    assert found.file == str(path)
    assert found.place == "items[2] (P-1).id"
    assert str(path) in found.cause and "items[0]" in found.cause  # the other place


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "items:\n  - {id: P-1, kind: project, title: 甲}\n")
    b = write(tmp_path / "b.yaml", "items:\n  - {id: P-0, kind: project, title: 乙}\n  - {id: P-1, kind: project, title: 丙}\n")
    (found,) = errors(a, b)
    assert found.file == str(b)
    assert found.place == "items[1] (P-1).id"
    assert str(a) in found.cause and "items[0]" in found.cause


def test_integer_and_text_id_are_the_same_id(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "items:\n  - {id: 1001, kind: project, title: 甲}\n")
    b = write_json(tmp_path / "b.json", {"items": [{"id": "1001", "kind": "project", "title": "乙"}]})
    (found,) = errors(a, b)
    assert found.file == str(b) and found.place == "items[0] (1001).id" and str(a) in found.cause


def test_files_disagreeing_on_as_of(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "ledger: {as_of: 2026-11-28}\nitems: []\n")
    b = write(tmp_path / "b.yaml", "ledger: {as_of: 2026-11-30}\nitems: []\n")
    (found,) = errors(a, b)
    assert found.file == str(b)
    assert found.place == "ledger.as_of"
    assert str(a) in found.cause and "2026-11-28" in found.cause and "2026-11-30" in found.cause


def test_files_disagreeing_on_county(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "ledger: {county: 甲县}\nitems: []\n")
    b = write(tmp_path / "b.yaml", "ledger: {county: 乙县}\nitems: []\n")
    (found,) = errors(a, b)
    assert (found.file, found.place) == (str(b), "ledger.county")
    assert "甲县" in found.cause and "乙县" in found.cause


def test_files_agreeing_on_as_of(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "ledger: {as_of: 2026-11-28}\nitems: []\n")
    b = write_json(tmp_path / "b.json", {"ledger": {"as_of": "2026-11-28"}, "items": []})
    assert load_ledger([a, b]).info.as_of == date(2026, 11, 28)


def test_same_unit_twice_across_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "units: [{name: 县住建局}]\nitems: []\n")
    b = write(tmp_path / "b.yaml", "units: [{name: 县发改局}, {name: 县住建局, head: 王五}]\nitems: []\n")
    (found,) = errors(a, b)
    assert (found.file, found.place) == (str(b), "units[1].name")
    assert "县住建局" in found.cause and str(a) in found.cause


def test_same_unit_twice_in_one_file(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "units: [{name: 县住建局}, {name: 县住建局}]\nitems: []\n")
    (found,) = errors(a)
    assert (found.file, found.place) == (str(a), "units[1].name")


def test_unit_not_listed_is_accepted_with_a_note() -> None:
    ledger = load_ledger({"units": [{"name": "县住建局"}],
                          "items": [make_item(id="P-7", unit="县水利局"), make_item(id="P-8")]})
    assert [i.id for i in ledger.items] == ["P-7", "P-8"]
    assert len(ledger.notes) == 1
    assert "P-7" in ledger.notes[0] and "P-8" not in ledger.notes[0]


def test_started_after_completed_is_accepted_with_a_note() -> None:
    ledger = load_ledger({"items": [make_item(id="P-5", started_on="2026-06-01", completed_on="2026-05-01")]})
    assert ledger.items[0].started_on == date(2026, 6, 1)
    assert len(ledger.notes) == 1 and "P-5" in ledger.notes[0]


def test_a_clean_ledger_has_no_notes() -> None:
    ledger = load_ledger({"units": [{"name": "县住建局"}], "items": [make_item(completed_on="2026-11-01")]})
    assert ledger.notes == []


# --- located errors -----------------------------------------------------------------------------


def test_error_format_file_place_cause(tmp_path: Path) -> None:
    items = [make_item(id=f"P-00{n}") for n in range(1, 4)] + [make_item(id="P-004", progress=150)]
    path = write_json(tmp_path / "facts.json", {"items": items})
    (found,) = errors(path)
    assert found.file == str(path)
    assert found.place == "items[3] (P-004).progress"
    assert "150" in found.cause
    assert found.line == 1  # json.dumps writes one line
    assert str(found) == f"{path}: items[3] (P-004).progress: {found.cause}(第 1 行)"


def test_error_format_in_yaml(tmp_path: Path) -> None:
    path = write(tmp_path / "x.yaml", """
        items:
          - {id: P-001, kind: project, title: 甲}
          - {id: P-002, kind: project, title: 乙}
          - {id: P-003, kind: project, title: 丙}
          - {id: P-004, kind: project, title: 丁, progress: 150}
    """)
    (found,) = errors(path)
    assert str(found).startswith(f"{path}: items[3] (P-004).progress: ")
    assert "150" in found.cause
    assert found.line == 5 and str(found).endswith("(第 5 行)")


def test_every_error_of_a_file_is_reported(tmp_path: Path) -> None:
    items = [
        make_item(id="A", progress=101),
        make_item(id="B"),
        make_item(id="C", kind="projekt"),
        make_item(id="D"),
        make_item(id="E", due="2026-2-3"),
    ]
    path = write_json(tmp_path / "bad.json", {"items": items})
    found = errors(path)
    assert [(d.file, d.place) for d in found] == [
        (str(path), "items[0] (A).progress"),
        (str(path), "items[2] (C).kind"),
        (str(path), "items[4] (E).due"),
    ]
    assert "101" in found[0].cause and "projekt" in found[1].cause and "2026-2-3" in found[2].cause


def test_cross_field_errors_are_reported_beside_field_errors_of_other_items() -> None:
    found = errors({"items": [
        make_item(id="A", progress=150),
        make_item(id="B", start="2026-12-02", due="2026-12-01"),
        make_item(id="C", kind="indicator", rank=11, rank_of=10),
    ]})
    assert [d.place for d in found] == ["items[0] (A).progress", "items[1] (B).start", "items[2] (C).rank"]


def test_every_error_of_one_item_is_reported_cross_field_checks_too() -> None:
    """A field error must not hide the start-after-due check of the same item (all problems are reported)."""
    found = errors({"items": [make_item(progress=150, start="2026-12-02", due="2026-12-01")]})
    assert sorted(d.place for d in found) == ["items[0] (P-1).progress", "items[0] (P-1).start"]


def test_errors_of_every_file_are_reported(tmp_path: Path) -> None:
    a = write_json(tmp_path / "a.json", {"items": [make_item(id="A", progress=-1)]})
    b = write_json(tmp_path / "b.json", {"items": [make_item(id="B", level="town")]})
    found = errors(a, b)
    assert [(d.file, d.place) for d in found] == [(str(a), "items[0] (A).progress"), (str(b), "items[0] (B).level")]


def test_mapping_errors_are_located_too() -> None:
    (found,) = errors({"items": [make_item(progress=101)]})
    assert (found.file, found.place) == ("<数据>", "items[0] (P-1).progress")


# --- YAML and JSON hazards ----------------------------------------------------------------------------


def test_broken_yaml_gives_a_line_number(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.yaml", """
        items:
          - id: P-1
            kind: project
           title: [oops
    """)
    (found,) = errors(path)
    assert found.file == str(path)
    assert "第 4 行" in found.place


def test_broken_json_gives_a_line_number(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"items": [\n  {"id": "P-1", "kind": "project", "title": "t",}\n]}', encoding="utf-8")
    (found,) = errors(path)
    assert found.file == str(path) and "第 2 行" in found.place


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch {sentinel}"]',
        '!!python/object/apply:subprocess.call [["touch", "{sentinel}"]]',
        "!!python/name:os.system",
        '!!python/object/new:os.system ["touch {sentinel}"]',
    ],
)
def test_yaml_tags_are_refused_and_nothing_runs(tmp_path: Path, tag: str) -> None:
    sentinel = tmp_path / "PWNED"
    path = tmp_path / "tag.yaml"
    path.write_text(
        "items:\n  - id: P-1\n    kind: project\n    title: " + tag.format(sentinel=sentinel) + "\n",
        encoding="utf-8",
    )
    (found,) = errors(path)
    assert found.file == str(path) and "第 4 行" in found.place  # the title line
    assert "python/" in found.cause  # names the refused tag
    assert not sentinel.exists()


def test_duplicate_key_in_yaml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.yaml", """
        items:
          - id: P-1
            kind: project
            title: 甲
            title: 乙
    """)
    (found,) = errors(path)
    assert found.file == str(path) and "第 5 行" in found.place and "title" in found.cause


def test_duplicate_top_level_key_in_yaml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.yaml", """
        items:
          - {id: P-1, kind: project, title: 甲}
        items:
          - {id: P-2, kind: project, title: 乙}
    """)
    (found,) = errors(path)
    assert "items" in found.cause


def test_duplicate_key_in_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"items": [{"id": "P-1", "kind": "project", "title": "甲", "title": "乙"}]}', encoding="utf-8")
    (found,) = errors(path)
    assert found.file == str(path) and "title" in found.cause


def _bomb_anchors(levels: int = 9, width: int = 9) -> str:
    names = "abcdefghijklmnopqrstuvwxyz"[:levels]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    for prev, cur in zip(names, names[1:]):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


BOMBS = {
    # the classic: nine anchored keys at the top, each nine times the one before (9**9 leaves)
    "classic": lambda: _bomb_anchors(),
    # the same anchors under one key, the last alias used where an item's text is expected
    "item title": lambda: "x:\n" + textwrap.indent(_bomb_anchors(), "  ")
    + "items:\n  - {id: P-1, kind: project, title: *i}\n",
    "item kind": lambda: "x:\n" + textwrap.indent(_bomb_anchors(), "  ")
    + "items:\n  - {id: P-1, kind: *i, title: t}\n",
    "county": lambda: "x:\n" + textwrap.indent(_bomb_anchors(), "  ") + "ledger: {county: *i}\nitems: []\n",
}

_BOMB_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[2])
from engine import LedgerError, load_ledger
started = time.perf_counter()
try:
    load_ledger(sys.argv[1])
except LedgerError as exc:
    print("refused", round(time.perf_counter() - started, 3), len(exc.diagnostics))
else:
    print("accepted", round(time.perf_counter() - started, 3))
"""


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    limit = 1536 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("placement", list(BOMBS))
def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path, placement: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMBS[placement](), encoding="utf-8")
    assert path.stat().st_size < 2000  # a small file that would expand to 9**9 strings
    # A child process with a memory cap, so that a bomb that goes off cannot take the test run with it.
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _BOMB_CHILD, str(path), str(ROOT)],
            capture_output=True, text=True, timeout=8, preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"alias bomb ({placement}) still loading after 8 s (no refusal)")
    assert proc.returncode == 0, proc.stderr[-2000:]
    verdict, seconds, *_ = proc.stdout.split()
    assert verdict == "refused"
    assert float(seconds) < 2.0


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"items": [], "x": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    (found,) = errors(path)
    assert found.file == str(path)


# --- dates stay strict ---------------------------------------------------------------------------------


def test_unquoted_yaml_dates_work(tmp_path: Path) -> None:
    path = write(tmp_path / "d.yaml", """
        ledger: {as_of: 2026-11-28}
        items:
          - {id: P-1, kind: project, title: 甲, start: 2026-03-01, due: 2026-12-31, started_on: '2026-03-15'}
    """)
    ledger = load_ledger(path)
    item = ledger.items[0]
    assert (ledger.info.as_of, item.start, item.due, item.started_on) == (
        date(2026, 11, 28), date(2026, 3, 1), date(2026, 12, 31), date(2026, 3, 15))


@pytest.mark.parametrize("text", ["2026-2-3", "2026-02-3", "2026-11-28 10:00:00", "2026-11-28T10:00:00Z", "2026-02-30", "26-11-28"])
def test_loose_or_impossible_yaml_dates_are_refused(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "d.yaml", f"""
        items:
          - {{id: P-1, kind: project, title: 甲, due: {text}}}
    """)
    (found,) = errors(path)
    assert (found.file, found.place) == (str(path), "items[0] (P-1).due")
    assert text in found.cause


def test_unquoted_yaml_date_in_ledger_header_is_strict(tmp_path: Path) -> None:
    path = write(tmp_path / "d.yaml", "ledger: {as_of: 2026-2-3}\nitems: []\n")
    (found,) = errors(path)
    assert found.place == "ledger.as_of"


# --- files that cannot be read ----------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    (found,) = errors(path)
    assert found.file == str(path) and "不存在" in found.cause


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("items:\n  - {id: P-1, kind: project, title: 中文项目}\n".encode("gbk"))
    (found,) = errors(path)
    assert found.file == str(path) and "UTF-8" in found.cause


@pytest.mark.parametrize("content", ["", "\n\n", "# 只有注释\n"])
def test_empty_yaml_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(content, encoding="utf-8")
    (found,) = errors(path)
    assert found.file == str(path) and found.cause


def test_empty_json_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("", encoding="utf-8")
    (found,) = errors(path)
    assert found.file == str(path)


@pytest.mark.parametrize("text", ["[1, 2]", "42", "just text"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "top.yaml"
    path.write_text(text, encoding="utf-8")
    (found,) = errors(path)
    assert found.file == str(path)


def test_items_are_required(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", "units: []\n")
    (found,) = errors(path)
    assert (found.file, found.place) == (str(path), "items")


def test_a_directory_is_not_a_ledger(tmp_path: Path) -> None:
    (found,) = errors(tmp_path)
    assert found.file == str(tmp_path)


def test_good_and_missing_file_together_report_the_missing_one(tmp_path: Path) -> None:
    good = write(tmp_path / "a.yaml", "items: []\n")
    missing = tmp_path / "b.yaml"
    (found,) = errors(good, missing)
    assert found.file == str(missing)

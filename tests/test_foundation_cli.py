"""The foundation commands: validate, schema, metrics, --version; in-process and as a real process.

SPEC "Command line": exit 0 done, 2 bad input with one line per problem naming file, place and cause
and no traceback; no LEDGER means the sample ledger, with a note on stderr; `duban metrics` lists the
vocabulary; `duban schema` publishes the ledger format.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import pytest

import engine
from conftest import SAMPLE, make_item
from engine import load_ledger
from engine.ledger import KINDS, LEVELS, PROBLEM_TYPES
from engine.ledger import parse_document
from engine.pack.vocabulary import VOCABULARY

# The item keys of the spec's ledger example (SPEC "The ledger (facts)").
SPEC_ITEM_KEYS = {
    "id", "kind", "title", "owner", "unit", "leader", "level", "start", "due", "started_on", "completed_on",
    "progress", "progress_reported_on", "milestones", "investment", "issues", "supervisions", "visits",
    "goal", "path", "measures", "outcome", "value", "benchmarks", "rank", "rank_of",
    # Part 2: baselines, commendations, replies, an office's own columns
    "baseline_due", "recognized_on", "responses", "extra",
}


def bad_ledger(tmp_path: Path) -> Path:
    path = tmp_path / "bad.json"
    items = [make_item(id="P-001"), make_item(id="P-002", progress=150), make_item(id="P-003", kind="projekt")]
    path.write_text(json.dumps({"items": items}, ensure_ascii=False), encoding="utf-8")
    return path


# --- validate ------------------------------------------------------------------------------------------


def test_validate_sample_in_process(run_cli: Any) -> None:
    result = run_cli("validate", str(SAMPLE))
    ledger = load_ledger(SAMPLE)
    assert str(len(ledger.items)) in result.stdout
    assert result.stdout.count("\n") == 1
    assert "错误" not in result.stderr


def test_validate_sample_as_a_process(run_duban: Any) -> None:
    proc = run_duban("validate", "facts/sample-county.yaml")
    assert "facts/sample-county.yaml" in proc.stdout
    assert str(len(load_ledger(SAMPLE).items)) in proc.stdout
    assert "错误" not in proc.stderr


def _check_error_lines(stderr: str, path: Path) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 2, stderr
    for line in lines:
        assert line.startswith("错误: "), line
    progress, kind = lines
    assert progress.startswith(f"错误: {path}: items[1] (P-002).progress: ") and "150" in progress
    assert kind.startswith(f"错误: {path}: items[2] (P-003).kind: ") and "projekt" in kind
    assert "Traceback" not in stderr


def test_validate_bad_ledger_in_process(run_cli: Any, tmp_path: Path) -> None:
    path = bad_ledger(tmp_path)
    result = run_cli("validate", str(path), code=2)
    _check_error_lines(result.stderr, path)
    assert "台账有效" not in result.stdout


def test_validate_bad_ledger_as_a_process(run_duban: Any, tmp_path: Path) -> None:
    path = bad_ledger(tmp_path)
    proc = run_duban("validate", str(path), code=2)
    _check_error_lines(proc.stderr, path)
    assert proc.stdout == ""


@pytest.mark.parametrize(
    "name, content, cause",
    [
        ("missing.yaml", None, "不存在"),
        ("broken.yaml", "items:\n  - id: P-1\n   kind: [\n", "YAML"),
        ("tag.yaml", "items: !!python/object/apply:os.system ['true']\n", "python/object/apply:os.system"),
        ("gbk.yaml", "items:\n  - {id: P-1, kind: project, title: 中文}\n".encode("gbk"), "UTF-8"),
        ("empty.yaml", "", "空文件"),
    ],
)
def test_unreadable_ledgers_exit_2_with_one_located_line(run_duban: Any, tmp_path: Path, name: str,
                                                         content: Any, cause: str) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    proc = run_duban("validate", str(path), code=2)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"错误: {path}: ") and cause in lines[0]


def test_validate_several_files_reports_errors_of_all(run_duban: Any, tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("items:\n  - {id: P-1, kind: project, title: 甲, progress: -1}\n", encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text("items:\n  - {id: P-2, kind: project, title: 乙, level: town}\n", encoding="utf-8")
    proc = run_duban("validate", str(a), str(b), code=2)
    assert proc.stderr.splitlines() == [
        line for line in proc.stderr.splitlines() if line.startswith("错误: ")
    ]
    assert [line.split(": ")[1:3] for line in proc.stderr.splitlines()] == [
        [str(a), "items[0] (P-1).progress"], [str(b), "items[0] (P-2).level"],
    ]


def test_validate_notes_oddities_on_stderr_and_succeeds(run_duban: Any, tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text("units: [{name: 县住建局}]\nitems:\n  - {id: P-9, kind: project, title: 甲, unit: 县水利局}\n",
                    encoding="utf-8")
    proc = run_duban("validate", str(path))
    assert "P-9" in proc.stderr
    assert "错误" not in proc.stderr


def test_validate_without_ledger_uses_the_sample_and_says_so(run_cli: Any) -> None:
    result = run_cli("validate")
    assert "sample-county.yaml" in result.stderr
    assert "示例台账" in result.stderr
    assert str(len(load_ledger(SAMPLE).items)) in result.stdout


def test_validate_without_ledger_works_from_any_folder(run_duban: Any, tmp_path: Path) -> None:
    proc = run_duban("validate", cwd=tmp_path)
    assert "示例台账" in proc.stderr and "sample-county.yaml" in proc.stderr
    assert str(len(load_ledger(SAMPLE).items)) in proc.stdout


def test_validate_with_a_ledger_does_not_mention_the_sample(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("items:\n  - {id: P-1, kind: project, title: 甲}\n", encoding="utf-8")
    result = run_cli("validate", str(path))
    assert "示例台账" not in result.stderr


# --- version --------------------------------------------------------------------------------------------


def test_version_in_process(run_cli: Any) -> None:
    result = run_cli("--version")
    assert result.stdout.strip() == f"duban {engine.__version__}"


def test_version_as_a_process(run_duban: Any) -> None:
    proc = run_duban("--version")
    assert proc.stdout.strip() == f"duban {installed_version('duban')}"
    assert re.fullmatch(r"duban \d+\.\d+\.\d+\S*", proc.stdout.strip())


# --- metrics ---------------------------------------------------------------------------------------------


def test_metrics_lists_every_name(run_cli: Any) -> None:
    result = run_cli("metrics")
    first_words = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    for metric in VOCABULARY.values():
        assert metric.name in first_words, metric.name


def test_metrics_json_lists_the_vocabulary(run_duban: Any) -> None:
    proc = run_duban("metrics", "--format", "json")
    rows = json.loads(proc.stdout)
    listed = {(row["name"], row["subject"]) for row in rows}
    assert listed == {(m.name, m.subject) for m in VOCABULARY.values()}
    assert len(rows) == len(VOCABULARY)
    types = {(row["name"], row["subject"]): row["type"] for row in rows}
    for metric in VOCABULARY.values():
        assert types[(metric.name, metric.subject)] == metric.type


# --- schema -----------------------------------------------------------------------------------------------

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def schema_errors(value: Any, schema: dict, root: dict, at: str = "$") -> list[str]:
    """A small JSON-schema (2020-12) check written for these tests: the standard keywords that a
    ledger schema needs — $ref, anyOf, type, enum, properties, required, additionalProperties, items,
    minimum, maximum and format: date. Unknown keywords are ignored, as the standard says."""
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        return schema_errors(value, root["$defs"][ref.split("/")[-1]], root, at)
    found: list[str] = []
    if "anyOf" in schema:
        if all(schema_errors(value, option, root, at) for option in schema["anyOf"]):
            found.append(f"{at}: matches none of anyOf")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return found + [f"{at}: not {schema['type']}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} not in enum")
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{at}: below minimum")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{at}: above maximum")
    if schema.get("format") == "date" and isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        found.append(f"{at}: not a date")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                found.append(f"{at}.{key}: required")
        for key, item in value.items():
            if key in properties:
                found += schema_errors(item, properties[key], root, f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{at}.{key}: not allowed")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += schema_errors(item, schema["items"], root, f"{at}[{index}]")
    return found


@pytest.fixture(scope="module")
def schema() -> dict:
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_schema_is_json_with_items(run_duban: Any) -> None:
    data = json.loads(run_duban("schema").stdout)
    assert data["type"] == "object"
    assert {"items", "units", "ledger"} <= set(data["properties"])
    assert "items" in data.get("required", [])
    assert data["properties"]["items"]["type"] == "array"


def _item_schema(schema: dict) -> dict:
    ref = schema["properties"]["items"]["items"]["$ref"]
    return schema["$defs"][ref.split("/")[-1]]


def test_schema_describes_the_item_keys(schema: dict) -> None:
    item = _item_schema(schema)
    assert set(item["properties"]) == SPEC_ITEM_KEYS
    assert set(item["required"]) == {"id", "kind", "title"}
    assert item["additionalProperties"] is False  # unknown keys are an error
    assert item["properties"]["kind"]["enum"] == list(KINDS)
    assert item["properties"]["level"]["enum"] == list(LEVELS)


def test_schema_accepts_the_sample_ledger(schema: dict) -> None:
    data = parse_document(SAMPLE.read_text(encoding="utf-8"), str(SAMPLE), ".yaml")  # dates stay text
    assert schema_errors(data, schema, schema) == []


def test_schema_accepts_a_full_item(schema: dict) -> None:
    full = make_item(level="provincial", completed_on="2026-11-01", investment={"planned": 12000, "completed": 7000},
                     issues=[{"type": t, "raised_on": "2026-08-01", "complex": False} for t in PROBLEM_TYPES],
                     visits=[{"date": "2026-09-01", "leader": "李四"}], goal="g", path="p", measures="m",
                     outcome="o", value=-1.5, benchmarks={"national": 5.0}, rank=10, rank_of=10,
                     baseline_due="2026-10-31", recognized_on="2026-11-20",
                     responses=[{"date": "2026-11-20", "rule": "LAG-01", "cause": "c", "measures": "m", "by": "b"}],
                     extra={"phase": "在建", "budget": 12.5, "approved": True})
    assert set(full) == SPEC_ITEM_KEYS
    assert schema_errors({"items": [full]}, schema, schema) == []
    load_ledger({"items": [full]})  # the loader agrees


@pytest.mark.parametrize(
    "change, where",
    [
        ({"progres": 5}, "$.items[0].progres"),
        ({"kind": "projekt"}, "$.items[0].kind"),
        ({"level": "town"}, "$.items[0].level"),
        ({"due": "2026-2-3"}, "$.items[0].due"),
        ({"milestones": [{"name": "x"}]}, "$.items[0].milestones[0].due"),
        ({"issues": [{"type": "water", "raised_on": "2026-08-01"}]}, "$.items[0].issues[0].type"),
        ({"progress": 150}, "$.items[0].progress"),
        ({"progress": -1}, "$.items[0].progress"),
        # investment is "Investment or null" (anyOf): the mini validator reports at the anyOf.
        ({"investment": {"planned": -1}}, "$.items[0].investment"),
        ({"rank": 0, "rank_of": 10}, "$.items[0].rank"),
    ],
)
def test_schema_refuses_what_the_loader_refuses(schema: dict, change: dict, where: str) -> None:
    bad = {"items": [make_item(**change)]}
    with pytest.raises(engine.LedgerError):
        load_ledger(bad)
    found = schema_errors(bad, schema, schema)
    assert any(error.startswith(where) for error in found), found


def test_schema_requires_title(schema: dict) -> None:
    bad = make_item()
    del bad["title"]
    assert "$.items[0].title: required" in schema_errors({"items": [bad]}, schema, schema)

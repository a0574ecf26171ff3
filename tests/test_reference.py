"""duban's report against bench/reference.py, an independent plain-Python implementation of the spec.

The reference computes the metrics, the 29 rules, the scores, the ranking and the JSON text from
SPEC.md and the rule files' data, without importing ``engine``. Byte-identical reports on the sample
county, on a generated ledger whose values straddle every threshold, and on hand-made boundary
ledgers mean that the engine's semantics agree with a second reading of the spec.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from engine import Engine, load_ledger

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


reference = _module("reference")
generate = _module("generate")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


def duban_report(engine: Engine, path: Path) -> str:
    """What ``duban check PATH --format json`` writes (the JSON renderer is ``Report.to_json``)."""
    return engine.evaluate(load_ledger(path)).to_json()


def reference_report(*paths: Path) -> str:
    _, chunks = reference.run([str(p) for p in paths], None, reference.RULES_DIR)
    return "".join(chunks)


def assert_same(theirs: str, ours: str) -> None:
    if theirs != ours:
        import json

        differences = reference.semantic_diff(json.loads(theirs), json.loads(ours))
        pytest.fail("duban and the reference differ:\n" + "\n".join(differences[:30]))


def test_the_sample_county(engine: Engine) -> None:
    path = ROOT / "facts" / "sample-county.yaml"
    assert_same(duban_report(engine, path), reference_report(path))


def test_a_generated_ledger(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    with open(path, "w", encoding="utf-8") as out:
        assert generate.write_json(out, 400, 20261128) == 400
    assert_same(duban_report(engine, path), reference_report(path))


@pytest.mark.parametrize("name", ["reference-boundaries.yaml", "reference-boundaries-2028.json", "reference-far-dates.yaml"])
def test_boundary_ledgers(engine: Engine, name: str) -> None:
    # Thresholds met exactly (a gap of 10 with decimal progress, an investment ratio of exactly 0.8, a
    # reply exactly 30 days old …), events after as_of, placeholders, working days into a year the
    # official calendar does not cover, a leap year and January (no LAG-02).
    path = DATA / name
    assert_same(duban_report(engine, path), reference_report(path))


def test_the_json_lines_form_reads_as_the_same_ledger(tmp_path: Path) -> None:
    # The reference's own reading: one item per line beside a header file gives the same report.
    with open(tmp_path / "a.json", "w", encoding="utf-8") as out:
        generate.write_json(out, 150, 7)
    with open(tmp_path / "b.jsonl", "w", encoding="utf-8") as out, \
            open(tmp_path / "b.county.json", "w", encoding="utf-8") as header:
        generate.write_jsonl(out, header, 150, 7)
    assert reference_report(tmp_path / "b.county.json", tmp_path / "b.jsonl") == reference_report(tmp_path / "a.json")


def test_the_reference_reads_decimals_as_written() -> None:
    # Not tautological: a binary float would make 265.6 / (365 × 332/365) fall just short of 0.8.
    assert reference.exact(265.6) / 332 == reference.exact(0.8)
    assert reference.show(0.15) == "0.2" and reference.show(-0.25) == "-0.3" and reference.show(2.0) == "2"
    assert date.fromordinal(reference.day("2026-11-28", "x")) == date(2026, 11, 28)

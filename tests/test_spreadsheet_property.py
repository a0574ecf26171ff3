"""Any valid ledger survives the round trip through a workbook (hypothesis).

SPEC Part 2 "Writing spreadsheets": converting YAML → xlsx → YAML gives the same ledger. Generated
ledgers cover every field and record, text that looks like numbers, dates or formulas, floats that
need every digit, extra fields and meetings. Text in a spreadsheet is stripped, so generated text has
no surrounding white space; the workbook groups items by kind, so items are compared by id.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine, load_ledger
from engine.ledger.convert import convert_ledger, ledger_document

KINDS = ["project", "enterprise", "reform", "excellence", "party", "task", "indicator"]
text = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S"]), min_size=1, max_size=10)
tricky = st.sampled_from(["2026-03-01", "1,200", "62%", "=1+1", "-", "待定", "TRUE", "是", "001", "+86", "@x"])
words = st.one_of(text, tricky)
days = st.integers(min_value=0, max_value=2000).map(lambda n: (date(2024, 1, 1) + timedelta(days=n)).isoformat())
numbers = st.one_of(st.integers(min_value=0, max_value=10**9),
                    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False))
rates = st.one_of(st.integers(min_value=-50, max_value=50),
                  st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False))
progress = st.one_of(st.integers(min_value=0, max_value=100),
                     st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False))


def optional(strategy: Any) -> Any:
    return st.one_of(st.none(), strategy)


def record(**fields: Any) -> Any:
    return st.fixed_dictionaries({k: v for k, v in fields.items() if not k.startswith("_")},
                                 optional={k[1:]: v for k, v in fields.items() if k.startswith("_")})


milestones = st.lists(record(due=days, _name=words, _done_on=days), max_size=3)
issues = st.lists(record(type=st.sampled_from(["land", "funds", "approval", "energy", "labor", "enterprise", "other"]),
                         raised_on=days, _description=words, _deadline=days, _resolved_on=days,
                         _complex=st.booleans()), max_size=2)
supervisions = st.lists(record(date=days, _by=words, _finding=words, _rectify_by=days, _rectified_on=days), max_size=2)
visits = st.lists(record(date=days, _leader=words), max_size=2)
responses = st.lists(record(date=days, _rule=words, _cause=words, _measures=words, _by=words), max_size=2)
extra = st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True),
                        st.one_of(words, st.integers(min_value=-10**6, max_value=10**6), st.booleans(),
                                  st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)),
                        max_size=2)


@st.composite
def items(draw: Any, item_id: str) -> dict:
    item = draw(record(
        kind=st.sampled_from(KINDS), title=words, _owner=words, _unit=words, _leader=words,
        _level=st.sampled_from(["national", "provincial", "municipal", "county"]),
        _started_on=days, _completed_on=days, _progress=progress, _progress_reported_on=days,
        _milestones=milestones, _investment=record(_planned=numbers, _completed=numbers), _issues=issues,
        _supervisions=supervisions, _visits=visits, _goal=words, _path=words, _measures=words, _outcome=words,
        _value=rates, _benchmarks=record(_national=rates, _provincial=rates, _municipal=rates),
        _baseline_due=days, _recognized_on=days, _responses=responses, _extra=extra,
    ))
    item["id"] = item_id
    start, due = draw(optional(days)), draw(optional(days))
    if start and due and start > due:
        start, due = due, start
    item.update({k: v for k, v in (("start", start), ("due", due)) if v})
    rank_of = draw(optional(st.integers(min_value=1, max_value=30)))
    if rank_of:
        item.update(rank_of=rank_of, rank=draw(st.integers(min_value=1, max_value=rank_of)))
    return item


@st.composite
def ledgers(draw: Any) -> dict:
    ids = draw(st.lists(st.one_of(text, tricky), min_size=1, max_size=5, unique=True))
    units = draw(st.lists(words, max_size=3, unique=True))
    info = draw(record(_county=words, _as_of=days, _meetings=st.lists(record(date=days, _type=words, _title=words),
                                                                       max_size=2)))
    data = {"items": [draw(items(i)) for i in ids],
            "units": [{"name": name, **draw(record(_head=words))} for name in units]}
    if info:
        data["ledger"] = info
    return data


ENGINE = Engine.default(backend="python")


def by_id(document: dict) -> dict:
    return {**document, "items": sorted(document["items"], key=lambda item: item["id"])}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ledgers())
def test_any_valid_ledger_survives_the_round_trip(tmp_path_factory: Any, data: dict) -> None:
    ledger = load_ledger(data)
    path = tmp_path_factory.mktemp("rt") / "台账.xlsx"
    path.write_bytes(convert_ledger(ledger, ".xlsx"))
    back = load_ledger(path)
    assert by_id(ledger_document(back)) == by_id(ledger_document(ledger))
    as_of = date(2026, 11, 28)
    assert ENGINE.evaluate(back, as_of=as_of).to_json() == ENGINE.evaluate(ledger, as_of=as_of).to_json()

"""The library's public face: exported names, engines side by side, threads, errors without printing."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from conftest import SAMPLE, make_item, make_ledger
from engine import Engine, LedgerError, UsageError, load_ledger

AS_OF = date(2026, 11, 28)


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_two_engines_with_different_params_side_by_side(backend: str) -> None:
    """A gap of 22 points is red at the default 20 and yellow when red starts at 25."""
    ledger = make_ledger(make_item(start="2026-01-01", due="2027-01-01", progress=69))
    strict = Engine.default(backend=backend)
    lenient = Engine.default(params={"lag_red_points": 25}, backend=backend)
    for _ in range(2):  # interleaved use
        assert {f.rule: f.severity for f in strict.evaluate(ledger, AS_OF).findings}["LAG-01"] == "red"
        assert {f.rule: f.severity for f in lenient.evaluate(ledger, AS_OF).findings}["LAG-01"] == "yellow"


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_engines_are_safe_to_share_between_threads(backend: str) -> None:
    ledger = load_ledger(SAMPLE)
    shared = Engine.default(backend=backend)
    other = Engine.default(params={"lag_red_points": 25, "visit_red_days": 300}, backend=backend)
    expected = {id(shared): shared.evaluate(ledger).to_json(), id(other): other.evaluate(ledger).to_json()}
    assert expected[id(shared)] != expected[id(other)]
    results: list[bool] = []
    errors: list[BaseException] = []

    def work(e: Engine) -> None:
        try:
            for _ in range(3):
                results.append(e.evaluate(ledger).to_json() == expected[id(e)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(e,)) for e in (shared, other, shared, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [True] * 12


def test_backends_agree_on_the_sample_ledger_at_several_dates() -> None:
    ledger = load_ledger(SAMPLE)
    durable, python = Engine.default(backend="durable"), Engine.default(backend="python")
    for when in (date(2026, 3, 1), date(2026, 11, 28), date(2027, 6, 30)):
        assert durable.evaluate(ledger, when).to_json() == python.evaluate(ledger, when).to_json()


def test_library_errors_carry_located_diagnostics_and_print_nothing(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(LedgerError) as info:
        load_ledger({"items": [make_item(progress=150)]})
    (diagnostic,) = info.value.diagnostics
    assert (diagnostic.place, "150" in diagnostic.cause) == ("items[0] (P-1).progress", True)
    with pytest.raises(UsageError):
        Engine.default(params={"no_such_param": 1})
    with pytest.raises(UsageError):
        Engine.default(backend="python").explain(load_ledger(SAMPLE), "NO-SUCH-ID")
    assert capsys.readouterr() == ("", "")


def test_as_of_defaults_to_the_ledger_then_today() -> None:
    e = Engine.default(backend="python")
    assert e.evaluate(make_ledger(make_item(), as_of="2026-05-01")).as_of == "2026-05-01"
    no_date = load_ledger({"items": [make_item()]})
    assert e.evaluate(no_date).as_of == date.today().isoformat()


def test_explain_lists_every_applicable_rule_fired_or_not() -> None:
    e = Engine.default(backend="python")
    ledger = load_ledger(SAMPLE)
    explanation = e.explain(ledger, "P-004", AS_OF)
    applicable = sorted(r.id for r in e.pack.rules if r.subject == "item" and "project" in r.applies_to)
    assert sorted(r.rule for r in explanation.rules) == applicable
    fired = sorted(r.rule for r in explanation.rules if r.fired)
    assert fired == sorted(explanation.item.findings)
    assert all(check.checks for check in explanation.rules)

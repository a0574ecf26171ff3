"""The cyclic collector around loading and evaluation: paused or frozen inside, as it was after."""

from __future__ import annotations

import gc

import pytest

from conftest import SAMPLE, make_item, make_ledger
from engine import Engine, LedgerError, load_ledger


def test_loading_leaves_the_collector_as_it_found_it_even_on_an_error() -> None:
    assert gc.isenabled()
    load_ledger(SAMPLE)
    assert gc.isenabled()
    with pytest.raises(LedgerError):
        make_ledger(make_item(id="P-1", progress="x"))  # load_ledger on a mapping with a bad value
    assert gc.isenabled()
    gc.disable()
    try:
        load_ledger(SAMPLE)
        assert not gc.isenabled()  # a caller who turned it off keeps it off
    finally:
        gc.enable()


def test_a_run_unfreezes_only_what_it_froze() -> None:
    engine = Engine.default()
    ledger = load_ledger(SAMPLE)
    gc.unfreeze()
    engine.run(ledger)
    assert gc.get_freeze_count() == 0
    kept = [object() for _ in range(10)]  # a process that froze its own objects before the run
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        engine.run(ledger)
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
    del kept

"""The ledger models: the missing-name test and exactly the validation the spec lists.

SPEC "The ledger (facts)": invalid are a start after the due date, a milestone without a due
date, a supervision or visit without a date, a problem without raised_on, a negative amount, a
progress outside 0..100, a rank outside 1..rank_of, an unknown kind, level or issue type, and
unknown keys anywhere. Indicator values and benchmarks are growth rates and may be negative.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from conftest import make_item
from engine import LedgerError, load_ledger
from engine.ledger import Item, is_missing


# --- the missing test --------------------------------------------------------------------------

PLACEHOLDERS = ["待定", "待明确", "未定", "暂无", "无", "未知", "TBD", "N/A", "NA", "-", "—", "?"]


@pytest.mark.parametrize(
    "value",
    [None, "", " ", "   ", "\t", "\n", " \t\n ", "\u3000"]  # \u3000: the full-width space of Chinese text
    + PLACEHOLDERS
    + [f"  {p}  " for p in PLACEHOLDERS]
    + [f"\t{p}\n" for p in PLACEHOLDERS]
    + ["tbd", "Tbd", "tBd", "n/a", "N/a", "n/A", "na", "Na", "nA", " tbd ", " n/a\t"]
    + [[], {}, ()],
    ids=repr,
)
def test_missing(value: Any) -> None:
    assert is_missing(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "王无忌",  # contains 无 but is a name
        "无锡",  # a city, starts with 无
        "0",
        "张三",
        "无 名",  # not exactly a placeholder after stripping
        "待定人",
        "TBD2",
        "N/A/B",
        "--",
        "??",
        "NAN",
        "tba",
        "县住建局",
        ["张三"],
        {"name": "张三"},
        0,
        False,
    ],
    ids=repr,
)
def test_not_missing(value: Any) -> None:
    assert is_missing(value) is False


# --- validation through the loader (located diagnostics) ------------------------------------


def diagnostics(**fields: Any) -> list[Any]:
    """The diagnostics of a one-item ledger built from make_item(**fields); [] when valid."""
    try:
        load_ledger({"items": [make_item(**fields)]})
    except LedgerError as exc:
        return list(exc.diagnostics)
    return []


def refused(place: str, *cause_parts: str, **fields: Any) -> None:
    found = diagnostics(**fields)
    assert found, f"{fields} was accepted"
    places = [d.place for d in found]
    assert f"items[0] (P-1).{place}" in places, places
    cause = next(d.cause for d in found if d.place == f"items[0] (P-1).{place}")
    for part in cause_parts:
        assert part in cause, (part, cause)


def accepted(**fields: Any) -> Item:
    ledger = load_ledger({"items": [make_item(**fields)]})
    return ledger.items[0]


@pytest.mark.parametrize(
    "field, value",
    [("kind", "projekt"), ("kind", "Project"), ("kind", ""), ("level", "town"), ("level", "National")],
)
def test_unknown_kind_and_level_refused(field: str, value: str) -> None:
    refused(field, repr(value), **{field: value})


@pytest.mark.parametrize("kind", ["project", "enterprise", "reform", "excellence", "party", "task", "indicator"])
def test_every_kind_accepted(kind: str) -> None:
    assert accepted(kind=kind).kind == kind


@pytest.mark.parametrize("level", ["national", "provincial", "municipal", "county"])
def test_every_level_accepted(level: str) -> None:
    assert accepted(level=level).level == level


def test_level_defaults_to_county() -> None:
    assert accepted().level == "county"


def test_unknown_issue_type_refused() -> None:
    refused("issues[0].type", "'water'", issues=[{"type": "water", "raised_on": "2026-08-01"}])


@pytest.mark.parametrize("kind", ["land", "funds", "approval", "energy", "labor", "enterprise", "other"])
def test_every_issue_type_accepted(kind: str) -> None:
    assert accepted(issues=[{"type": kind, "raised_on": "2026-08-01"}]).issues[0].type == kind


def test_start_after_due_refused() -> None:
    refused("start", "2026-12-02", "2026-12-01", start="2026-12-02", due="2026-12-01")


def test_start_equal_to_due_accepted() -> None:
    item = accepted(start="2026-12-01", due="2026-12-01")
    assert item.start == item.due == date(2026, 12, 1)


@pytest.mark.parametrize("value", [-1, 101, 100.5, -0.1, 150])
def test_progress_outside_range_refused(value: float) -> None:
    refused("progress", str(value), progress=value)


@pytest.mark.parametrize("value", [0, 100, 0.5, 99.9, 100.0, 62])
def test_progress_inside_range_accepted(value: float) -> None:
    assert accepted(progress=value).progress == value


@pytest.mark.parametrize(
    "investment, place",
    [
        ({"planned": -1, "completed": 0}, "investment.planned"),
        ({"planned": 100, "completed": -0.5}, "investment.completed"),
    ],
)
def test_negative_investment_refused(investment: dict, place: str) -> None:
    bad = str(investment[place.split(".")[1]])
    refused(place, bad, investment=investment)


def test_zero_investment_accepted() -> None:
    item = accepted(investment={"planned": 0, "completed": 0})
    assert item.investment is not None and item.investment.planned == 0


def test_negative_indicator_value_and_benchmarks_accepted() -> None:
    item = accepted(kind="indicator", value=-3.5,
                    benchmarks={"national": -1.2, "provincial": 0, "municipal": -0.4})
    assert item.value == -3.5
    assert item.benchmarks is not None
    assert (item.benchmarks.national, item.benchmarks.provincial, item.benchmarks.municipal) == (-1.2, 0, -0.4)


@pytest.mark.parametrize(
    "rank, rank_of, place",
    [(0, 10, "rank"), (-1, 10, "rank"), (11, 10, "rank"), (2, 1, "rank"), (1, 0, "rank_of")],
)
def test_rank_outside_range_refused(rank: int, rank_of: int, place: str) -> None:
    found = diagnostics(kind="indicator", rank=rank, rank_of=rank_of)
    assert [d.place for d in found] == [f"items[0] (P-1).{place}"]


@pytest.mark.parametrize("rank, rank_of", [(10, 10), (1, 10), (1, 1)])
def test_rank_inside_range_accepted(rank: int, rank_of: int) -> None:
    item = accepted(kind="indicator", rank=rank, rank_of=rank_of)
    assert (item.rank, item.rank_of) == (rank, rank_of)


def test_rank_out_of_range_names_the_rank() -> None:
    refused("rank", "11", "10", kind="indicator", rank=11, rank_of=10)


@pytest.mark.parametrize(
    "fields, place",
    [
        ({"milestones": [{"name": "主体完工", "done_on": "2026-10-10"}]}, "milestones[0].due"),
        ({"milestones": [{"name": "主体完工", "due": None}]}, "milestones[0].due"),
        ({"supervisions": [{"by": "县督查室", "finding": "进度滞后"}]}, "supervisions[0].date"),
        ({"visits": [{"leader": "李四"}]}, "visits[0].date"),
        ({"issues": [{"type": "land", "description": "用地指标未落实"}]}, "issues[0].raised_on"),
    ],
)
def test_required_dates(fields: dict, place: str) -> None:
    refused(place, **fields)


@pytest.mark.parametrize("missing", ["id", "kind", "title"])
def test_required_item_keys(missing: str) -> None:
    item = make_item()
    del item[missing]
    with pytest.raises(LedgerError) as info:
        load_ledger({"items": [item]})
    assert [d.place.split(".")[-1] for d in info.value.diagnostics] == [missing]


@pytest.mark.parametrize(
    "document, place",
    [
        ({"items": [], "extra": 1}, "extra"),
        ({"items": [], "ledger": {"county": "示例县", "asof": "2026-11-28"}}, "ledger.asof"),
        ({"items": [], "units": [{"name": "县住建局", "hed": "王五"}]}, "units[0].hed"),
        ({"items": [make_item(progres=5)]}, "items[0] (P-1).progres"),
        ({"items": [make_item(milestones=[{"due": "2026-09-30", "don_on": "2026-10-10"}])]},
         "items[0] (P-1).milestones[0].don_on"),
        ({"items": [make_item(investment={"plan": 1})]}, "items[0] (P-1).investment.plan"),
        ({"items": [make_item(issues=[{"type": "land", "raised_on": "2026-08-01", "solved": True}])]},
         "items[0] (P-1).issues[0].solved"),
        ({"items": [make_item(supervisions=[{"date": "2026-10-15", "rectifyby": "2026-11-15"}])]},
         "items[0] (P-1).supervisions[0].rectifyby"),
        ({"items": [make_item(visits=[{"date": "2026-09-01", "who": "李四"}])]}, "items[0] (P-1).visits[0].who"),
        ({"items": [make_item(kind="indicator", benchmarks={"nation": 5.0})]}, "items[0] (P-1).benchmarks.nation"),
    ],
)
def test_unknown_keys_refused_at_every_level(document: dict, place: str) -> None:
    with pytest.raises(LedgerError) as info:
        load_ledger(document)
    found = {d.place: d.cause for d in info.value.diagnostics}
    assert list(found) == [place]
    assert repr(place.rsplit(".", 1)[-1]) in found[place]  # the cause names the unknown key


@pytest.mark.parametrize(
    "fields, place",
    [
        ({"progress": True}, "progress"),
        ({"progress": False}, "progress"),
        ({"investment": {"planned": True, "completed": 1}}, "investment.planned"),
        ({"investment": {"planned": 1, "completed": False}}, "investment.completed"),
        ({"kind": "indicator", "value": True}, "value"),
        ({"kind": "indicator", "benchmarks": {"national": True}}, "benchmarks.national"),
        ({"kind": "indicator", "rank": True, "rank_of": 10}, "rank"),
        ({"kind": "indicator", "rank": 1, "rank_of": True}, "rank_of"),
        ({"progress": "62"}, "progress"),
    ],
)
def test_bool_or_text_where_number_expected_refused(fields: dict, place: str) -> None:
    refused(place, **fields)


@pytest.mark.parametrize(
    "field, value, shown",
    [
        ("due", 20261128, "20261128"),
        ("due", "2026-2-3", "2026-2-3"),
        ("due", "2026/11/28", "2026/11/28"),
        ("due", "20261128", "20261128"),
        ("start", "2026-02-30", "2026-02-30"),
        ("started_on", "2026-02-29", "2026-02-29"),
        ("due", "2026-13-01", "2026-13-01"),
        ("due", "2026-11-28T00:00:00", "2026-11-28T00:00:00"),
    ],
)
def test_bad_dates_refused(field: str, value: Any, shown: str) -> None:
    refused(field, shown, **{field: value})


def test_leap_day_accepted_in_leap_year() -> None:
    item = accepted(start="2024-02-29", started_on="2024-02-29")
    assert item.start == date(2024, 2, 29)


def test_dates_parse_to_dates() -> None:
    item = accepted(due="2026-12-31", milestones=[{"due": "2026-09-30", "done_on": "2026-10-10"}])
    assert item.due == date(2026, 12, 31)
    assert item.milestones[0].due == date(2026, 9, 30)
    assert item.milestones[0].done_on == date(2026, 10, 10)


def test_integer_id_becomes_text() -> None:
    assert accepted(id=1001).id == "1001"


def test_id_is_stripped_and_blank_id_refused() -> None:
    assert accepted(id="  P-9 ").id == "P-9"
    found = diagnostics(id="   ")
    assert len(found) == 1
    assert found[0].place.startswith("items[0]") and found[0].place.endswith(".id")


def test_bool_id_refused() -> None:
    assert [d.place for d in diagnostics(id=True)] == ["items[0].id"]


def test_models_refuse_directly_too() -> None:
    """The library's models refuse on their own, without the loader."""
    with pytest.raises(ValidationError):
        Item.model_validate(make_item(progress=101))
    with pytest.raises(ValidationError):
        Item.model_validate(make_item(start="2026-12-02", due="2026-12-01"))
    assert Item.model_validate(make_item()).id == "P-1"

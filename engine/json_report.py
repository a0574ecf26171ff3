"""The JSON report written as a stream: the same bytes for the library's Report and for a large run.

The report (``schema_version`` 1) is a mapping whose long parts are the
``findings``, ``items`` and ``waived`` lists. :func:`write_report` writes it
piece by piece, a thousand entries at a time, through pydantic-core's JSON
serializer — the one :meth:`pydantic.BaseModel.model_dump_json` uses — so
the bytes are those of ``Report.model_dump_json(indent=2)`` whether the
entries are the report's models or the compact rows of a run
(:mod:`engine.evaluate.rows`), and a run of a million items never holds the
whole text.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from pydantic import BaseModel
from pydantic_core import to_json

__all__ = ["write_report", "dumps_report"]

BATCH = 1000
# The keys of the report in the spec's order; the county and the periods are not part of it.
HEAD = ("schema_version", "as_of", "rules", "summary", "notes")
LISTS = ("findings", "items", "waived", "rejected")
# Fields a compact row carries beyond what the report shows.
_PRIVATE = frozenset({"exact_points", "order"})


def _plain(entry: Any) -> Any:
    """An entry as JSON-ready data: a model dumped, a row as its fields (without its private ones)."""
    if isinstance(entry, BaseModel):
        return entry.model_dump(mode="json", by_alias=True)
    if hasattr(entry, "_asdict"):
        data = {}
        for key, value in zip(entry._fields, entry):
            if key in _PRIVATE:
                continue
            data[key] = _plain(value) if isinstance(value, BaseModel) else value
        return data
    return entry


def _batches(entries: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(entries), BATCH):
        yield entries[start:start + BATCH]


def write_report(report: Any, write: Callable[[bytes], Any]) -> None:
    """Write ``report`` (a Report, or anything with its attributes) as the JSON report, with a final newline."""
    head = to_json({key: _plain(getattr(report, key)) for key in HEAD}, indent=2)
    write(head[:-2])  # without the closing "\n}"
    for key in LISTS:
        entries = getattr(report, key)
        write(f',\n  "{key}": '.encode())
        if not entries:
            write(b"[]")
            continue
        write(b"[\n")
        for number, batch in enumerate(_batches(entries)):
            if number:
                write(b",\n")
            body = to_json([_plain(entry) for entry in batch], indent=2)[2:-2]  # the elements, at depth 1
            write(b"  " + body.replace(b"\n", b"\n  "))
        write(b"\n  ]")
    write(b"\n}\n")


def dumps_report(report: Any) -> str:
    """The JSON report as text."""
    parts: list[bytes] = []
    write_report(report, parts.append)
    return b"".join(parts).decode("utf-8")

#!/usr/bin/env python3
"""Real public project data as duban ledgers: the NYC capital projects and the UK GMPP.

    python bench/real.py nyc  /work/shared/data/real/nyc/NYC_capital_projects_20190901.csv  nyc.yaml
    python bench/real.py gmpp /work/shared/data/real/gmpp/uk_2023.csv                       gmpp.yaml

Nobody here wrote these data (their SOURCE.md files say where they come from). They carry no owners,
contact leaders, replies or supervision records, so the default pack finds every item red; the
``delivery`` profile is meant for them (``duban check nyc.yaml --profile delivery``).

NYC (one row per project and report date): the latest report of each project becomes an item —
``NYC-<PID>``, the managing agency as lead unit, Design Start as start (and as the actual start when it
is past: the project is reported in design or later), Forecast Completion as due,
and the originally approved completion (due minus Total Schedule Changes days) as ``baseline_due``;
the phase and category are kept as extra fields. GMPP (each row a field, each column a project, cp1252,
``;`` from 2021): the department as lead unit, the latest approved start and end dates (a start before
the data date is the actual start: the project is live in the portfolio), the IPA delivery confidence
rating as an extra field. Rows the sources themselves get wrong (a start after the
end) are kept: ``--skip-invalid`` sets them aside.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Optional

import yaml

__all__ = ["nyc_ledger", "gmpp_ledger"]


def _nyc_date(text: str) -> Optional[date]:
    text = text.strip()
    return datetime.strptime(text[:10], "%m/%d/%Y").date() if text else None


def nyc_ledger(text: str) -> dict[str, Any]:
    """The NYC capital projects file → a ledger of each project's latest report."""
    latest: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        reported = _nyc_date(row["Date Reported As Of"])
        key = row["PID"].strip()
        if key not in latest or _nyc_date(latest[key]["Date Reported As Of"]) < reported:
            latest[key] = row
    as_of = max(_nyc_date(r["Date Reported As Of"]) for r in latest.values())
    items = []
    for pid in sorted(latest, key=lambda p: int(p) if p.isdigit() else p):
        row = latest[pid]
        item: dict[str, Any] = {"id": f"NYC-{pid}", "kind": "project", "title": row["Project Name"].strip()}
        if row["Managing Agency"].strip():
            item["unit"] = row["Managing Agency"].strip()
        start, due = _nyc_date(row["Design Start"]), _nyc_date(row["Forecast Completion"])
        if start:
            item["start"] = start.isoformat()
            if start <= as_of:  # a project reported in design or later has begun its design phase
                item["started_on"] = start.isoformat()
        if due:
            item["due"] = due.isoformat()
            slipped = row["Total Schedule Changes"].strip()
            if slipped.lstrip("-").isdigit():
                item["baseline_due"] = (due - timedelta(days=int(slipped))).isoformat()
        extra = {"phase": row["Current Phase"].strip(), "category": row["Category"].strip()}
        item["extra"] = {k: v for k, v in extra.items() if v}
        items.append(item)
    return {"ledger": {"county": "New York City", "as_of": as_of.isoformat()}, "items": items}


def _gmpp_date(text: str) -> Optional[str]:
    text = text.strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return None


def gmpp_ledger(data: bytes, as_of: str = "2023-03-31") -> dict[str, Any]:
    """One GMPP report (fields as rows, projects as columns) → a ledger at its data date."""
    text = data.decode("cp1252", errors="replace")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    fields = {row[0].split("\n")[0].strip(): row[1:] for row in rows if row}

    def column(prefix: str) -> list[str]:
        return next((values for name, values in fields.items() if name.startswith(prefix)), [])

    ids, names, departments = column("GMPP ID"), column("Project Name"), column("Department")
    starts, ends, ratings = column("Project - Start Date"), column("Project - End Date"), column("IPA Delivery")
    items = []
    for index, project in enumerate(ids):
        if not project.strip():
            continue
        item: dict[str, Any] = {"id": project.strip(), "kind": "project", "title": names[index].strip() or project}
        if departments[index].strip():
            item["unit"] = departments[index].strip()
        for key, values in (("start", starts), ("due", ends)):
            day = _gmpp_date(values[index]) if index < len(values) else None
            if day:
                item[key] = day
        if item.get("start") and item["start"] <= as_of:  # a live project of the portfolio past its start date
            item["started_on"] = item["start"]
        rating = ratings[index].strip() if index < len(ratings) else ""
        if rating:
            item["extra"] = {"dca": rating}
        items.append(item)
    return {"ledger": {"county": "UK Government Major Projects Portfolio", "as_of": as_of}, "items": items}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("nyc", "gmpp"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, source, out = argv
    raw = Path(source).read_bytes()
    ledger = nyc_ledger(raw.decode("utf-8")) if kind == "nyc" else gmpp_ledger(raw)
    Path(out).write_text(yaml.safe_dump(ledger, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    print(f"{out}: {len(ledger['items'])} items at {ledger['ledger']['as_of']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

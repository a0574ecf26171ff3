"""Real project data nobody here wrote (NYC capital projects, the UK GMPP), converted by bench/real.py.

With the default pack every item is red (the data carry no people, replies or supervision records);
with --profile delivery they are not; the GMPP's one bad row refuses the ledger unless --skip-invalid
sets it aside.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"
sys.path.insert(0, str(ROOT / "bench"))

from real import gmpp_ledger, nyc_ledger  # noqa: E402

NYC = REAL / "nyc-2019-09-01.yaml"
GMPP = REAL / "gmpp-2023.yaml"


def lights(run_cli, *args: str) -> dict:
    return json.loads(run_cli("check", *args, "--format", "json").stdout)["summary"]["lights"]


@pytest.mark.parametrize("path, items", [(NYC, 378), (GMPP, 243)])
def test_the_default_pack_finds_everything_red_and_delivery_does_not(run_cli, path: Path, items: int) -> None:
    everything = lights(run_cli, str(path), "--skip-invalid")
    assert everything == {"red": items, "yellow": 0, "green": 0}
    delivery = lights(run_cli, str(path), "--skip-invalid", "--profile", "delivery")
    assert sum(delivery.values()) == items and delivery["green"] > 0 and delivery["red"] < items


def test_the_gmpp_bad_row_refuses_the_ledger_unless_set_aside(run_cli) -> None:
    refused = run_cli("check", str(GMPP), "--profile", "delivery", code=2)
    assert "items[176] (MOD_0137_2122-Q1).start: 计划完工 2023-01-20 早于计划开工 2023-02-20" in refused.stderr
    data = json.loads(run_cli("check", str(GMPP), "--profile", "delivery", "--skip-invalid", "--format", "json").stdout)
    assert [r["id"] for r in data["rejected"]] == ["MOD_0137_2122-Q1"] and data["summary"]["items"] == 243


NYC_ROWS = """Date Reported As Of,PID,Project Name,Description,Category,Borough,Managing Agency,Client Agency,Current Phase,Design Start,Budget Forecast,Latest Budget Changes,Total Budget Changes,Forecast Completion,Latest Schedule Changes,Total Schedule Changes
05/01/2014 12:00:00 AM,3,26th Ward WWTP,d,Wastewater Treatment,Brooklyn,DEP,DEP,Design,09/23/2013,182980960,-1915400,-4318643.37,01/14/2020,1,270
09/01/2019 12:00:00 AM,3,26th Ward WWTP,d,Wastewater Treatment,Brooklyn,DEP,DEP,Construction,09/23/2013,180577716.63,-4664980,-4318643.37,10/09/2020,0,270
09/01/2019 12:00:00 AM,7,New Library,d,Libraries,Queens,DDC,QPL,,,25000000,0,0,,0,
"""


def test_the_nyc_converter_keeps_each_projects_latest_report() -> None:
    ledger = nyc_ledger(NYC_ROWS)
    assert ledger["ledger"] == {"county": "New York City", "as_of": "2019-09-01"}
    first, second = ledger["items"]
    assert first == {"id": "NYC-3", "kind": "project", "title": "26th Ward WWTP", "unit": "DEP",
                     "start": "2013-09-23", "started_on": "2013-09-23", "due": "2020-10-09",
                     "baseline_due": "2020-01-13",  # 270 days of schedule changes before the forecast
                     "extra": {"phase": "Construction", "category": "Wastewater Treatment"}}
    assert second == {"id": "NYC-7", "kind": "project", "title": "New Library", "unit": "DDC",
                      "extra": {"category": "Libraries"}}


def test_the_gmpp_converter_reads_fields_as_rows_in_cp1252() -> None:
    text = ("GMPP ID Number;A_1;A_2\r\nProject Name;Caf\xe9 Reform;Road\r\nDepartment;CO;DFT\r\n"
            '"IPA Delivery Confidence Assessment \n(note)";Amber;\r\n'
            '"Project - Start Date \n(Latest Approved Start Date)";2020-05-20;2024-01-01\r\n'
            '"Project - End Date \n(Latest Approved End Date)";2024-09-30;2023-12-31\r\n')
    ledger = gmpp_ledger(text.encode("cp1252"))
    assert ledger["items"] == [
        {"id": "A_1", "kind": "project", "title": "Café Reform", "unit": "CO", "start": "2020-05-20",
         "due": "2024-09-30", "started_on": "2020-05-20", "extra": {"dca": "Amber"}},
        {"id": "A_2", "kind": "project", "title": "Road", "unit": "DFT", "start": "2024-01-01", "due": "2023-12-31"},
    ]

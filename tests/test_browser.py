"""The dashboard in a real browser: Debian's headless Chromium driven through selenium.

On the sample ledger's dashboard: no console errors, every item present, a filter by unit shows exactly
that unit's items, the search narrows, a click opens an item's findings, and a screenshot is saved for the
record (under the test's tmp folder). A ledger title ``<script>`` shows as text and runs nothing.

The browser is required, not optional: `.ci/run` installs chromium and chromium-driver when they are
missing, and without them these tests fail rather than skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import AS_OF, SAMPLE, make_item, make_ledger
from engine import Engine, load_ledger
from engine.output import render

# Flags for a closed network and a throw-away profile: no background connections, no first-run dialogs.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,2000",
]


def browser_paths() -> tuple[str, str]:
    """Chromium and its driver (Debian: chromium, chromium-driver); a failure names the packages."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or next(
        (p for p in ("/usr/lib/chromium/chromedriver", "/usr/bin/chromedriver") if Path(p).exists()), None)
    if not browser or not driver:
        pytest.fail("浏览器测试需要 Chromium 和 chromedriver: apt-get install chromium chromium-driver"
                    "(.ci/run 会自动安装)", pytrace=False)
    return browser, driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    binary, driver_path = browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def sample_report():
    return Engine.default().evaluate(load_ledger(SAMPLE), AS_OF)


@pytest.fixture(scope="module")
def dashboard_file(sample_report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("dashboard") / "dashboard.html"
    page.write_text(render("html", "check", sample_report), encoding="utf-8")
    return page


@pytest.fixture
def dashboard(browser: webdriver.Chrome, dashboard_file: Path) -> webdriver.Chrome:
    """The sample's dashboard, freshly loaded (no filter set, nothing opened)."""
    browser.get(dashboard_file.as_uri())
    return browser


def visible_ids(browser: webdriver.Chrome) -> list[str]:
    """The ids of the item rows the page shows (laid out, not hidden), in one round trip."""
    return browser.execute_script(
        "return Array.prototype.slice.call(document.querySelectorAll('#items tr.item'))"
        ".filter(function (row) { return row.getClientRects().length > 0; })"
        ".map(function (row) { return row.getAttribute('data-id'); });")


def reset(browser: webdriver.Chrome) -> None:
    for select in ("f-kind", "f-unit", "f-leader", "f-light"):
        Select(browser.find_element(By.ID, select)).select_by_value("")
    browser.find_element(By.ID, "f-text").clear()
    browser.execute_script("document.getElementById('f-text').dispatchEvent(new Event('input'))")


def test_the_sample_dashboard_loads_without_console_errors(dashboard: webdriver.Chrome, sample_report,
                                                           tmp_path: Path) -> None:
    assert dashboard.title == "清溪县重点工作督办看板 2026-11-28"
    assert dashboard.execute_script("return document.readyState") == "complete"
    problems = [entry for entry in dashboard.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert problems == []
    assert visible_ids(dashboard) == [item.id for item in sample_report.items]
    assert dashboard.find_element(By.ID, "f-count").text == f"共 {len(sample_report.items)} 项"
    shot = tmp_path / "dashboard.png"
    assert dashboard.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")


@pytest.mark.parametrize("unit", ["县住建局", "县委组织部", "县工信局"])
def test_a_filter_by_unit_shows_exactly_that_units_items(dashboard: webdriver.Chrome, sample_report,
                                                         unit: str) -> None:
    reset(dashboard)
    Select(dashboard.find_element(By.ID, "f-unit")).select_by_value(unit)
    expected = [item.id for item in sample_report.items if item.unit == unit]
    assert visible_ids(dashboard) == expected and expected
    assert dashboard.find_element(By.ID, "f-count").text == f"显示 {len(expected)} 项(共 {len(sample_report.items)} 项)"


def test_filters_combine_and_the_search_narrows(dashboard: webdriver.Chrome, sample_report) -> None:
    reset(dashboard)
    Select(dashboard.find_element(By.ID, "f-light")).select_by_value("red")
    Select(dashboard.find_element(By.ID, "f-kind")).select_by_value("project")
    assert visible_ids(dashboard) == [i.id for i in sample_report.items if i.light == "red" and i.kind == "project"]
    reset(dashboard)
    Select(dashboard.find_element(By.ID, "f-leader")).select_by_value("(未填)")
    assert visible_ids(dashboard) == [i.id for i in sample_report.items if i.leader in ("待定", "待明确")]
    reset(dashboard)
    dashboard.find_element(By.ID, "f-text").send_keys("污水")
    assert visible_ids(dashboard) == [i.id for i in sample_report.items if "污水" in i.title]
    reset(dashboard)
    assert len(visible_ids(dashboard)) == len(sample_report.items)


def test_a_click_opens_the_items_findings(dashboard: webdriver.Chrome, sample_report) -> None:
    reset(dashboard)
    item = sample_report.items[0]
    row = dashboard.find_element(By.CSS_SELECTOR, f'#items tr.item[data-id="{item.id}"]')
    detail = dashboard.find_element(By.ID, row.get_attribute("aria-controls"))
    assert not detail.is_displayed()
    row.click()
    assert detail.is_displayed() and row.get_attribute("aria-expanded") == "true"
    text = detail.text
    findings = sample_report.findings_for(item.id)
    assert findings
    for finding in findings:
        for shown in (finding.message, finding.remedy, finding.clause):
            assert shown in text
    row.click()
    assert not detail.is_displayed()


def test_a_script_in_a_title_is_shown_as_text(browser: webdriver.Chrome, tmp_path: Path) -> None:
    hostile = "<script>alert('x')</script><img src=x onerror=alert('y')>"
    report = Engine.default().evaluate(make_ledger(make_item(id="P-1", title=hostile, owner="")), AS_OF)
    page = tmp_path / "hostile.html"
    page.write_text(render("html", "check", report), encoding="utf-8")
    browser.get(page.as_uri())
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    row = browser.find_element(By.CSS_SELECTOR, '#items tr.item[data-id="P-1"]')
    assert hostile in row.text
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

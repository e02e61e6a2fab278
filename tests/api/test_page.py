"""The page in headless Chromium (Debian's chromium and chromedriver; `make browser`
installs them), against the API on the real stack: a query that does not parse shows
where; a bad query fills in the four agent sections; the history lists it; the schema
downloads. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.api.stack import API_KEY, ROOT

pytestmark = pytest.mark.stack

ARTIFACTS = ROOT / "test-artifacts"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BAD_QUERY = """SELECT *
FROM tpch.orders o, tpch.customer c
WHERE o.o_custkey = c.c_custkey
  AND c.c_nationkey NOT IN (SELECT n.n_nationkey FROM tpch.nation n WHERE n.n_regionkey = 1)
  AND DATE_TRUNC('month', o.o_orderdate) = DATE '1998-07-01'"""
AGENTS = ("redshift-query-optimizer", "schema-normalizer", "cost-saver", "data-validation-agent")


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMEDRIVER).exists() and Path(CHROMIUM).exists()):
        pytest.fail("chromium and chromedriver are missing: run `make browser` (Debian's chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    downloads = tempfile.mkdtemp(prefix="chromium-downloads-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1400,2200"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.downloads = Path(downloads)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
    shutil.rmtree(downloads, ignore_errors=True)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.5)


def submit(driver, sql: str, schema: str = "") -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "sql")
    box.clear()
    driver.execute_script("arguments[0].value = arguments[1];", box, sql)
    field = driver.find_element(By.ID, "schema")
    field.clear()
    if schema:
        field.send_keys(schema)
    driver.find_element(By.ID, "submit").click()


def test_the_page_shows_where_sql_breaks_and_the_four_agents_results(api_server, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{api_server.url}/#key={API_KEY}")
    assert browser.title == "Redshift Query Optimizer"

    # a query that does not parse: the line and column, the cursor put there
    submit(browser, "SELECT o_orderkey\nFROM tpch.orders\nWHERE (o_orderkey = 1")
    error = wait_for(lambda: browser.find_element(By.ID, "form-error").is_displayed()
                     and browser.find_element(By.ID, "form-error"), 15, "the syntax error")
    assert "line 3, column" in error.text
    assert browser.find_element(By.ID, "job-section").get_attribute("hidden") is not None

    # a bad query: the job runs, and the four sections fill in
    submit(browser, BAD_QUERY, schema="tpch")
    wait_for(lambda: browser.find_element(By.ID, "job-section").get_attribute("data-status") in ("success", "failed"),
             180, "the job to finish")
    browser.save_screenshot(str(ARTIFACTS / "page-job.png"))
    assert browser.find_element(By.ID, "job-status").text.lower() == "success"
    cards = {card.get_attribute("data-agent"): card
             for card in browser.find_elements(By.CSS_SELECTOR, "#job-agents .agent")}
    assert list(cards) == list(AGENTS)
    for agent, card in cards.items():
        assert card.get_attribute("data-state") == "success", (agent, card.text)
        assert card.find_element(By.CSS_SELECTOR, ".result").text.strip(), f"{agent} shows its result"
    optimizer = cards["redshift-query-optimizer"].text
    assert "Q001" in optimizer and "Q003" in optimizer and "Q005" in optimizer, optimizer
    assert "VERIFICATION: EQUIVALENT" in optimizer.upper(), "the rewrite returned the same rows"
    added = [e.text for e in cards["redshift-query-optimizer"].find_elements(By.CSS_SELECTOR, ".diff ins")]
    dropped = [e.text for e in cards["redshift-query-optimizer"].find_elements(By.CSS_SELECTOR, ".diff del")]
    # the sort-key predicate as a range: only the wrapped predicate changes, the * stays
    assert any("DATE_TRUNC" in word.upper() for word in dropped) and "*" not in dropped, dropped
    assert any("<" in word for word in added), "the rewrite as a diff of the original"
    assert "Estimated savings" in cards["cost-saver"].text

    # the history lists the query; a row opens its stored results
    browser.find_element(By.CSS_SELECTOR, "#history-form button").click()
    query_hash = browser.find_element(By.ID, "job-hash").text
    row = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, f'#history-table tr[data-hash="{query_hash}"]'),
                   15, "the query in the history")
    row[0].click()
    wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#history-detail .agent")) == 4, 15,
             "the stored results")
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "h-severity")).select_by_visible_text("CRITICAL")
    browser.find_element(By.CSS_SELECTOR, "#history-form button").click()
    wait_for(lambda: not browser.find_elements(By.CSS_SELECTOR, f'#history-table tr[data-hash="{query_hash}"]'),
             15, "the severity filter to hide it")

    # the schema snapshot downloads as a file
    browser.find_element(By.ID, "download-schema").click()
    downloaded = wait_for(lambda: [p for p in browser.downloads.glob("schema*.json")], 15, "the download")
    assert any(t["table_name"] == "tpch.orders" for t in json.loads(downloaded[0].read_text())["tables"])
    browser.save_screenshot(str(ARTIFACTS / "page-history.png"))

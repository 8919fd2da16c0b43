"""The HTML report in a real browser: Debian's headless Chromium driven by its chromedriver
through Selenium (no browser is downloaded). Skipped where Chromium, chromedriver or
Selenium is not installed (``apt-get install chromium chromium-driver``).

It shows that the pages load without a console error (a Content-Security-Policy violation
from injected markup would be one), that clicking a header sorts the index (and that
completeness sorts within each scope), and that a screenshot is produced.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from care_check import cli

from .editor_fixtures import editor_folder
from .test_editor_outputs import hostile_manuscript

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="Chromium and chromedriver are not installed")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,900")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    except Exception as exc:  # noqa: BLE001 - a browser that cannot start here is an environment problem
        pytest.skip(f"Chromium does not start here: {str(exc).splitlines()[0]}")
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("html")
    folder = editor_folder(base)
    hostile_manuscript(folder)
    out = base / "report"
    assert cli.main(["check", str(folder), "--format", "html", "-o", f"{out}/", "--fail-on", "never", "-q"]) == 0
    return out


def errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def column(driver, index: int) -> list[str]:
    return [row.find_elements("css selector", "td")[index].text
            for row in driver.find_elements("css selector", "#manuscripts tbody tr")]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_index_loads_clean_sorts_on_click_and_screenshots(browser, report, tmp_path):
    browser.get((report / "index.html").as_uri())
    assert errors(browser) == []
    files = column(browser, 0)
    assert len(files) == 6
    scopes = column(browser, 2)
    assert scopes[-1] == "abstract"  # starts sorted by scope, then completeness

    header = browser.find_element("xpath", "//th/button[normalize-space()='File']")
    header.click()
    assert column(browser, 0) == sorted(files)
    assert header.find_element("xpath", "..").get_attribute("aria-sort") == "ascending"
    header.click()
    assert column(browser, 0) == sorted(files, reverse=True)
    assert "Sorted by File, descending." in browser.find_element("id", "sort-state").text

    completeness = browser.find_element("xpath", "//th/button[normalize-space()='Completeness']")
    for direction in ("ascending", "descending"):
        if completeness.find_element("xpath", "..").get_attribute("aria-sort") == direction:
            continue
        completeness.click()
        scopes = column(browser, 2)
        full = [float(c.rstrip("%")) for s, c in zip(scopes, column(browser, 3)) if s == "full" and "%" in c]
        assert full == sorted(full, reverse=direction == "descending")
        assert scopes.index("abstract") > max(i for i, s in enumerate(scopes) if s == "full")  # never above

    shot = tmp_path / "index.png"
    assert browser.save_screenshot(str(shot))
    width, height = png_size(shot)
    assert width >= 800 and height >= 500
    assert errors(browser) == []


def test_hostile_manuscript_page_runs_nothing_and_prints(browser, report, tmp_path):
    page = next(p for p in report.iterdir() if p.name.startswith("case_b_onmouseover"))
    browser.get(page.as_uri())
    assert errors(browser) == []  # an injected <script> or <img> would be a CSP violation here
    assert browser.execute_script("return document.scripts.length") == 0
    assert browser.execute_script("return document.querySelectorAll('img, iframe').length") == 0
    body = browser.find_element("tag name", "body").text
    assert '<script>alert("x")</script>' in body and "✘" in body and "MISSING" in body.upper()
    shot = tmp_path / "page.png"
    assert browser.save_screenshot(str(shot))
    width, height = png_size(shot)
    assert width >= 800 and height >= 500
    pdf = browser.print_page()  # the print stylesheet: a PDF that is not empty
    assert len(pdf) > 1000

"""The web directory in a real browser: Debian's headless Chromium driven by Selenium,
against `rasmi web` running as its own process. Screenshots go to build/screenshots/.
Without Chromium and its driver the tests skip and say why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots"
ADMIN_TOKEN = "browser-test-token"
SERVED: dict[str, str] = {}
"""The database the server of this module uses (for the import the feed test makes)."""
FLUSH_WAIT = 30
"""Seconds to wait for the question log to be written (every 5 s)."""
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WHY = "headless Chromium needs `apt-get install chromium chromium-driver` (.ci/run does it)"
if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
    print(f"\nSkipping the browser tests: {WHY}", file=sys.stderr)
    pytest.skip(WHY, allow_module_level=True)

from registry_edits import edit  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from web_process import start_web, stop  # noqa: E402

from knowledge.registry import BUNDLED_REGISTRY  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`rasmi web` on a new SQLite database with the bundled registry."""
    if os.environ.get("RASMI_TEST_DATABASE_URL"):
        pytest.skip("the browser tests run once, on SQLite")
    folder = tmp_path_factory.mktemp("web")
    SERVED["database_url"] = f"sqlite:///{folder}/r.db"
    settings = {
        "DATABASE_URL": SERVED["database_url"],
        "TELEGRAM_BOT_USERNAME": "RasmiBot",
        "WEB_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    process, base = start_web(settings)
    try:
        yield base
    finally:
        stop(process)
    SERVED.clear()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="rasmi-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=412,915",  # a phone: the pages are mobile-first
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nScreenshots: {SHOTS}", file=sys.stderr)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def shot(driver: webdriver.Chrome, name: str) -> None:
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(412, min(max(int(height), 915), 4000))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(412, 915)


def test_search_from_the_arabic_home_page(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server + "/ar/")
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    box = browser.find_element(By.NAME, "q")
    box.send_keys("حساب وزارة الصحة")
    box.submit()
    assert "/ar/search" in browser.current_url
    assert "وزارة الصحة" in browser.find_element(By.TAG_NAME, "main").text
    link = browser.find_element(By.CSS_SELECTOR, 'a[href="https://x.com/SaudiMOH"]')
    assert link.is_displayed()
    shot(browser, "ar-search")


@pytest.mark.parametrize(
    ("lang", "direction", "name"),
    [("ar", "rtl", "وزارة الصحة"), ("en", "ltr", "Ministry of Health"), ("fr", "ltr", "Santé")],
)
def test_an_entity_page_in_each_language(
    server: str, browser: webdriver.Chrome, lang: str, direction: str, name: str
) -> None:
    browser.get(f"{server}/{lang}/entities/moh")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == direction
    assert name in browser.find_element(By.TAG_NAME, "h1").text
    body_dir = browser.execute_script("return getComputedStyle(document.body).direction")
    assert body_dir == direction
    assert browser.find_element(By.CSS_SELECTOR, 'a[href^="https://t.me/RasmiBot?start=e_"]')
    shot(browser, f"{lang}-entity-moh")


def test_verify_a_lookalike(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server + "/en/verify")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("https://x.com/SaudiM0H")
    box.submit()
    verdict = browser.find_element(By.CSS_SELECTOR, ".verdict.lookalike")
    assert "looks like" in verdict.text and "@SaudiMOH" in verdict.text
    shot(browser, "en-verify-lookalike")


def test_the_feed_and_the_downloads(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server + "/fr/about")
    for fmt in ("csv", "json", "yaml"):
        link = browser.find_element(By.CSS_SELECTOR, f'a[href="/data/registry.{fmt}"]')
        assert link.get_attribute("download") is not None
        with urllib.request.urlopen(server + f"/data/registry.{fmt}") as response:
            assert b"moh" in response.read()
    shot(browser, "fr-about-downloads")


def test_the_feed_shows_an_import(server: str, browser: webdriver.Chrome, tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, folder)
    edit(folder / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    command = [sys.executable, "-m", "bot.cli", "registry", "import", str(folder)]
    env = {**os.environ, "DATABASE_URL": SERVED["database_url"]}
    subprocess.run([*command, "--allow-removals"], cwd=ROOT, env=env, check=True)
    deadline = time.monotonic() + FLUSH_WAIT
    while "SaudiMOH_new" not in browser.page_source and time.monotonic() < deadline:
        time.sleep(1)
        browser.get(server + "/en/feed.atom")
    source = browser.page_source
    assert "Changes to the registry of official accounts" in source
    assert "Update to the official accounts of" in source and "SaudiMOH_new" in source
    shot(browser, "en-feed")


def test_decision_makers_see_what_the_public_asks(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server + "/en/verify?q=%40SaudiM0H")  # a look-alike, asked about
    browser.get(server + "/en/admin")
    token = browser.find_element(By.ID, "token")
    token.send_keys(ADMIN_TOKEN)
    token.submit()
    deadline = time.monotonic() + FLUSH_WAIT
    while "SaudiM0H" not in browser.page_source and time.monotonic() < deadline:
        time.sleep(1)
        browser.refresh()
    main = browser.find_element(By.TAG_NAME, "main")
    assert "SaudiM0H" in main.text  # in the table of look-alikes people asked about
    assert browser.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    shot(browser, "en-admin")

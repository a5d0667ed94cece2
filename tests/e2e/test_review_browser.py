"""The review pages in a real browser: sign in, queue, pair, confirm, history, jurisdiction.

Runs headless Chromium against the app under uvicorn (see ``conftest.py``).
With ``MATCHER_SCREENSHOT_DIR`` set, the screenshots of the queue and the
pair page (360x800 phone, 1280x900 desktop) are saved there, which is how
``docs/screenshots/`` is made::

    MATCHER_SCREENSHOT_DIR=docs/screenshots .venv/bin/python -m pytest tests/e2e -m browser
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import CHROMEDRIVER, CHROMIUM, Server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason=f"needs Debian's chromium and chromium-driver at {CHROMIUM} and {CHROMEDRIVER} "
        "(apt-get install -y chromium chromium-driver)",
    ),
]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIZES = {"phone": (360, 800), "desktop": (1280, 900)}


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def sign_in(browser: Any, server: Server, key: str) -> None:
    By = _by()
    browser.get(server.url + "/review/queue")
    assert "/review/signin" in browser.current_url  # every page needs sign-in
    browser.find_element(By.ID, "key").send_keys(key)
    button = browser.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]")
    _navigate(browser, button.click, lambda b: b.current_url.endswith("/review/queue"))


def _wait(browser: Any, condition: Any) -> None:
    """Wait for a navigation the page started (a form post, a shortcut) to land.

    Until it lands, the condition may read an element of the page being left,
    which goes stale under it: that is "not yet", not a failure.
    """
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            condition
        )
    except TimeoutException:
        shown = browser.find_element(_by().TAG_NAME, "main").text[:500]
        pytest.fail(f"timed out at {browser.current_url}: {shown}")


def _navigate(browser: Any, act: Any, landed: Any) -> None:
    """Do what starts a navigation (a click, a key), then wait for the new page and ``landed``.

    Reading the page while the browser tears the old document down races it
    ("stale element", "node does not belong to the document"). So first wait
    for the old page's root to go stale and the new one to finish loading;
    only then test ``landed`` on the page that replaced it.
    """
    old_root = browser.find_element(_by().TAG_NAME, "html")
    act()
    _wait(browser, lambda b: _gone(old_root))
    _wait(browser, lambda b: b.execute_script("return document.readyState") == "complete")
    _wait(browser, landed)


def _gone(element: Any) -> bool:
    """Whether ``element``'s document has been replaced.

    Selenium's ``staleness_of`` knows only the "stale element" error; while
    tearing the old document down Chromium may instead answer "Node with
    given id does not belong to the document", which means the same.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise
    return False


def queue_ids(browser: Any) -> list[int]:
    By = _by()
    return [
        int(a.get_attribute("data-pair"))
        for a in browser.find_elements(By.CSS_SELECTOR, "a[data-pair]")
    ]


def _viewport(browser: Any, width: int, height: int) -> None:
    """An exact CSS viewport (a phone is 'mobile': no scrollbars, touch layout)."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def _screenshot(browser: Any, name: str, tmp_path: Path) -> Path:
    target_dir = Path(os.environ.get("MATCHER_SCREENSHOT_DIR") or tmp_path)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / f"{name}.png"
    assert browser.save_screenshot(str(path))
    assert path.read_bytes()[:8] == PNG_MAGIC
    return path


def test_pages_fit_a_phone_and_a_desktop(browser: Any, server: Server, tmp_path: Path) -> None:
    """Queue and pair at 360 and 1280 px: nothing wider than the screen; screenshots taken."""
    sign_in(browser, server, server.keys["mp"])
    # Radha's pair: a rival report for the same child shows "other candidates".
    # (If another test confirmed it already, the queue's first pair does.)
    waiting = queue_ids(browser)
    top = server.items[("F-MP-1", "M-MP-1")]
    top = top if top in waiting else waiting[0]
    for size, (width, height) in SIZES.items():
        _viewport(browser, width, height)
        for page, path in (("queue", "/review/queue"), ("pair", f"/review/pairs/{top}")):
            browser.get(server.url + path)
            scroll_width = browser.execute_script("return document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{page} is {scroll_width}px wide at {width}px"
            _screenshot(browser, f"{page}-{size}", tmp_path)
            if page == "queue":  # the filters, open, fit too
                browser.execute_script("document.querySelector('details.filters').open = true")
                scroll_width = browser.execute_script("return document.documentElement.scrollWidth")
                assert scroll_width <= width, f"open filters are {scroll_width}px at {width}px"
                _screenshot(browser, f"queue-filters-{size}", tmp_path)
        # The whole pair page on a phone, for the guide.
        full_height = browser.execute_script("return document.documentElement.scrollHeight")
        _viewport(browser, width, min(int(full_height), 6000))
        _screenshot(browser, f"pair-{size}-full", tmp_path)
    # The pair page in Hindi on a phone.
    _viewport(browser, *SIZES["phone"])
    browser.get(server.url + f"/review/lang/hi?next=/review/pairs/{top}")
    assert "मिला हुआ बच्चा" in browser.page_source
    _screenshot(browser, "pair-phone-hi", tmp_path)
    browser.get(server.url + "/review/lang/en?next=/review/queue")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_confirm_a_pair_end_to_end(browser: Any, server: Server) -> None:
    By = _by()
    item_id = server.items[("F-MP-1", "M-MP-1")]
    sign_in(browser, server, server.keys["mp"])
    waiting = browser.find_element(By.ID, "waiting").text
    before = queue_ids(browser)
    assert item_id in before and re.search(rf"{len(before)} pairs? waiting", waiting)
    # Karnataka's pair is not in a Madhya Pradesh caseworker's queue.
    assert server.items[("F-KA-1", "M-KA-1")] not in before

    pair_link = browser.find_element(By.CSS_SELECTOR, f'a[data-pair="{item_id}"]')
    _navigate(browser, pair_link.click, lambda b: b.find_elements(By.ID, "item-status"))
    assert browser.current_url.split("?")[0].endswith(f"/review/pairs/{item_id}")
    table = browser.find_element(By.CSS_SELECTOR, "table.pair").text
    assert "Radha Patel" in table and "agrees" in table
    assert browser.find_element(By.ID, "item-status").text == "pending"

    # The keyboard shortcut: "c" confirms (the page is focused, not the note).
    from selenium.webdriver.common.action_chains import ActionChains

    browser.find_element(By.TAG_NAME, "h1").click()
    _navigate(
        browser,
        ActionChains(browser).send_keys("c").perform,
        lambda b: f"decided={item_id}" in b.current_url,
    )
    notice = browser.find_element(By.CSS_SELECTOR, ".notice.good").text
    assert f"Pair {item_id}: confirmed" in notice

    browser.get(server.url + "/review/queue")
    assert item_id not in queue_ids(browser)

    browser.get(server.url + "/review/records/found/F-MP-1")
    history = browser.find_element(By.ID, "record-decisions").text
    assert "confirmed by caseworker-mp" in history
    assert browser.find_element(By.ID, "record-status").text == "reunited"

    browser.get(server.url + f"/review/pairs/{item_id}")
    assert browser.find_element(By.ID, "item-status").text == "confirmed"
    assert browser.find_elements(By.ID, "steps")  # the reunification steps form
    browser.find_element(By.ID, "step-note").send_keys("father called")
    save_step = browser.find_element(By.CSS_SELECTOR, ".step-form button")
    _navigate(browser, save_step.click, lambda b: b.find_elements(By.ID, "steps"))
    assert "father called" in browser.find_element(By.ID, "steps").text


def test_another_district_sees_nothing_of_it(browser: Any, server: Server) -> None:
    By = _by()
    item_id = server.items[("F-MP-1", "M-MP-1")]
    sign_in(browser, server, server.keys["ka"])
    ids = queue_ids(browser)
    assert item_id not in ids and server.items[("F-KA-1", "M-KA-1")] in ids
    assert "F-MP-1" not in browser.page_source
    browser.get(server.url + f"/review/pairs/{item_id}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
    assert "Radha" not in browser.page_source
    browser.get(server.url + "/review/records/found/F-MP-1")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"


def test_sign_out_and_hindi(browser: Any, server: Server) -> None:
    By = _by()
    sign_in(browser, server, server.keys["ka"])
    hindi = browser.find_element(By.LINK_TEXT, "हिन्दी")
    _navigate(browser, hindi.click, lambda b: b.find_elements(By.TAG_NAME, "h1"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("कतार")
    sign_out = browser.find_element(By.CSS_SELECTOR, "form.signout button")
    _navigate(browser, sign_out.click, lambda b: "/review/signin" in b.current_url)
    browser.get(server.url + "/review/queue")
    assert "/review/signin" in browser.current_url

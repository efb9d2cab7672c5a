"""The feedback page filled in and sent by a real browser: Debian's headless Chromium driven by
Selenium, against uvicorn on loopback and PostgreSQL, in Chinese and in English."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from server.feedback.i18n import Lang, t
from server.feedback.models import Feedback, Ticket
from tests.server_feedback.conftest import LiveServer, enrol

pytestmark = pytest.mark.postgres

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are missing: apt-get install chromium chromium-driver")
        pytest.skip("chromium and chromium-driver are not installed")
    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=412,1000",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(15)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        (
            "zh",
            {
                "stars": "2",
                "nps": "3",
                "category": "checkout_speed",
                "comment": "排队太久了，只开了一个收银台",
            },
        ),
        (
            "en",
            {"stars": "5", "nps": "9", "category": "cleanliness", "comment": "Spotless aisles, thank you!"},
        ),
    ],
)
def test_fill_in_and_send_the_form(
    browser: WebDriver, live_server: LiveServer, tmp_path: Path, lang: Lang, answer: dict[str, str]
) -> None:
    driver = browser
    term = enrol(live_server.sessions)
    token, sale_id, receipt_no = term.receipt()
    # The chosen language arrives as ?lang= (Chromium's own Accept-Language is the machine's).
    driver.get(f"{live_server.url}/f/{token}?lang={lang}")
    find = driver.find_element
    assert find(By.TAG_NAME, "h1").text == t(lang, "title")
    assert find(By.TAG_NAME, "html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    assert receipt_no in find(By.TAG_NAME, "body").text
    # Click the labels, as a thumb would (the radios themselves are visually hidden).
    for name in ("stars", "nps", "category"):
        find(By.CSS_SELECTOR, f'label[for="{name}-{answer[name]}"]').click()
        assert find(By.ID, f"{name}-{answer[name]}").is_selected()
    find(By.ID, "comment").send_keys(answer["comment"])
    driver.save_screenshot(str(tmp_path / f"feedback-form-{lang}.png"))
    find(By.ID, "submit").click()
    WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.ID, "thanks")))
    assert t(lang, "thanks_title") in find(By.TAG_NAME, "h1").text
    driver.save_screenshot(str(tmp_path / f"feedback-thanks-{lang}.png"))
    assert (tmp_path / f"feedback-form-{lang}.png").stat().st_size > 1000

    with live_server.sessions() as s:
        fb = s.execute(select(Feedback).where(Feedback.sale_id == sale_id)).scalar_one()
        assert (fb.stars, fb.nps, fb.category, fb.comment, fb.lang) == (
            int(answer["stars"]),
            int(answer["nps"]),
            answer["category"],
            answer["comment"],
            lang,
        )
        ticket = s.execute(select(Ticket).where(Ticket.feedback_id == fb.id)).scalar_one_or_none()
        assert (ticket is not None) == (lang == "zh")  # 2 stars / NPS 3 opens one; 5 / 9 does not
        if ticket is not None:
            assert (ticket.severity, ticket.team) == ("urgent", "front_end")

    # Reloading the page now says the receipt has been answered.
    driver.get(f"{live_server.url}/f/{token}?lang={lang}")
    assert find(By.ID, "already")


def test_forged_token_in_the_browser(browser: WebDriver, live_server: LiveServer, tmp_path: Path) -> None:
    term = enrol(live_server.sessions)
    token, _, _ = term.receipt()
    body, sig = token.rsplit(".", 1)
    forged = body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    driver = browser
    driver.get(f"{live_server.url}/f/{forged}?lang=en")
    assert driver.find_element(By.TAG_NAME, "h1").text == t("en", "refused_title")
    driver.save_screenshot(str(tmp_path / "feedback-refused.png"))

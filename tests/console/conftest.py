"""Console tests: a real `till-server serve` process on PostgreSQL (a fresh database with the
demo chain, smaller than the command's default) and Debian's Chromium driven headless by
Playwright (its own browser download is never used)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from server.console import demo
from server.db import Database
from server.migrate import upgrade
from server.settings import ServerSettings
from tests.server.conftest import create_database, drop_database, require_postgres
from tests.server.support import ServerProcess

pytestmark = pytest.mark.postgres

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "server" / "console" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = demo.DEMO_PASSWORD


class Console:
    """The server process and a way into its database."""

    def __init__(self, proc: ServerProcess) -> None:
        self.proc = proc
        self.db = Database(ServerSettings(database_url=proc.database_url))

    @property
    def url(self) -> str:
        return self.proc.url + "/console"

    def session(self) -> Session:
        return self.db.sessions()


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    admin = require_postgres()
    url = create_database(admin, prefix="lt_console_")
    try:
        settings = ServerSettings(database_url=url)
        upgrade(settings)
        db = Database(settings)
        with db.sessions() as s:
            demo.seed(s, members=160, days=45, per_day=6)
            s.commit()
            demo.recompute_intel(s)
        db.dispose()
        proc = ServerProcess(url, tmp_path_factory.mktemp("console")).start(timeout=90)
        c = Console(proc)
        try:
            yield c
        finally:
            c.db.dispose()
            proc.stop()
    finally:
        drop_database(admin, url)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: apt-get install chromium")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_context(chromium: Any) -> Iterator[Any]:
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(browser_context: Any) -> Any:
    return browser_context.new_page()


def sign_in(page: Any, console: Console, username: str, password: str = PASSWORD) -> None:
    page.goto(console.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    submit(page, "#sign-in")


def submit(page: Any, selector: str) -> None:
    """Click a form's button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.click(selector)

"""End to end: a program change made in the console reaches a till and changes what it earns.

A real `till-server` on PostgreSQL (a database of its own: a program applies to every store,
so no other test may share it), an HQ admin in headless Chromium, and a real till (SQLite home)
enrolled at S001 and syncing over HTTP. The admin raises the points per yuan from 1 to 3 in
the editor, sees the change on the confirm step and publishes it; the version's row says the
till has not received it; the till's next sync pulls it, a sale earns three times the points
(and names the version, which the server agrees with), and the version's row then lists the
till as received, the demo's other tills as not yet with their last seen. Screenshots of the
versions page, the editor with a fault and the confirm step in both languages go to
``$LT_CONSOLE_SCREENSHOTS`` when set (docs/screenshots/console is made that way)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.config import DEFAULT_CONFIG_TEXT
from app.domain.clock import DEFAULT_TZ
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.context import TillContext, open_till
from app.services.staff import add_staff
from app.store import orm
from server import models as srv
from server.console import demo
from server.console.i18n import t
from server.console.models import ConsoleAudit
from server.db import Database
from server.migrate import upgrade
from server.settings import ServerSettings
from sync.enrol import enrol
from sync.worker import SyncWorker
from tests.conftest import FAST_HASHER, FrozenClock
from tests.console.conftest import Console, sign_in, submit
from tests.server.conftest import create_database, drop_database, require_postgres
from tests.server.support import ServerProcess, enrol_code
from tests.sync.conftest import FAST, RICE, register, sell

pytestmark = pytest.mark.postgres

TILL = "S001-T09"


@pytest.fixture(scope="module")
def hq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    admin = require_postgres()
    url = create_database(admin, prefix="lt_console_program_")
    try:
        settings = ServerSettings(database_url=url)
        upgrade(settings)
        db = Database(settings)
        with db.sessions() as s:
            demo.seed(s, members=30, days=7, per_day=2)
            s.commit()
        db.dispose()
        proc = ServerProcess(url, tmp_path_factory.mktemp("console-program")).start(timeout=90)
        c = Console(proc)
        try:
            yield c
        finally:
            c.db.dispose()
            proc.stop()
    finally:
        drop_database(admin, url)


@pytest.fixture
def till(tmp_path: Path, hq: Console) -> Iterator[TillContext]:
    home = tmp_path / "till"
    home.mkdir()
    (home / "till.toml").write_text(
        DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', f'terminal_id = "{TILL}"')
    )
    ctx = open_till(home, clock=FrozenClock(datetime.now(UTC)), hasher=FAST_HASHER)
    with ctx.uow() as uow:
        uow.session.add(
            orm.Product(
                id=new_id(),
                sku=RICE,
                name_zh="大米",
                name_en="Rice",
                category="grain",
                unit_price=4990,
                member_price=4590,
                active=True,
            )
        )
        uow.commit()
    enrol(ctx, hq.proc.url, enrol_code(hq.proc.database_url, "S001", TILL))
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = os.environ.get("LT_CONSOLE_SCREENSHOTS")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def _minute(at: datetime) -> str:
    """The `datetime-local` value of `at`'s minute in the chain's zone."""
    return at.astimezone(DEFAULT_TZ).replace(tzinfo=None).isoformat(timespec="minutes")


def _reach_row(page: Any, version: int) -> dict[str, str]:
    """The version's tills as the page lists them: till id → its state's text."""
    page.goto(page.url.split("?")[0])
    row = page.locator(f"#v-{version}")
    row.locator("summary").click()
    return {
        str(tr.get_attribute("data-till")): tr.locator("td").nth(2).inner_text().strip()
        for tr in row.locator("tr[data-till]").all()
    }


def test_a_program_change_made_in_the_console_reaches_the_till_and_changes_what_it_earns(
    till: TillContext, hq: Console, page: Any, shots: Path
) -> None:
    clock: FrozenClock = till.clock  # type: ignore[assignment]
    worker = SyncWorker(till, FAST)
    staff = {"cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234")}
    member = register(till, staff, "139 5555 0101").member.id
    first = worker.run_once()
    assert first.ok, first.describe()
    assert sell(till, staff, lines=((RICE, 1),), member_id=member).points_earned == 45  # ¥45.90 × 1

    sign_in(page, hq, "admin")
    page.goto(hq.url + "/program")
    assert t("zh_CN", "program_defaults") in page.locator("#in-force h2").inner_text()
    assert page.locator("#sum-earn").inner_text() == t("zh_CN", "earn_rate", n=1)
    page.click("#new-version")
    assert page.input_value("#f-earn_points_per_yuan") == "1"
    assert page.input_value("#f-tiers-2-threshold_fen") == "10000"  # gold at ¥10,000, in yuan

    # A fault first: named next to its field, what was typed kept.
    page.fill("#f-earn_points_per_yuan", "3")
    page.fill("#f-redemption-max_share", "1.5")
    start = datetime.now(UTC)
    page.fill("#f-effective_from", _minute(start))
    submit(page, "#check-program")
    assert "between 0 and 1" in page.locator("#f-redemption-max_share-err").inner_text()
    assert page.locator("#f-redemption-max_share").get_attribute("aria-invalid") == "true"
    assert page.input_value("#f-earn_points_per_yuan") == "3"
    page.screenshot(path=str(shots / "program-new-fault-zh_CN.png"), full_page=True)

    # Corrected: the confirm step shows the one change against the version in force.
    page.fill("#f-redemption-max_share", "0.5")
    page.fill("#f-note", "三倍积分")
    submit(page, "#check-program")
    rows = {
        str(tr.get_attribute("data-path")): (
            tr.locator(".before").inner_text(),
            tr.locator(".after").inner_text(),
        )
        for tr in page.locator("#diff tbody tr").all()
    }
    assert rows == {"note": ("", "三倍积分"), "earn_points_per_yuan": ("1", "3")}
    page.screenshot(path=str(shots / "program-confirm-zh_CN.png"), full_page=True)
    submit(page, "#publish")
    assert t("zh_CN", "program_published_flash", v=1) in page.locator("#published").inner_text()
    assert page.locator("#v-1 .badge").inner_text() == t("zh_CN", "pstate_in_force")
    assert page.locator("#sum-earn").inner_text() == t("zh_CN", "earn_rate", n=3)
    with hq.session() as s:
        pv = s.get(srv.ProgramVersion, 1)
        assert pv is not None and pv.published_by == "admin" and pv.body["earn_points_per_yuan"] == 3
        assert s.execute(select(ConsoleAudit).where(ConsoleAudit.action == "program_published")).scalar_one()
    before = _reach_row(page, 1)
    assert before[TILL] == t("zh_CN", "reach_waiting")

    # The till's next round pulls the version; from its start a sale earns three times.
    assert till.program_at(clock.at).version == 0
    second = worker.run_once()
    assert second.ok, second.describe()
    clock.at = max(clock.at, start) + timedelta(minutes=2)
    assert till.program_at(clock.at).version == 1
    tripled = sell(till, staff, lines=((RICE, 1),), member_id=member)
    assert tripled.points_earned == 137  # ¥45.90 × 3
    third = worker.run_once()  # pushes the sale; its pull confirms the version is applied
    assert third.ok, third.describe()
    with hq.session() as s:
        sale = s.get_one(srv.Sale, tripled.sale_id)
        earned = s.execute(
            select(srv.LedgerEntry.points).where(
                srv.LedgerEntry.member_id == member, srv.LedgerEntry.kind == "earn"
            )
        ).scalars()
        assert sale.program_version == 1 and sorted(earned) == [45, 137]

    after = _reach_row(page, 1)
    assert after[TILL].endswith(t("zh_CN", "reach_received"))
    others = {k: v for k, v in after.items() if k != TILL}
    assert others and set(others.values()) == {t("zh_CN", "reach_waiting")}  # the demo's tills never pulled
    assert page.locator("#v-1 .reach-n").inner_text() == t("zh_CN", "reach_n", n=1, m=len(after))
    page.screenshot(path=str(shots / "program-versions-zh_CN.png"), full_page=True)

    # The same screens in English.
    page.goto(hq.url + "/lang/en?back=/console/program")
    _reach_row(page, 1)
    page.screenshot(path=str(shots / "program-versions-en.png"), full_page=True)
    page.goto(hq.url + "/program/new")
    page.fill("#f-birthday_multiplier", "2")
    page.fill("#f-welcome_coupon-amount_fen", "12.5x")
    page.fill("#f-effective_from", _minute(datetime.now(UTC) + timedelta(days=7)))
    submit(page, "#check-program")
    assert page.locator("#f-welcome_coupon-amount_fen-err").inner_text() == t("en", "err_yuan")
    page.screenshot(path=str(shots / "program-new-fault-en.png"), full_page=True)
    page.fill("#f-welcome_coupon-amount_fen", "12.5")
    submit(page, "#check-program")
    assert page.locator("#diff tr[data-path='birthday_multiplier'] .after").inner_text() == "2"
    assert page.locator("#diff tr[data-path='welcome_coupon.amount_fen'] .after").inner_text() == "¥12.50"
    page.screenshot(path=str(shots / "program-confirm-en.png"), full_page=True)

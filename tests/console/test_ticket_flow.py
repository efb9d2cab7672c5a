"""End to end: a real till (SQLite home) sells to a member; the customer gives the receipt two
stars on the feedback page in Chromium; the ticket that opens is assigned, followed up and
closed with points and a coupon in the console by the store's manager; the till's next sync
pulls both, and the member has them at the till."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.config import DEFAULT_CONFIG_TEXT
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.context import TillContext, open_till
from app.services.staff import add_staff
from app.store import orm
from server.console.i18n import t
from server.feedback.models import Feedback, Ticket
from sync.enrol import enrol
from sync.worker import SyncWorker
from tests.conftest import FAST_HASHER, FrozenClock
from tests.console.conftest import Console, sign_in, submit
from tests.server.support import enrol_code
from tests.sync.conftest import FAST, RICE, register, sell

pytestmark = pytest.mark.postgres


@pytest.fixture
def till(tmp_path: Path, console: Console) -> Iterator[TillContext]:
    home = tmp_path / "till"
    home.mkdir()
    (home / "till.toml").write_text(
        DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', 'terminal_id = "S001-T09"')
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
    enrol(ctx, console.proc.url, enrol_code(console.proc.database_url, "S001", "S001-T09"))
    try:
        yield ctx
    finally:
        ctx.close()


def _till_rows(
    till: TillContext, member_id: Any
) -> tuple[dict[Any, tuple[Any, ...]], dict[Any, tuple[Any, ...]]]:
    """The member's ledger entries (kind, points) and coupons (kind, amount, threshold, status)."""
    with till.uow(write=False) as uow:
        entries = {
            e.id: (e.kind, e.points)
            for e in uow.session.execute(
                select(orm.LedgerEntry).where(orm.LedgerEntry.member_id == member_id)
            ).scalars()
        }
        coupons = {
            c.id: (c.kind, c.amount, c.threshold, c.status)
            for c in uow.session.execute(
                select(orm.Coupon).where(orm.Coupon.member_id == member_id)
            ).scalars()
        }
        return entries, coupons


def test_low_score_feedback_to_a_compensation_the_till_pulls(
    till: TillContext, console: Console, page: Any, tmp_path: Path
) -> None:
    worker = SyncWorker(till, FAST)
    staff = {"cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234")}
    member = register(till, staff, "139 1234 5678").member.id
    done = sell(till, staff, lines=((RICE, 2),), member_id=member)
    first = worker.run_once()
    assert first.ok, first.describe()

    # The customer scans the receipt's QR and answers on the server's feedback page.
    token = done.feedback_url.rsplit("/", 1)[1]
    page.goto(f"{console.proc.url}/f/{token}?lang=zh")
    page.click('label[for="stars-2"]')
    page.click('label[for="nps-3"]')
    page.click('label[for="category-checkout_speed"]')
    page.fill("#comment", "排队太久了")
    page.click("#submit")
    page.wait_for_selector("#thanks")
    with console.session() as s:
        fb = s.execute(select(Feedback).where(Feedback.sale_id == done.sale_id)).scalar_one()
        ticket = s.execute(select(Ticket).where(Ticket.feedback_id == fb.id)).scalar_one()
    assert ticket.status == "open" and ticket.store_id == "S001"

    # The store's manager finds it in the queue, with its countdown, and works it.
    sign_in(page, console, "store1")
    page.goto(console.url + "/tickets")
    row = page.locator(f'a[href="/console/tickets/{ticket.id}"]')
    assert row.count() == 1
    page.wait_for_function("document.querySelector('.countdown').textContent.includes(':')")
    row.click()
    page.select_option("#assignee-sel", "store1")
    submit(page, "#assign-btn")
    assert page.locator("#assignee").inner_text() == "store1"
    page.fill("#note-text", "收银台排班需调整")
    submit(page, "#note-btn")
    page.select_option("#outcome", "satisfied")
    page.fill("#follow-note", "已致电致歉，顾客接受")
    submit(page, "#follow-btn")
    history = page.locator("#history").inner_text()
    assert t("zh_CN", "out_satisfied") in history and "已致电致歉" in history
    page.select_option("#close-reason", "compensated")
    page.fill("#comp-points", "300")
    page.fill("#comp-coupon", "10")
    page.fill("#comp-threshold", "50")
    page.fill("#resolution", "增开收银台")
    submit(page, "#close-btn")
    assert t("zh_CN", "st_closed") in page.locator("h1").inner_text()
    comp_text = page.locator("#compensation").inner_text()
    assert "300" in comp_text and "¥10.00" in comp_text
    page.screenshot(path=str(tmp_path / "ticket-closed.png"), full_page=True)

    with console.session() as s:
        closed = s.get(Ticket, ticket.id)
        assert closed is not None and closed.status == "closed"
        actions = [e.action for e in closed.history]
    assert actions[-5:] == ["assigned", "note", "follow_up", "compensated", "closed"]

    # The till's next round pulls the points and the coupon for the member.
    before_entries, before_coupons = _till_rows(till, member)
    second = worker.run_once()
    assert second.ok, second.describe()
    entries, coupons = _till_rows(till, member)
    assert [v for k, v in entries.items() if k not in before_entries] == [("compensate", 300)]
    assert [v for k, v in coupons.items() if k not in before_coupons] == [
        ("amount_off", 1000, 5000, "issued")
    ]

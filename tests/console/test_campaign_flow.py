"""End to end: a segment's size is counted live as its rule is typed; a campaign made in the
console's form is run, a real till (SQLite home) pulls the member's coupon on its next sync
and redeems it, the campaign's results page counts the redemption, and a paused campaign
issues nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.config import DEFAULT_CONFIG_TEXT
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.context import TillContext, open_till
from app.services.staff import add_staff
from app.store import orm
from server.console.i18n import t
from server.intel.models import IntelCampaign, IntelCampaignIssue
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
        DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', 'terminal_id = "S001-T08"')
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
    enrol(ctx, console.proc.url, enrol_code(console.proc.database_url, "S001", "S001-T08"))
    try:
        yield ctx
    finally:
        ctx.close()


def _live_size(page: Any, rule: str) -> str:
    """Type a rule; the size fragment the server answers, once htmx has put it on the page."""
    with page.expect_response(lambda r: "/segments/size" in r.url) as answer:
        page.fill("#seg-rule", rule)
    page.wait_for_function(
        "html => document.querySelector('#seg-size').innerHTML.trim() === html",
        arg=answer.value.text().strip(),
    )
    return str(page.locator("#seg-size").inner_text())


def test_the_segment_size_follows_the_rule_as_it_is_typed(page: Any, console: Console) -> None:
    with console.session() as s:
        everyone = s.execute(text("SELECT count(*) FROM intel_scores")).scalar_one()
        active = s.execute(text("SELECT count(*) FROM intel_scores WHERE lifecycle = 'active'")).scalar_one()
    assert 0 < active < everyone
    sign_in(page, console, "marketing")
    page.goto(console.url + "/campaigns")
    assert _live_size(page, "{}") == t("zh_CN", "size_live", n=everyone)
    assert _live_size(page, '{"lifecycle": ["active"]}') == t("zh_CN", "size_live", n=active)
    assert _live_size(page, '{"lifecycle": ["active"], "tiers": ["black"]}') == t("zh_CN", "size_live", n=0)
    assert page.locator("#seg-size .error").count() == 0
    _live_size(page, '{"r_min": 9}')
    assert page.locator("#seg-size .error").count() == 1
    _live_size(page, '{"lifecycle": ')
    assert "JSON" in page.locator("#seg-size .error").inner_text()


def _till_coupons(till: TillContext, member_id: Any) -> list[tuple[Any, ...]]:
    with till.uow(write=False) as uow:
        return [
            (c.code, c.kind, c.amount, c.threshold, c.status)
            for c in uow.session.execute(
                select(orm.Coupon).where(orm.Coupon.member_id == member_id)
            ).scalars()
        ]


def test_a_campaign_made_in_the_console_reaches_the_till_and_counts_its_redemption(
    till: TillContext, console: Console, page: Any, tmp_path: Path
) -> None:
    worker = SyncWorker(till, FAST)
    staff = {"cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234")}
    member = register(till, staff, "139 8765 4321").member.id
    first = worker.run_once()
    assert first.ok, first.describe()
    before = _till_coupons(till, member)  # the till's own welcome coupon, if the program gives one

    sign_in(page, console, "marketing")
    page.goto(console.url + "/campaigns")
    page.click("#new-campaign")
    page.wait_for_selector("#c-size #live-size-n")  # the picked segment's size, fetched on load
    page.fill("#c-id", "WELCOME8")
    page.fill("#c-name", "新会员 8 元券")
    page.select_option("#c-kind", "welcome")
    page.fill("#c-amount", "8")
    page.fill("#c-threshold", "30")
    page.fill("#c-valid", "10")
    page.fill("#c-budget", "500")
    page.fill("#c-control", "0")
    submit(page, "#save-campaign")
    assert page.url.endswith("/campaigns/WELCOME8")
    assert page.locator("#state").inner_text() == t("zh_CN", "running")
    assert page.locator("#r-issued").inner_text() == "0"
    with console.session() as s:
        c = s.get(IntelCampaign, "WELCOME8")
        assert c is not None and c.kind == "welcome" and c.budget == 500
        assert c.coupon["amount"] == 800 and c.coupon["threshold"] == 3000 and c.coupon["valid_days"] == 10

    page.goto(console.url + "/campaigns")
    submit(page, "#run-campaigns")
    page.goto(console.url + "/campaigns/WELCOME8")
    issued = int(page.locator("#r-issued").inner_text())
    assert issued >= 1

    # The till's next round pulls the member's coupon; the member spends it.
    second = worker.run_once()
    assert second.ok, second.describe()
    coupons = [c for c in _till_coupons(till, member) if c not in before]
    assert [c[1:] for c in coupons] == [("amount_off", 800, 3000, "issued")]
    till.clock.advance(minutes=5)  # type: ignore[attr-defined]  # past the coupon's issue on the server
    sold = sell(till, staff, lines=((RICE, 2),), member_id=member, coupons=(coupons[0][0],))
    assert sold.total_due == 2 * 4590 - 800
    third = worker.run_once()
    assert third.ok, third.describe()
    page.reload()
    assert page.locator("#r-redeemed").inner_text().startswith("1")
    assert page.locator("#r-revenue").inner_text() == "¥83.80"  # 2 x 45.90 less the 8 yuan
    page.screenshot(path=str(tmp_path / "campaign.png"), full_page=True)

    # Paused, the campaign issues nothing more, even to a member who newly qualifies.
    submit(page, "#toggle")
    assert page.locator("#state").inner_text() == t("zh_CN", "paused")
    register(till, staff, "139 8765 4322")
    assert worker.run_once().ok
    page.goto(console.url + "/campaigns")
    submit(page, "#run-campaigns")
    with console.session() as s:
        n = len(
            s.execute(select(IntelCampaignIssue).where(IntelCampaignIssue.campaign_id == "WELCOME8")).all()
        )
    assert n == issued


def test_a_bearer_batch_is_issued_printed_and_learnt_by_the_store_s_till(
    till: TillContext, console: Console, page: Any
) -> None:
    worker = SyncWorker(till, FAST)
    assert worker.run_once().ok
    sign_in(page, console, "marketing")
    page.goto(console.url + "/campaigns")
    page.click("#batches-link")
    page.fill("#b-id", "FLYER-S001")
    page.fill("#b-name", "开业传单券")
    page.fill("#b-count", "3")
    page.select_option("#b-store", "S001")
    page.fill("#b-amount", "5")
    page.fill("#b-threshold", "20")
    submit(page, "#issue-batch")
    assert page.url.endswith("/campaigns/batches/FLYER-S001")
    codes = [x.strip() for x in page.locator("#codes code").all_inner_texts()]
    assert len(codes) == 3 and len(set(codes)) == 3
    assert page.locator("#codes .qr svg").count() == 3
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible() and not page.locator("#print").is_visible()
    page.emulate_media(media="screen")
    page.goto(console.url + "/campaigns/batches")
    assert "FLYER-S001" in page.locator("#batches").inner_text()

    # A second batch with the same id is refused, the first one's codes stay as they were.
    page.fill("#b-id", "FLYER-S001")
    page.fill("#b-name", "again")
    page.fill("#b-count", "2")
    page.fill("#b-amount", "5")
    submit(page, "#issue-batch")
    assert "FLYER-S001" in page.locator(".error").inner_text()

    assert worker.run_once().ok
    with till.uow(write=False) as uow:
        learnt = {
            c.code: (c.kind, c.amount, c.threshold, c.member_id, c.status)
            for c in uow.session.execute(select(orm.Coupon).where(orm.Coupon.code.in_(codes))).scalars()
        }
    assert learnt == {code: ("amount_off", 500, 2000, None, "issued") for code in codes}

"""The offline rules, enforced: while the sync worker cannot reach the server, the use cases
hold redemption to the offline cap and refuse what the till's `[offline]` rules switch off.
The server is a real HTTP stand-in on loopback, stopped to take the till offline."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from app.domain.ids import new_id
from app.domain.program import LoyaltyProgram, OfflineDefaults
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale, quote_cart
from app.services.context import TillContext
from app.services.errors import Refused
from app.services.members import RegisterMember, register_member
from app.services.points import AdjustPoints, adjust_points
from app.services.refunds import RefundSale, refund_sale
from app.settings_file import read_offline_overrides
from app.store import orm
from sync.apply import apply_page
from sync.offline import offline_redeem_cap
from sync.protocol import Change
from sync.worker import SyncWorker
from tests.sync.conftest import WINE, coupon_data, ledger_data, member_data, sell
from tests.sync.standin import StandIn


def cached_member(till: TillContext, points: int) -> uuid.UUID:
    """A member the till holds from a pull, with `points` the server confirmed."""
    m = member_data()
    mid = uuid.UUID(m["id"])
    apply_page(
        till,
        [
            Change(seq=1, entity="member", op="upsert", key=m["id"], data=m),
            Change(seq=2, entity="ledger_entry", op="upsert", key="e", data=ledger_data(mid, points)),
        ],
        2,
    )
    return mid


def online(till: TillContext, worker: SyncWorker) -> None:
    till.connection.attach(worker)
    report = worker.run_once()
    assert report.ok and worker.reachable() and not till.offline(), report.describe()


def offline(till: TillContext, worker: SyncWorker, server: StandIn) -> None:
    till.connection.attach(worker)
    server.stop()
    report = worker.run_once()
    assert not report.ok and not worker.reachable() and till.offline()


def wine(member: uuid.UUID | None, redeem: int = 0, coupons: tuple[str, ...] = ()) -> Cart:
    return Cart(
        lines=(CartLine(WINE, 1),),
        member_id=member,
        redeem_points=redeem,  # type: ignore[arg-type]
        coupon_codes=coupons,
    )


def sales(till: TillContext) -> int:
    with till.uow(write=False) as uow:
        return uow.session.execute(select(func.count()).select_from(orm.Sale)).scalar_one()


def test_a_till_with_no_server_has_no_offline_limits(till: TillContext, staff: Any, products: Any) -> None:
    mid = cached_member(till, 1000)
    assert till.link is None and not till.offline()
    priced = quote_cart(till, wine(mid, 1000))
    assert priced.redeem_cap is None and priced.quote.points_redeemed == 1000


def test_offline_redemption_is_capped_at_the_confirmed_balance_minus_what_this_till_redeemed(
    enrolled: TillContext, server: StandIn, worker: SyncWorker, staff: Any, products: Any
) -> None:
    mid = cached_member(enrolled, 1000)
    online(enrolled, worker)
    priced = quote_cart(enrolled, wine(mid, 1000))
    assert priced.redeem_cap is None and priced.quote.points_redeemed == 1000

    offline(enrolled, worker, server)
    priced = quote_cart(enrolled, wine(mid))
    assert priced.redeem_cap is not None and priced.redeem_cap.cap == 1000
    first = sell(enrolled, staff, lines=((WINE, 1),), member_id=mid, redeem_points=300)
    assert first.points_redeemed == 300 and first.points_earned > 0
    # Points just earned offline are not redeemable yet; the 300 redeemed here count.
    priced = quote_cart(enrolled, wine(mid, 800))
    assert priced.redeem_cap is not None
    assert (
        priced.redeem_cap.last_known_balance,
        priced.redeem_cap.redeemed_since,
        priced.redeem_cap.cap,
    ) == (1000, 300, 700)
    assert priced.quote.points_redeemed == 0 and priced.quote.points_rejected == "insufficient_points"
    before = sales(enrolled)
    with pytest.raises(Refused) as refused:
        sell(enrolled, staff, lines=((WINE, 1),), member_id=mid, redeem_points=800)
    assert refused.value.code == "offline_points_cap" and "at most 700 points" in refused.value.message
    assert sales(enrolled) == before  # refused whole: nothing half-stored
    assert sell(enrolled, staff, lines=((WINE, 1),), member_id=mid, redeem_points=700).points_redeemed == 700

    server.start()  # back: the sales go up and the cap is lifted
    online(enrolled, worker)
    assert quote_cart(enrolled, wine(mid)).redeem_cap is None
    assert len(server.state.of_type("sale.completed")) == 2


def test_what_the_offline_rules_switch_off_is_refused_offline_and_allowed_online(
    enrolled: TillContext, server: StandIn, worker: SyncWorker, staff: Any, products: Any
) -> None:
    (enrolled.home / "sync.toml").write_text(
        "[offline]\nsales = false\nregister_members = false\nrefunds = false\npoints_adjustments = false\n"
    )
    enrolled = replace(enrolled, offline_overrides=read_offline_overrides(enrolled.home))
    mid = cached_member(enrolled, 1000)
    online(enrolled, worker)
    cmd = CompleteSale(
        sale_id=new_id(),
        cashier_id=staff["cashier"].id,
        cart=wine(mid),  # type: ignore[arg-type]
        tenders=(Tender("cash", 1_000_000),),
    )
    done = complete_sale(enrolled, cmd)

    offline(enrolled, worker, server)
    # A sale the till already holds is still answered (a retry after a crash loses nothing).
    again = complete_sale(enrolled, cmd)
    assert again.duplicate and again.receipt_no == done.receipt_no
    before = sales(enrolled)
    with pytest.raises(Refused) as refused:
        sell(enrolled, staff, lines=((WINE, 1),), member_id=mid)
    assert refused.value.code == "offline_sales" and "server cannot be reached" in refused.value.message
    assert sales(enrolled) == before
    with pytest.raises(Refused) as refused:
        register_member(
            enrolled, RegisterMember(phone="138 0013 8111", consent_given=True, staff_id=staff["cashier"].id)
        )
    assert refused.value.code == "offline_register"
    with pytest.raises(Refused) as refused:
        refund_sale(
            enrolled,
            RefundSale(
                refund_id=new_id(),
                sale_ref=done.receipt_no,  # type: ignore[arg-type]
                lines={1: 1},
                cashier_id=staff["cashier"].id,
                approver_id=staff["supervisor"].id,
                approver_pin="5678",
            ),
        )
    assert refused.value.code == "offline_refunds"
    with pytest.raises(Refused) as refused:
        adjust_points(
            enrolled,
            AdjustPoints(
                member_id=mid,
                points=50,
                note="goodwill",  # type: ignore[arg-type]
                staff_id=staff["cashier"].id,
                approver_id=staff["supervisor"].id,
                approver_pin="5678",
            ),
        )
    assert refused.value.code == "offline_adjustments"

    server.start()
    online(enrolled, worker)
    assert sell(enrolled, staff, lines=((WINE, 1),), member_id=mid).receipt_no != done.receipt_no


def test_offline_with_earning_redemption_and_coupons_switched_off(
    enrolled: TillContext, server: StandIn, worker: SyncWorker, staff: Any, products: Any
) -> None:
    (enrolled.home / "sync.toml").write_text(
        "[offline]\nearn_points = false\nredeem_points_cached = false\ncoupons_held_here = false\n"
    )
    enrolled = replace(enrolled, offline_overrides=read_offline_overrides(enrolled.home))
    mid = cached_member(enrolled, 1000)
    apply_page(
        enrolled, [Change(seq=3, entity="coupon", op="upsert", key="c", data=coupon_data("CSTORE0001"))], 3
    )
    online(enrolled, worker)
    priced = quote_cart(enrolled, wine(mid, 100, ("CSTORE0001",)))
    assert priced.quote.points_earned > 0 and priced.quote.points_redeemed == 100
    assert priced.refused_coupons == () and not priced.no_points_offline

    offline(enrolled, worker, server)
    priced = quote_cart(enrolled, wine(mid, 0, ("CSTORE0001",)))
    assert priced.no_points_offline and priced.quote.points_earned == 0
    assert all(line.points_earned == 0 for line in priced.quote.lines)
    assert priced.refused_coupons == (("CSTORE0001", "offline"),)
    assert priced.redeem_cap is not None and not priced.redeem_cap.allowed
    with pytest.raises(Refused) as refused:
        sell(enrolled, staff, lines=((WINE, 1),), member_id=mid, redeem_points=100)
    assert refused.value.code == "offline_redeem"
    done = sell(enrolled, staff, lines=((WINE, 1),), member_id=mid)  # a sale is still allowed
    assert done.points_earned == 0


def test_the_offline_cap_reads_a_members_unsent_events_through_their_index(
    till: TillContext, staff: Any, products: Any
) -> None:
    """The cap runs on every quote while offline: it must not read every unsent event, whose
    number grows all through an outage (bench/bench_checkout.py --offline)."""
    mid = cached_member(till, 1000)
    for _ in range(3):
        sell(till, staff, lines=((WINE, 1),), member_id=mid, redeem_points=100)
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "json_extract" in statement:
            seen.append((statement, parameters))

    event.listen(till.db.engine, "before_cursor_execute", grab)
    try:
        cap = offline_redeem_cap(till, mid)  # type: ignore[arg-type]
    finally:
        event.remove(till.db.engine, "before_cursor_execute", grab)
    assert cap.redeemed_since == 300
    [(sql, params)] = seen
    with till.db.engine.connect() as conn:
        plan = [str(row) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert any("ix_outbox_unsent_member" in row for row in plan), plan


def test_a_program_pulled_from_hq_changes_the_offline_rules_at_once_under_the_tills_own(
    enrolled: TillContext, server: StandIn, worker: SyncWorker, staff: Any, products: Any
) -> None:
    """The rules are the program in force with `sync.toml` over it, read at each use: a new
    program reaches a running till's checks without restarting sync, and a till's own rule
    still wins over HQ's."""
    (enrolled.home / "sync.toml").write_text("[offline]\nregister_members = true\n")
    enrolled = replace(enrolled, offline_overrides=read_offline_overrides(enrolled.home))
    online(enrolled, worker)
    offline(enrolled, worker, server)
    assert enrolled.offline_rules.refunds and enrolled.offline_rules.register_members

    hq = LoyaltyProgram(
        version=7,
        effective_from=enrolled.now() - timedelta(minutes=1),
        offline=OfflineDefaults(refunds=False, register_members=False, points_adjustments=False),
    )
    change = Change(seq=50, entity="program", op="upsert", key="7", data=hq.to_data())
    apply_page(enrolled, [change], 50)
    rules = enrolled.offline_rules
    assert (rules.refunds, rules.points_adjustments) == (False, False)  # HQ's, at once
    assert rules.register_members  # this till's sync.toml says on
    with pytest.raises(Refused) as refused:
        adjust_points(
            enrolled,
            AdjustPoints(
                member_id=cached_member(enrolled, 10),  # type: ignore[arg-type]
                points=5,
                note="goodwill",
                staff_id=staff["cashier"].id,
                approver_id=staff["supervisor"].id,
                approver_pin="5678",
            ),
        )
    assert refused.value.code == "offline_adjustments"

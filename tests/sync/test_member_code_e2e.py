"""A sale carries the member code its member was identified with, and the server sends the
member to the selling store only when the code verifies for that member: real tills (SQLite
files), the cashier app's cart (`ui.cart.CartState`) and a real `till-server serve` process on
PostgreSQL, over HTTP on loopback.

Store S001's till registers two members. Store S002's till holds both (an online look-up
cached them) but the server has no record that S002 identified them (as after the server was
restored from a dump taken before the look-ups). S002 then sells to one member identified
by the code on the customer's phone and to the other by a typed phone number."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.checkout import CompleteSale, Tender, complete_sale
from app.services.members import identify, member_code
from app.services.staff import add_staff
from app.store import orm
from server import models as srv
from sync.lookup import lookup_member
from sync.worker import SyncWorker
from tests.server.support import ServerProcess, session_for
from tests.sync.conftest import FAST, RICE, register, sell
from tests.sync.test_merge_e2e import _till, pg_server  # noqa: F401  (the fixture)
from ui.cart import CartState

pytestmark = pytest.mark.postgres

CODED, TYPED = "138 0013 8601", "138 0013 8602"


def _stores(server: ServerProcess, member_id: uuid.UUID) -> set[str]:
    db, s = session_for(server.database_url)
    try:
        return set(
            s.execute(
                select(srv.MemberStore.store_id).where(srv.MemberStore.member_id == member_id)
            ).scalars()
        )
    finally:
        s.close()
        db.dispose()


def _forget_store(server: ServerProcess, store_id: str, *member_ids: uuid.UUID) -> None:
    db, s = session_for(server.database_url)
    try:
        s.execute(
            delete(srv.MemberStore).where(
                srv.MemberStore.store_id == store_id, srv.MemberStore.member_id.in_(member_ids)
            )
        )
        s.commit()
    finally:
        s.close()
        db.dispose()


def _checkout(till: Any, cashier: Any, state: CartState) -> None:
    complete_sale(
        till,
        CompleteSale(
            sale_id=new_id(), cashier_id=cashier.id, cart=state.cart(), tenders=(Tender("cash", 10_000_000),)
        ),
    )


def _sale_events(till: Any) -> list[dict[str, Any]]:
    with till.uow(write=False) as uow:
        rows = uow.session.execute(select(orm.OutboxEvent).where(orm.OutboxEvent.type == "sale.completed"))
        return [r.payload for r in rows.scalars()]


def _pulled_entries(till: Any, member_id: uuid.UUID) -> int:
    with till.uow(write=False) as uow:
        rows = uow.session.execute(select(orm.LedgerEntry).where(orm.LedgerEntry.member_id == member_id))
        return len(rows.scalars().all())


def test_a_sale_with_the_member_code_sends_the_member_to_the_store_one_without_does_not(
    pg_server: ServerProcess,  # noqa: F811
    tmp_path: Path,
    clock: Any,
) -> None:
    home = _till(tmp_path / "home", "T31", clock, pg_server, "S001")
    other = _till(tmp_path / "other", "T41", clock, pg_server, "S002")
    w_home, w_other = SyncWorker(home, FAST), SyncWorker(other, FAST)
    try:
        cashier_home = add_staff(home, "1001", "Li Na", Role.CASHIER, "1234")
        cashier = add_staff(other, "1001", "Wang Wei", Role.CASHIER, "1234")
        coded = register(home, {"cashier": cashier_home}, CODED).member.id
        typed = register(home, {"cashier": cashier_home}, TYPED).member.id
        assert w_home.run_once().ok
        assert w_other.run_once().ok  # S002 learns S001's till key
        for phone in ("+8613800138601", "+8613800138602"):
            assert lookup_member(other, phone=phone).found
        _forget_store(pg_server, "S002", coded, typed)

        # The customer shows the member code on a phone; the other one gives a number.
        shown = member_code(home, coded)
        view = identify(other, shown)
        assert view.id == coded and view.code == shown
        assert identify(other, TYPED).code is None
        for member in (view, identify(other, TYPED)):
            state = CartState()
            state.add(RICE)
            state.set_member(member)
            _checkout(other, cashier, state)
        sent = {p["member_id"]: p.get("member_code") for p in _sale_events(other)}
        assert sent == {str(coded): shown, str(typed): None}
        pushed = w_other.run_once()
        assert pushed.ok and pushed.pushed >= 2, pushed.describe()

        assert _stores(pg_server, coded) == {"S001", "S002"}
        assert _stores(pg_server, typed) == {"S001"}
        # The members' later points at their home store reach S002 only for the coded one.
        before = _pulled_entries(other, coded), _pulled_entries(other, typed)
        clock.advance(minutes=5)
        sell(home, {"cashier": cashier_home}, lines=((RICE, 2),), member_id=coded)
        sell(home, {"cashier": cashier_home}, lines=((RICE, 2),), member_id=typed)
        assert w_home.run_once().ok
        assert w_other.run_once().ok
        assert _pulled_entries(other, coded) == before[0] + 1
        assert _pulled_entries(other, typed) == before[1]
    finally:
        w_home.stop()
        w_other.stop()
        home.close()
        other.close()


def _lookups(server: ServerProcess, terminal_id: str) -> list[tuple[str, str, str, str | None]]:
    db, s = session_for(server.database_url)
    try:
        rows = s.execute(
            select(srv.MemberLookup)
            .where(srv.MemberLookup.terminal_id == terminal_id)
            .order_by(srv.MemberLookup.id)
        ).scalars()
        return [(r.by, r.reason, r.outcome, str(r.member_id) if r.member_id else None) for r in rows]
    finally:
        s.close()
        db.dispose()


def _synced_till(home: Path, terminal_id: str, clock: Any, server: ServerProcess, store_id: str) -> Any:
    """A till whose till.toml names the server (so the cashier app starts its sync)."""
    from app.config import DEFAULT_CONFIG_TEXT
    from app.services.context import open_till
    from sync.enrol import enrol
    from tests.conftest import FAST_HASHER
    from tests.server.support import enrol_code

    home.mkdir(parents=True)
    text = DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', f'terminal_id = "{terminal_id}"')
    (home / "till.toml").write_text(text.replace('# url = "https://hq.example.com"', f'url = "{server.url}"'))
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    enrol(ctx, server.url, enrol_code(server.database_url, store_id, terminal_id))
    return ctx


def test_the_cashier_apps_look_ups_reach_the_server_with_their_reason(
    pg_server: ServerProcess,  # noqa: F811
    tmp_path: Path,
    clock: Any,
) -> None:
    """The checkout's identification and the Find member dialog ask the server (on the
    till's cache missing) with `checkout` and `support`; `till`-side look-ups name theirs."""
    from hardware.printer.factory import make_printer
    from ui.services import TillServices

    home = _till(tmp_path / "home", "T32", clock, pg_server, "S001")
    other = _synced_till(tmp_path / "other", "T42", clock, pg_server, "S002")
    w_home = SyncWorker(home, FAST)
    services = TillServices(other, make_printer(other.config.printer, other.home))
    try:
        cashier = add_staff(home, "1001", "Li Na", Role.CASHIER, "1234")
        ids = [register(home, {"cashier": cashier}, p).member.id for p in ("138 0013 8611", "138 0013 8612")]
        assert w_home.run_once().ok
        services.start_sync()
        assert services.sync_status() is not None
        assert services.identify("138 0013 8611").id == ids[0]
        assert services.lookup_member("138 0013 8612").id == ids[1]
        assert lookup_member(other, phone="+8613800138613", reason="refund").answered
        with pytest.raises(ValueError, match="reason"):
            lookup_member(other, phone="+8613800138613", reason="curious")
        assert _lookups(pg_server, "T42") == [
            ("phone", "checkout", "found", str(ids[0])),
            ("phone", "support", "found", str(ids[1])),
            ("phone", "refund", "not_found", None),
        ]
    finally:
        services.stop_sync()
        w_home.stop()
        home.close()
        other.close()


def test_a_colleague_till_gets_the_looked_up_members_points_once_and_no_household_notes(
    pg_server: ServerProcess,  # noqa: F811
    tmp_path: Path,
) -> None:
    """S002's first till looks up a member S001 registered (with household notes) and sold to;
    S002's second till, which never asked, pulls the member's current state: the same
    balance and coupons as the server, each entry once, and no household notes. Later points
    at S001 reach it too."""
    from datetime import UTC, datetime

    from app.services.members import RegisterMember, register_member
    from tests.conftest import FrozenClock
    from tests.sync.test_merge_e2e import _server_balance

    clock = FrozenClock(datetime.now(UTC))  # the server's "usable" is by its own clock
    home = _till(tmp_path / "home", "T33", clock, pg_server, "S001")
    asking = _till(tmp_path / "asking", "T43", clock, pg_server, "S002")
    colleague = _till(tmp_path / "colleague", "T44", clock, pg_server, "S002")
    workers = [SyncWorker(t, FAST) for t in (home, asking, colleague)]
    try:
        for w in workers[1:]:
            assert w.run_once().ok  # S002's cursors now, before the member exists
        cashier = add_staff(home, "1001", "Li Na", Role.CASHIER, "1234")
        mid = register_member(
            home,
            RegisterMember(
                phone="138 0013 8621",
                consent_given=True,
                staff_id=cashier.id,
                name="Zhou",
                family="two children",
                favourite_categories=("grain",),
            ),
        ).member.id
        sell(home, {"cashier": cashier}, lines=((RICE, 3),), member_id=mid)
        assert workers[0].run_once().ok
        assert lookup_member(asking, phone="+8613800138621").found
        assert workers[2].run_once().ok

        def held(till: Any) -> tuple[int, str | None, list[str]]:
            view = identify(till, "138 0013 8621")
            with till.uow(write=False) as uow:
                row = uow.session.get_one(orm.Member, mid)
                return view.points_balance, row.family, list(row.favourite_categories or [])

        assert _server_balance(pg_server, mid) > 0
        assert held(colleague) == (_server_balance(pg_server, mid), None, [])
        db, s = session_for(pg_server.database_url)
        with s:
            on_server = len(
                s.execute(select(srv.LedgerEntry.id).where(srv.LedgerEntry.member_id == mid)).all()
            )
        db.dispose()
        assert on_server >= 1 and _pulled_entries(colleague, mid) == on_server  # each once
        welcome = {c.code for c in identify(home, "138 0013 8621").coupons}
        assert welcome and {c.code for c in identify(colleague, "138 0013 8621").coupons} == welcome
        clock.advance(minutes=5)
        sell(home, {"cashier": cashier}, lines=((RICE, 2),), member_id=mid)
        assert workers[0].run_once().ok
        assert workers[2].run_once().ok
        assert held(colleague)[0] == _server_balance(pg_server, mid)
    finally:
        for w in workers:
            w.stop()
        for t in (home, asking, colleague):
            t.close()

"""End to end on PostgreSQL, a real `till-server serve` and a real till (SQLite file), over
HTTP on loopback:

* member intel: the server computes it (`till-server intel recompute`), the till pulls the
  member's segment, tags and "often bought with" items, and the member panel shows them, in
  Chinese and in English, with the server stopped (offline);
* gifts for points: HQ's catalogue and stock (`till-server gift add|stock`) reach the till by
  pull; a gift is redeemed at the till (a `redeem` entry naming it, stock down), the server
  posts it and checks it against its own figures; a gift whose threshold or stock HQ changed
  after the till pulled is still posted, with a conflict naming both figures; a reversal gives
  the points and the gift back on both sides.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.config import DEFAULT_CONFIG_TEXT
from app.domain.ids import MemberId, StaffId, new_id
from app.domain.staff import Role
from app.services import gifts as till_gifts
from app.services.context import TillContext, open_till
from app.services.errors import Refused
from app.services.members import member_view
from app.services.staff import add_staff
from app.store import orm
from server import models as srv
from server.cli import main as server_cli
from server.gifts.models import GiftRedemption, GiftStock
from server.intel.models import IntelScore
from server.migrate import upgrade
from server.push.approvals import put_staff
from server.settings import ServerSettings
from sync.enrol import enrol
from sync.worker import SyncWorker
from tests.conftest import FAST_HASHER, FrozenClock
from tests.server.conftest import create_database, drop_database, require_postgres
from tests.server.support import ServerProcess, enrol_code, session_for
from tests.sync.conftest import FAST, MILK, RICE, WINE, YOGURT, register, sell

pytestmark = pytest.mark.postgres

PRODUCTS = {
    MILK: ("牛奶", "Milk", "dairy", 1290),
    YOGURT: ("酸奶", "Yogurt", "dairy", 890),
    RICE: ("大米", "Rice", "grain", 4990),
    WINE: ("红酒", "Red wine", "drinks", 9900),
}


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    admin = require_postgres()
    url = create_database(admin, prefix="lt_gifts_")
    try:
        upgrade(ServerSettings(database_url=url))
        yield url
    finally:
        drop_database(admin, url)


@pytest.fixture
def pg_server(pg_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(pg_url, tmp_path / "server")
    (tmp_path / "server").mkdir()
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


def _cli(url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    monkeypatch.setenv("LT_SERVER_DATABASE_URL", url)
    capsys.readouterr()
    rc = server_cli(list(args))
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out) if out.out.strip().startswith(("{", "[")) else out.out


def _till(home: Path, clock: Any, server: ServerProcess, store: str, terminal: str) -> TillContext:
    home.mkdir(parents=True)
    (home / "till.toml").write_text(
        DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', f'terminal_id = "{terminal}"')
    )
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    with ctx.uow() as uow:
        for sku, (zh, en, cat, price) in PRODUCTS.items():
            uow.session.add(
                orm.Product(
                    id=new_id(),
                    sku=sku,
                    name_zh=zh,
                    name_en=en,
                    category=cat,
                    unit_price=price,
                    member_price=None,
                    active=True,
                )
            )
        uow.commit()
    enrol(ctx, server.url, enrol_code(server.database_url, store, terminal))
    return ctx


def _server_products(url: str) -> None:
    db, s = session_for(url)
    try:
        for sku, (zh, en, cat, price) in PRODUCTS.items():
            if s.execute(select(srv.Product).where(srv.Product.sku == sku)).first() is None:
                s.add(
                    srv.Product(
                        id=new_id(),
                        sku=sku,
                        name_zh=zh,
                        name_en=en,
                        category=cat,
                        unit_price=price,
                        member_price=None,
                        active=True,
                    )
                )
        s.commit()
    finally:
        s.close()
        db.dispose()


def test_intel_computed_on_the_server_pulled_and_shown_offline(
    pg_server: ServerProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    qtbot: Any,
) -> None:
    from ui.i18n import Languages, ensure_qm
    from ui.member_panel import MemberPanel

    _server_products(pg_server.database_url)
    clock = FrozenClock(datetime.now(UTC) - timedelta(hours=1))
    till = _till(tmp_path / "till", clock, pg_server, "S051", "T51")
    worker = SyncWorker(till, FAST)
    try:
        staff = {"cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234")}
        # Three baskets with milk and yogurt (the minimum support), by three other members; the
        # member we look at bought milk only: yogurt is what is "often bought with" it.
        others = [register(till, staff, f"138 0013 81{i:02d}").member.id for i in range(3)]
        for m in others:
            sell(till, staff, lines=((MILK, 1), (YOGURT, 2)), member_id=m)
            clock.advance(minutes=5)
        member = register(till, staff, "138 0013 8199").member.id
        sell(till, staff, lines=((MILK, 1), (RICE, 1)), member_id=member)
        assert worker.run_once().ok

        _cli(pg_server.database_url, monkeypatch, capsys, "intel", "recompute", "--full")
        db, s = session_for(pg_server.database_url)
        try:
            score = s.get(IntelScore, member)
            assert score is not None
            segment, tags = score.segment, list(score.tags)
            sent = s.execute(
                select(func.count()).select_from(srv.ChangeRow).where(srv.ChangeRow.entity == "member_intel")
            ).scalar_one()
            assert sent == 4  # each scored member once
        finally:
            s.close()
            db.dispose()
        # A second run with nothing new sends nothing again.
        _cli(pg_server.database_url, monkeypatch, capsys, "intel", "recompute")

        clock.advance(minutes=1)
        assert worker.run_once().ok  # the till pulls the intel
        with till.uow(write=False) as uow:
            row = uow.session.get(orm.MemberIntel, member)
            assert row is not None
            assert (row.segment, row.tags) == (segment, tags[:5])
            assert row.suggestions == [{"sku": YOGURT, "name_zh": "酸奶", "name_en": "Yogurt"}]
        db, s = session_for(pg_server.database_url)
        try:
            assert (
                s.execute(
                    select(func.count())
                    .select_from(srv.ChangeRow)
                    .where(srv.ChangeRow.entity == "member_intel")
                ).scalar_one()
                == 4
            )
        finally:
            s.close()
            db.dispose()

        pg_server.stop()  # offline from here on: the panel works from what was pulled
        view = member_view(till, MemberId(member))
        assert view.segment == segment and view.suggestions[0].sku == YOGURT
        panel = MemberPanel(lambda _code: None)
        qtbot.addWidget(panel)
        panel.show_member(view)
        assert panel.suggest.text() == "Often bought with: Yogurt"
        assert panel.intel.isVisibleTo(panel) and panel.suggest.isVisibleTo(panel)

        languages = Languages(ensure_qm(tmp_path / "qm"), "en")
        try:
            assert languages.apply("zh_CN")
            qtbot.waitUntil(lambda: panel.suggest.text() == "常一起买：酸奶")
            assert panel.intel.text().startswith("画像：")
        finally:
            languages.uninstall()
    finally:
        worker.stop()
        till.close()


def _gift_state(till: TillContext, gift_id: str) -> int:
    with till.uow(write=False) as uow:
        g = uow.session.get(orm.Gift, gift_id)
        assert g is not None
        return g.stock


def test_gift_catalogue_pulled_redeemed_checked_and_reversed(
    pg_server: ServerProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = pg_server.database_url
    clock = FrozenClock(datetime.now(UTC))
    till = _till(tmp_path / "till", clock, pg_server, "S052", "T52")
    worker = SyncWorker(till, FAST)
    try:
        staff = {"cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234")}
        cashier = StaffId(staff["cashier"].id)
        member = register(till, staff, "138 0013 8299").member.id
        sell(till, staff, lines=((WINE, 4),), member_id=member)  # ¥396: 396 points
        assert worker.run_once().ok

        out = _cli(
            url,
            monkeypatch,
            capsys,
            "gift",
            "add",
            "G100",
            "--zh",
            "小礼品",
            "--en",
            "Small gift",
            "--points",
            "100",
        )
        assert out["created"] is True
        _cli(
            url,
            monkeypatch,
            capsys,
            "gift",
            "add",
            "G200",
            "--zh",
            "购物袋",
            "--en",
            "Tote bag",
            "--points",
            "200",
        )
        _cli(url, monkeypatch, capsys, "gift", "stock", "G100", "S052", "5")
        _cli(url, monkeypatch, capsys, "gift", "stock", "G200", "S052", "1")
        listed = _cli(url, monkeypatch, capsys, "gift", "list")
        assert [(g["id"], g["stock"].get("S052")) for g in listed] == [("G100", 5), ("G200", 1)]

        clock.advance(minutes=1)
        assert worker.run_once().ok  # the catalogue reaches the till
        offered = till_gifts.list_gifts(till)
        assert [(g.id, g.name_zh, g.points, g.stock) for g in offered] == [
            ("G100", "小礼品", 100, 5),
            ("G200", "购物袋", 200, 1),
        ]

        # A redemption the server agrees with.
        red1, balance = till_gifts.redeem_gift(till, till_gifts.RedeemGift(MemberId(member), "G100", cashier))
        assert balance == 296 and _gift_state(till, "G100") == 4
        with till.uow(write=False) as uow:
            entry = uow.session.execute(
                select(orm.LedgerEntry).where(
                    orm.LedgerEntry.kind == "redeem", orm.LedgerEntry.member_id == member
                )
            ).scalar_one()
            assert entry.points == -100 and entry.note.startswith("gift:G100 小礼品")

        # HQ raises G200's threshold and empties its stock after the till pulled: the till still
        # knows 200 points and 1 in stock and hands it over; the server posts what happened and
        # names both figures.
        _cli(
            url,
            monkeypatch,
            capsys,
            "gift",
            "add",
            "G200",
            "--zh",
            "购物袋",
            "--en",
            "Tote bag",
            "--points",
            "250",
        )
        _cli(url, monkeypatch, capsys, "gift", "stock", "G200", "S052", "0")
        clock.advance(minutes=1)
        red2, balance = till_gifts.redeem_gift(till, till_gifts.RedeemGift(MemberId(member), "G200", cashier))
        assert balance == 96
        assert worker.run_once().ok  # the redemptions are pushed; the server's counts come back

        db, s = session_for(url)
        try:
            entries = s.execute(
                select(srv.LedgerEntry.points, srv.LedgerEntry.note)
                .where(srv.LedgerEntry.member_id == member, srv.LedgerEntry.kind == "redeem")
                .order_by(srv.LedgerEntry.at)
            ).all()
            assert [p for p, _ in entries] == [-100, -200]
            assert entries[1][1].startswith("gift:G200")
            assert s.get(GiftStock, ("G100", "S052")).stock == 4  # type: ignore[union-attr]
            assert s.get(GiftStock, ("G200", "S052")).stock == -1  # type: ignore[union-attr]
            conflicts = {
                c.kind: c.details
                for c in s.execute(select(srv.Conflict).where(srv.Conflict.member_id == member)).scalars()
            }
            assert conflicts["gift_points_mismatch"]["claimed"] == 200
            assert conflicts["gift_points_mismatch"]["catalogue"] == 250
            assert conflicts["gift_out_of_stock"]["stock"] == 0
            assert conflicts["gift_out_of_stock"]["after"] == -1
            assert "gift_points_short" not in conflicts
            assert s.get(GiftRedemption, red2) is not None
        finally:
            s.close()
            db.dispose()
        clock.advance(minutes=1)
        assert worker.run_once().ok
        with till.uow(write=False) as uow:
            g200 = uow.session.get(orm.Gift, "G200")
            assert g200 is not None and (g200.points, g200.stock) == (250, -1)
        with pytest.raises(Refused) as refused:
            till_gifts.redeem_gift(till, till_gifts.RedeemGift(MemberId(member), "G200", cashier))
        assert refused.value.code == "gift_out_of_stock"

        # The member brings the small gift back: points and stock return on both sides.
        # Points returned need a supervisor, as a refund does: HQ knows Wang Wei at S052; Zhou
        # Li is a supervisor on this till only.
        known = add_staff(till, "2001", "Wang Wei", Role.SUPERVISOR, "5678")
        unknown = add_staff(till, "2002", "Zhou Li", Role.SUPERVISOR, "8765")
        db, s = session_for(url)
        try:
            put_staff(s, known.id, "S052", "supervisor", "Wang Wei", True, datetime.now(UTC))
            s.commit()
        finally:
            s.close()
            db.dispose()
        with pytest.raises(Refused) as refused:
            till_gifts.reverse_gift(till, till_gifts.ReverseGift(red1, cashier))
        assert refused.value.code == "approval_required"
        with pytest.raises(Refused) as refused:  # a cashier approves nothing
            till_gifts.reverse_gift(till, till_gifts.ReverseGift(red1, cashier, cashier, "1234"))
        assert refused.value.code == "self_approval"
        balance = till_gifts.reverse_gift(till, till_gifts.ReverseGift(red1, cashier, known.id, "5678"))
        assert balance == 196 and _gift_state(till, "G100") == 5
        assert [r.reversed for r in till_gifts.member_redemptions(till, MemberId(member))] == [False, True]
        till_gifts.reverse_gift(till, till_gifts.ReverseGift(red2, cashier, unknown.id, "8765"))
        assert worker.run_once().ok
        db, s = session_for(url)
        try:
            bal = s.execute(
                select(func.sum(srv.LedgerEntry.points)).where(srv.LedgerEntry.member_id == member)
            ).scalar_one()
            assert bal == 396  # both gifts back
            assert s.get(GiftStock, ("G100", "S052")).stock == 5  # type: ignore[union-attr]
            red = s.get(GiftRedemption, red1)
            assert red is not None and red.reversed_at is not None
            unapproved = [
                c.details
                for c in s.execute(
                    select(srv.Conflict).where(
                        srv.Conflict.member_id == member, srv.Conflict.kind == "gift_reversal_unapproved"
                    )
                ).scalars()
            ]
            assert unapproved == [{"redemption_id": str(red2), "points": 200, "approver_id": str(unknown.id)}]
        finally:
            s.close()
            db.dispose()
    finally:
        worker.stop()
        till.close()


def test_a_redemption_past_the_servers_balance_is_posted_with_both_figures(
    pg_server: ServerProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two tills of one store hand a gift to the same member offline, each within the balance
    it holds; the server posts both and flags the second with the points and its balance."""
    url = pg_server.database_url
    clock = FrozenClock(datetime.now(UTC))
    a = _till(tmp_path / "a", clock, pg_server, "S053", "T53")
    b = _till(tmp_path / "b", clock, pg_server, "S053", "T54")
    wa, wb = SyncWorker(a, FAST), SyncWorker(b, FAST)
    try:
        staff_a = {"cashier": add_staff(a, "1001", "Li Na", Role.CASHIER, "1234")}
        staff_b = {"cashier": add_staff(b, "1002", "Wang Fang", Role.CASHIER, "1234")}
        member = register(a, staff_a, "138 0013 8399").member.id
        sell(a, staff_a, lines=((WINE, 2),), member_id=member)  # 198 points
        assert wa.run_once().ok
        _cli(
            url,
            monkeypatch,
            capsys,
            "gift",
            "add",
            "G150",
            "--zh",
            "保温杯",
            "--en",
            "Flask",
            "--points",
            "150",
        )
        _cli(url, monkeypatch, capsys, "gift", "stock", "G150", "S053", "10")
        clock.advance(minutes=1)
        assert wa.run_once().ok and wb.run_once().ok
        with b.uow(write=False) as uow:  # b learnt the member and its 198 points by pull
            assert uow.session.get(orm.Member, member) is not None
        till_gifts.redeem_gift(
            a, till_gifts.RedeemGift(MemberId(member), "G150", StaffId(staff_a["cashier"].id))
        )
        till_gifts.redeem_gift(
            b, till_gifts.RedeemGift(MemberId(member), "G150", StaffId(staff_b["cashier"].id))
        )
        assert wa.run_once().ok and wb.run_once().ok
        db, s = session_for(url)
        try:
            bal = s.execute(
                select(func.sum(srv.LedgerEntry.points)).where(srv.LedgerEntry.member_id == member)
            ).scalar_one()
            assert bal == 198 - 300
            short = s.execute(
                select(srv.Conflict).where(
                    srv.Conflict.member_id == member, srv.Conflict.kind == "gift_points_short"
                )
            ).scalar_one()
            assert (short.details["points"], short.details["balance"]) == (150, 48)
            assert s.get(GiftStock, ("G150", "S053")).stock == 8  # type: ignore[union-attr]
        finally:
            s.close()
            db.dispose()
    finally:
        wa.stop()
        wb.stop()
        a.close()
        b.close()

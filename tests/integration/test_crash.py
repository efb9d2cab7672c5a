"""Kill a till in the middle of completing sales (SIGKILL, many times): every sale is stored
whole or not at all, the audit chain verifies and the outbox sequence has no gaps."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.config import DB_NAME
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.audit import verify_audit
from app.services.context import open_till
from app.services.members import RegisterMember, issue_coupon, register_member
from app.services.points import AdjustPoints, adjust_points
from app.services.staff import add_staff
from app.store import orm
from tests.conftest import FAST_HASHER

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")]

KILLS = 30
PRODUCTS = [
    ("6901234567892", "dairy", 1290, 1190),
    ("6902345678901", "dairy", 650, None),
    ("6903456789012", "grain", 4990, 4590),
    ("6904567890123", "wine", 12800, None),
]

# The child: opens the till and completes random sales until it is killed. Before each sale
# it writes what it is about to do to pending.json; on start it first retries that sale with
# the same id (as a till restarting after a crash would).
CHILD = textwrap.dedent(
    """
    import json, os, random, sys, uuid
    from pathlib import Path

    from app.domain.staff import PinHasher
    from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
    from app.services.context import open_till

    home = Path(sys.argv[1])
    setup = json.loads((home / "setup.json").read_text())
    ctx = open_till(home, hasher=PinHasher(time_cost=1, memory_cost=8, parallelism=1))
    rng = random.Random()
    pending = home / "pending.json"

    def run(spec):
        cart = Cart(
            lines=tuple(CartLine(sku, qty) for sku, qty in spec["lines"]),
            member_id=uuid.UUID(spec["member"]) if spec["member"] else None,
            coupon_codes=tuple(spec["coupons"]),
            redeem_points=spec["redeem"],
        )
        complete_sale(ctx, CompleteSale(
            sale_id=uuid.UUID(spec["sale_id"]), cashier_id=uuid.UUID(setup["cashier"]),
            cart=cart, tenders=tuple(Tender(k, a) for k, a in spec["tenders"]),
            shift_id=None,
        ))

    if pending.exists():
        run(json.loads(pending.read_text()))
    print("ready", flush=True)
    while True:
        member = rng.choice(setup["members"] + [None])
        skus = rng.sample(setup["skus"], rng.randint(1, len(setup["skus"])))
        spec = {
            "sale_id": str(uuid.uuid4()),
            "lines": [[s, rng.randint(1, 4)] for s in skus],
            "member": member,
            "coupons": [rng.choice(setup["coupons"])] if rng.random() < 0.5 else [],
            "redeem": rng.choice([0, 0, 100, 300]) if member else 0,
            "tenders": [["card", 50], ["cash", 500_000]],  # total is always >= 0.75
        }
        tmp = home / "pending.tmp"
        tmp.write_text(json.dumps(spec))
        os.replace(tmp, pending)
        run(spec)
    """
)


def _setup(home: Path) -> None:
    ctx = open_till(home, hasher=FAST_HASHER)
    try:
        cashier = add_staff(ctx, "1001", "Li Na", Role.CASHIER, "1234")
        sup = add_staff(ctx, "2001", "Wang Wei", Role.SUPERVISOR, "5678")
        with ctx.uow() as uow:
            for sku, cat, price, member_price in PRODUCTS:
                uow.session.add(
                    orm.Product(
                        id=new_id(),
                        sku=sku,
                        name_zh=sku,
                        name_en=sku,
                        category=cat,
                        unit_price=price,
                        member_price=member_price,
                        active=True,
                    )
                )
            uow.commit()
        members = []
        for phone in ("13800138000", "13900139000", "13700137000"):
            reg = register_member(ctx, RegisterMember(phone=phone, consent_given=True, staff_id=cashier.id))
            adjust_points(ctx, AdjustPoints(reg.member.id, 50_000, "crash test", cashier.id, sup.id, "5678"))
            members.append(str(reg.member.id))
        now = ctx.now()
        codes = []
        with ctx.uow() as uow:
            for _ in range(60):  # bearer coupons: single use, so many attempts are refused
                c = issue_coupon(
                    uow.session,
                    member_id=None,
                    kind="amount_off",
                    name="5 off",
                    amount=500,
                    threshold=0,
                    valid_from=now,
                    valid_to=now.replace(year=now.year + 1),
                    reason="test",
                    at=now,
                )
                codes.append(c.code)
            uow.commit()
    finally:
        ctx.close()
    (home / "setup.json").write_text(
        json.dumps(
            {
                "cashier": str(cashier.id),
                "members": members,
                "coupons": codes,
                "skus": [p[0] for p in PRODUCTS],
            }
        )
    )


def _kill_many_times(home: Path, kills: int, rng: random.Random) -> None:
    script = home / "child.py"
    script.write_text(CHILD)
    for _ in range(kills):
        child = subprocess.Popen(
            [sys.executable, str(script), str(home)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            line = child.stdout.readline()
            if line.strip() != "ready":
                child.kill()
                _, err = child.communicate(timeout=30)
                pytest.fail(f"the child did not start: {line!r} {err}")
            # Let it sell for a moment, then kill it without warning.
            try:
                child.wait(timeout=rng.uniform(0.0, 0.35))
                pytest.fail(f"the child exited by itself: {child.stderr.read() if child.stderr else ''}")
            except subprocess.TimeoutExpired:
                pass
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait(timeout=30)
            if child.stdout:
                child.stdout.close()
            if child.stderr:
                child.stderr.close()
        assert child.returncode == -signal.SIGKILL


def _hex(u: str) -> str:
    return u.replace("-", "")


def _check_every_sale_is_whole(conn: sqlite3.Connection) -> int:
    sales = conn.execute("SELECT * FROM sales").fetchall()
    sale_ids = {s["id"] for s in sales}
    audit_subjects = Counter(
        _hex(r[0]) for r in conn.execute("SELECT subject FROM audit_log WHERE action = 'sale.complete'")
    )
    events = Counter(
        _hex(json.loads(r[0])["sale_id"])
        for r in conn.execute("SELECT payload FROM outbox WHERE type = 'sale.completed'")
    )
    for s in sales:
        sid = s["id"]
        lines = conn.execute("SELECT * FROM sale_lines WHERE sale_id = ?", (sid,)).fetchall()
        assert lines, f"sale {sid} has no lines"
        assert sum(ln["net"] for ln in lines) == s["total_due"]
        assert sum(ln["list_total"] for ln in lines) == s["subtotal"]
        assert sum(ln["coupon_discount"] for ln in lines) == s["coupon_discount"]
        assert sum(ln["points_earned"] for ln in lines) == s["points_earned"]
        assert sum(ln["points_redeemed"] for ln in lines) == s["points_redeemed"]
        paid = conn.execute(
            "SELECT COALESCE(SUM(amount), 0), COUNT(*) FROM payments WHERE sale_id = ?", (sid,)
        ).fetchone()
        assert paid[1] == 2 and paid[0] == s["paid"]
        assert s["paid"] - s["total_due"] == s["change_due"]
        reds = conn.execute(
            "SELECT COALESCE(SUM(discount), 0), COUNT(*) FROM coupon_redemptions WHERE sale_id = ?", (sid,)
        ).fetchone()
        assert reds[0] == s["coupon_discount"]
        used = conn.execute(
            "SELECT COUNT(*) FROM coupons WHERE redeemed_sale_id = ? AND status = 'redeemed'", (sid,)
        ).fetchone()[0]
        assert used == reds[1]
        ledger = dict(
            conn.execute(
                "SELECT kind, SUM(points) FROM ledger_entries WHERE sale_id = ? GROUP BY kind", (sid,)
            ).fetchall()
        )
        if s["member_id"] is None:
            assert ledger == {}
        else:
            assert ledger.get("earn", 0) == s["points_earned"]
            assert ledger.get("redeem", 0) == -s["points_redeemed"]
        assert audit_subjects[sid] == 1, f"sale {sid}: {audit_subjects[sid]} audit entries"
        assert events[sid] == 1, f"sale {sid}: {events[sid]} outbox events"

    # Nothing belongs to a sale that is not there.
    assert set(audit_subjects) <= sale_ids
    assert set(events) <= sale_ids
    for table in ("sale_lines", "payments", "coupon_redemptions"):
        orphans = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE sale_id NOT IN (SELECT id FROM sales)")
        assert orphans.fetchone()[0] == 0, table
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM ledger_entries WHERE sale_id IS NOT NULL "
            "AND sale_id NOT IN (SELECT id FROM sales)"
        ).fetchone()[0]
        == 0
    )
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM coupons WHERE (status = 'redeemed') != (redeemed_sale_id IS NOT NULL)"
        ).fetchone()[0]
        == 0
    )
    return len(sales)


def _check_sequences(conn: sqlite3.Connection, sales: int) -> None:
    counters = dict(conn.execute("SELECT name, value FROM counters").fetchall())
    seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1)), "the outbox sequence has a gap"
    assert counters["outbox:T01"] == len(seqs)
    receipt_nos = sorted(int(r[0].rsplit("-", 1)[1]) for r in conn.execute("SELECT receipt_no FROM sales"))
    assert receipt_nos == list(range(1, sales + 1)), "receipt numbers have a gap"
    assert counters.get("receipt:T01", 0) == sales
    audit = [r[0] for r in conn.execute("SELECT seq FROM audit_log ORDER BY seq")]
    assert audit == list(range(1, len(audit) + 1))


def test_sigkill_during_sales_leaves_every_sale_whole_or_absent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _setup(home)
    rng = random.Random()
    _kill_many_times(home, KILLS, rng)

    conn = sqlite3.connect(home / DB_NAME)
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        sales = _check_every_sale_is_whole(conn)
        assert sales > 0
        _check_sequences(conn, sales)
        pending: dict[str, Any] = json.loads((home / "pending.json").read_text())
        stored = conn.execute(
            "SELECT COUNT(*) FROM sales WHERE id = ?", (_hex(pending["sale_id"]),)
        ).fetchone()[0]
        assert stored in (0, 1)
    finally:
        conn.close()

    # The till opens normally afterwards, its audit chain verifies, and selling goes on.
    ctx = open_till(home, hasher=FAST_HASHER)
    try:
        report = verify_audit(ctx)
        assert report.ok, report.problems
    finally:
        ctx.close()

"""The conflicts the server settles by rule: a coupon used at two tills, points overdrawn offline
at two tills, the same phone registered offline at two stores, a till's clock far off."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.models import Conflict, Coupon, LedgerEntry, Member, MemberAlias, Sale
from tests.server.support import ServerProcess, Till, random_phone, session_for

pytestmark = pytest.mark.postgres


def _till(server: ServerProcess, db_url: str, store_id: str) -> Till:
    t = Till(server.url, db_url, store_id)
    t.enrol()
    return t


def test_single_use_coupon_redeemed_at_two_tills(server: ServerProcess, db_url: str, store_id: str) -> None:
    a, b = _till(server, db_url, store_id), _till(server, db_url, store_id)
    mid = uuid.uuid4()
    issued = a.coupon_issued(mid, code=None)
    code = issued["payload"]["code"]
    a.push([a.registration(random_phone(), mid), issued])
    first = a.sale(mid, total=5000, coupons=[(code, 500)])
    second = b.sale(mid, total=7000, coupons=[(code, 500)])
    ra = a.push([first])["results"][0]
    rb = b.push([second])["results"][0]
    assert ra["status"] == rb["status"] == "applied"  # nothing dropped
    assert "conflicts" not in ra["result"]
    assert rb["result"]["conflicts"][0]["kind"] == "coupon_reused"
    assert rb["result"]["conflicts"][0]["first_sale_id"] == first["payload"]["sale_id"]
    db, s = session_for(db_url)
    with s:
        coupon = s.execute(select(Coupon).where(Coupon.code == code)).scalar_one()
        assert coupon.status == "redeemed"
        assert str(coupon.redeemed_sale_id) == first["payload"]["sale_id"]
        kept = s.get_one(Sale, uuid.UUID(second["payload"]["sale_id"]))
        assert kept.flagged and kept.coupon_discount == 500
        assert s.execute(
            select(Conflict).where(Conflict.sale_id == kept.id, Conflict.kind == "coupon_reused")
        ).scalar_one()
    db.dispose()


def test_points_overdrawn_at_two_tills_go_negative_and_flag(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    a, b = _till(server, db_url, store_id), _till(server, db_url, store_id)
    mid = uuid.uuid4()
    a.push([a.registration(random_phone(), mid), a.sale(mid, total=100000, earned=1000)])
    # Both tills believed the member had 1000 points and redeemed 800 offline.
    ra = a.push([a.sale(mid, total=10000, redeemed=800, earned=0)])["results"][0]
    rb = b.push([b.sale(mid, total=10000, redeemed=800, earned=0)])["results"][0]
    assert ra["status"] == rb["status"] == "applied"
    assert ra["result"]["points_balance"] == 200
    assert rb["result"]["points_balance"] == -600
    assert rb["result"]["conflicts"][0]["kind"] == "points_overdraft"
    db, s = session_for(db_url)
    with s:
        member = s.get_one(Member, mid)
        assert member.overdraft_flagged_at is not None
        total = s.execute(select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == mid)).scalar()
        assert total == -600
    db.dispose()


def test_same_phone_at_two_stores_merges_into_the_earlier(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    a = _till(server, db_url, store_id)
    b = _till(server, db_url, store_id + "b")
    phone = random_phone()
    early, late = uuid.uuid4(), uuid.uuid4()
    t0 = datetime.now(UTC) - timedelta(hours=2)
    a.pull_all()
    b.pull_all()
    # The later registration reaches the server first, with a sale; then the earlier one.
    b.push(
        [
            b.registration(phone, late, at=t0 + timedelta(minutes=30), name="Later name"),
            b.sale(late, total=3000, earned=30),
        ]
    )
    out = a.push([a.registration(phone, early, at=t0)])["results"][0]
    assert out["result"]["merged"] == {"survivor_id": str(early), "alias_id": str(late)}
    db, s = session_for(db_url)
    with s:
        assert s.get_one(MemberAlias, late).member_id == early
        assert s.get_one(Member, early).phone is not None
        assert s.get_one(Member, early).name == "Later name" or s.get_one(Member, early).name is None
        moved = s.execute(select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == early)).scalar()
        assert moved == 30
        left = select(func.count()).select_from(Coupon).where(Coupon.member_id == late)
        assert s.execute(left).scalar() == 0
    db.dispose()
    # Both tills are told, and the alias still resolves: a sale under the old id lands on the survivor.
    for till in (a, b):
        aliases = [c for c in till.pull_all() if c["entity"] == "member_alias"]
        assert aliases and aliases[-1]["data"] == {
            **aliases[-1]["data"],
            "alias_id": str(late),
            "member_id": str(early),
        }
    res = b.push([b.sale(late, total=1000, earned=10)])["results"][0]
    assert res["result"]["member_id"] == str(early)
    assert res["result"]["points_balance"] == 40
    found = a.http.get(a.base + "/members/lookup", params={"phone": phone}, headers=a.headers(), timeout=5)
    assert found.status_code == 200 and found.json()["member"]["id"] == str(early)


def test_far_off_clock_is_flagged(server: ServerProcess, db_url: str, store_id: str) -> None:
    a = _till(server, db_url, store_id)
    out = a.push([a.sale(None, total=100)], till_time=datetime.now(UTC) + timedelta(hours=3))
    assert out["clock_skew_flagged"] is True
    assert a.push([], till_time=datetime.now(UTC))["clock_skew_flagged"] is False


def test_sale_before_its_member_registration(server: ServerProcess, db_url: str, store_id: str) -> None:
    a = _till(server, db_url, store_id)
    mid = uuid.uuid4()
    reg = a.registration(random_phone(), mid)
    sale = a.sale(mid, total=2000, earned=20)
    # Out of order within a batch: applied in seq order.
    res = a.push([sale, reg])["results"]
    assert [r["status"] for r in res] == ["applied", "applied"]
    assert res[0]["result"]["points_balance"] == 20
    # Out of order across batches: the sale arrives first (stub), the registration fills it.
    b = _till(server, db_url, store_id)
    mid2 = uuid.uuid4()
    reg2, sale2 = b.registration(random_phone(), mid2), b.sale(mid2, total=1000, earned=10)
    assert b.push([sale2])["results"][0]["status"] == "applied"
    assert b.push([reg2])["results"][0]["status"] == "applied"
    db, s = session_for(db_url)
    with s:
        m = s.get_one(Member, mid2)
        assert not m.stub and m.phone is not None
    db.dispose()


def _push_with_audit(
    t: Till, head_seq: int, head_hash: str, check_seq: int | None = None, check_hash: str = ""
) -> dict[str, object]:
    body = {
        "events": [],
        "till_time": datetime.now(UTC).isoformat(),
        "audit": {
            "head_seq": head_seq,
            "head_hash": head_hash,
            "check_seq": check_seq,
            "check_hash": check_hash,
        },
    }
    r = t.http.post(t.base + "/sync/push", json=body, headers=t.headers(), timeout=30)
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


def test_a_till_audit_log_that_no_longer_holds_what_it_sent_is_flagged_once(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = _till(server, db_url, store_id)
    h = [f"{i:064x}" for i in range(10)]
    assert _push_with_audit(t, 3, h[3])["audit_ack_seq"] == 3  # first head: nothing to check
    assert _push_with_audit(t, 5, h[5], 3, h[3])["audit_ack_seq"] == 5  # grew, and still holds 3
    assert _push_with_audit(t, 5, h[5], 5, h[5])["audit_ack_seq"] == 5  # unchanged
    db, s = session_for(db_url)
    with s:

        def flagged() -> list[dict[str, object]]:
            s.expire_all()
            return [
                c.details
                for c in s.execute(
                    select(Conflict).where(
                        Conflict.kind == "audit_mismatch", Conflict.terminal_id == t.terminal_id
                    )
                ).scalars()
            ]

        assert flagged() == []
        _push_with_audit(t, 4, h[4], 5, h[9])  # seq 5 rewritten, and the log now ends at 4
        [details] = flagged()
        problems = {p["problem"] for p in details["problems"]}  # type: ignore[index, union-attr]
        assert problems == {"record_changed_or_gone", "log_cut_short"}
        _push_with_audit(t, 4, h[4], 5, h[9])  # the same again: one open conflict, not two
        assert len(flagged()) == 1
    db.dispose()

"""A sale is never refused for its arithmetic, but only the points the server can justify
count: it prices the received lines again and posts its own figure; coupons must exist, be
the member's (or bearer) and be for the store."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.models import Coupon, Sale
from tests.server.evil.support import balance, conflicts, enrolled, results
from tests.server.support import ServerProcess, random_phone, session_for

pytestmark = pytest.mark.postgres


def test_a_one_fen_sale_claiming_a_billion_points_earns_what_one_fen_earns(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    forged = t.sale(mid, total=1, earned=10**9)
    honest = t.sale(mid, total=4500)
    out = results(t, [forged, honest])
    assert [r["status"] for r in out] == ["applied", "applied"]  # the sale itself stands
    assert out[0]["result"]["points_earned"] == 0
    assert out[1]["result"]["points_earned"] == 45
    assert balance(db_url, mid) == 45
    sale_id = uuid.UUID(forged["payload"]["sale_id"])
    found = conflicts(db_url, "points_mismatch", sale_id=sale_id)
    assert len(found) == 1
    assert found[0].details["claimed"] == 10**9 and found[0].details["computed"] == 0
    assert not conflicts(db_url, "points_mismatch", sale_id=uuid.UUID(honest["payload"]["sale_id"]))
    db, s = session_for(db_url)
    with s:
        assert s.get_one(Sale, sale_id).total_due == 1  # recorded as the till said
    db.dispose()


def test_lines_worth_more_than_the_sale_took_earn_only_what_it_took(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    forged = t.sale(mid, total=100, earned=10**6)
    line = forged["payload"]["lines"][0]
    line.update(list_total=10**11, line_total=10**11, net=10**11)  # a ¥10^9 line, 1 yuan paid
    out = results(t, [forged])
    assert out[0]["status"] == "applied" and out[0]["result"]["points_earned"] == 1
    assert balance(db_url, mid) == 1
    assert conflicts(db_url, "points_mismatch", sale_id=uuid.UUID(forged["payload"]["sale_id"]))


def _bearer_coupon(db_url: str, store: str) -> str:
    """A bearer coupon HQ issued for one store (no API for it yet: written as HQ would)."""
    code = "B" + secrets.token_hex(5).upper()
    now = datetime.now(UTC)
    db, s = session_for(db_url)
    with s:
        s.add(
            Coupon(
                id=uuid.uuid4(),
                code=code,
                name="HQ",
                kind="amount_off",
                amount=300,
                percent="0",
                cap=None,
                threshold=0,
                multiplier="1",
                gift_sku=None,
                categories=[],
                skus=[],
                stackable=False,
                member_only=False,
                member_id=None,
                store_id=store,
                valid_from=now - timedelta(days=1),
                valid_to=now + timedelta(days=10),
                status="issued",
                issued_reason="hq",
                issued_at=now,
                redeemed_sale_id=None,
                terminal_id=None,
            )
        )
        s.commit()
    db.dispose()
    return code


def _coupon_status(db_url: str, code: str) -> str:
    db, s = session_for(db_url)
    with s:
        status = s.execute(select(Coupon.status).where(Coupon.code == code)).scalar_one()
    db.dispose()
    return str(status)


def test_someone_elses_coupon_and_another_stores_bearer_coupon_are_not_redeemed(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    victim, thief = uuid.uuid4(), uuid.uuid4()
    reg = t.registration(random_phone(), victim)
    victims_coupon = reg["payload"]["welcome_coupon"]
    t.push([reg, t.registration(random_phone(), thief)])
    elsewhere = _bearer_coupon(db_url, store_id + "x")
    here = _bearer_coupon(db_url, store_id)
    steal = t.sale(thief, total=6000, coupons=[(victims_coupon, 1000)])
    wrong_store = t.sale(thief, total=6000, coupons=[(elsewhere, 300)])
    fine = t.sale(thief, total=6000, coupons=[(here, 300)])
    out = results(t, [steal, wrong_store, fine])
    assert [r["status"] for r in out] == ["applied"] * 3
    assert out[0]["result"]["conflicts"][0]["kind"] == "coupon_other_member"
    assert out[1]["result"]["conflicts"][0]["kind"] == "coupon_out_of_scope"
    assert "conflicts" not in out[2]["result"]
    assert _coupon_status(db_url, victims_coupon) == "issued"
    assert _coupon_status(db_url, elsewhere) == "issued"
    assert _coupon_status(db_url, here) == "redeemed"
    db, s = session_for(db_url)
    with s:
        assert s.get_one(Sale, uuid.UUID(steal["payload"]["sale_id"])).flagged
        assert not s.get_one(Sale, uuid.UUID(fine["payload"]["sale_id"])).flagged
    db.dispose()
    # The discounts the server could not honour do not earn the thief anything either.
    assert balance(db_url, thief) == (6000 - 1000) // 100 + (6000 - 300) // 100 + (6000 - 300) // 100


def test_the_tier_of_each_sale_counts_only_the_year_before_it_within_one_batch(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    """A till back after a long time offline pushes a big sale from 13 months ago and one from
    today in one batch: today's spend window no longer holds the old sale, so the member is
    basic again (as the till said), and the old sale made them silver only then."""
    from server.models import Member

    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=400)
    t.push([t.registration(random_phone(), mid, at=long_ago - timedelta(days=1))])
    big = t.sale(mid, total=300_000, at=long_ago)  # ¥3,000: silver from 12 months' spend ¥2,000
    today = t.sale(mid, total=10_000, at=now)
    out = results(t, [big, today])
    assert [r["status"] for r in out] == ["applied", "applied"]
    assert out[1]["result"]["points_earned"] == 100  # basic: 1 a yuan, not silver's multiplier
    assert not conflicts(db_url, "points_mismatch", sale_id=uuid.UUID(today["payload"]["sale_id"]))
    db, s = session_for(db_url)
    with s:
        assert s.get_one(Member, mid).tier == "basic"
    db.dispose()

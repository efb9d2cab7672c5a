"""Points by hand and till-issued coupons: within the program's limits, approved by staff HQ
knows, from HQ's templates; above the limits held for HQ's approval, anything else refused."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from server.models import Coupon
from server.push.models import HeldEvent
from tests.server.conftest import HQ_TOKEN
from tests.server.evil.support import balance, enrolled, parked_reason, results
from tests.server.support import ServerProcess, Till, random_phone, session_for

pytestmark = pytest.mark.postgres

HQ = {"Authorization": f"Bearer {HQ_TOKEN}"}


def _supervisor(server: ServerProcess, store: str, role: str = "supervisor") -> uuid.UUID:
    staff = uuid.uuid4()
    r = requests.put(
        server.url + "/api/v1/store-staff",
        headers=HQ,
        timeout=10,
        json={"staff_id": str(staff), "store_id": store, "role": role, "name": "Wang"},
    )
    assert r.status_code == 200, r.text
    return staff


def _held(db_url: str, terminal_id: str) -> list[HeldEvent]:
    db, s = session_for(db_url)
    with s:
        rows = list(
            s.execute(
                select(HeldEvent).where(HeldEvent.terminal_id == terminal_id).order_by(HeldEvent.held_at)
            ).scalars()
        )
        s.expunge_all()
    db.dispose()
    return rows


def test_a_batch_of_500_billion_point_adjustments_is_held_not_applied(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid), t.sale(mid, total=2000)])
    boss = _supervisor(server, store_id)
    batch = [t.adjust(mid, 10**9, approver_id=boss) for _ in range(499)] + [t.sale(mid, total=3000)]
    out = results(t, batch)
    assert all(r["status"] == "applied" for r in out)  # acknowledged, the till moves on
    assert all(r["result"]["reason"] == "above_role_limit" for r in out[:499])
    assert balance(db_url, mid) == 20 + 30  # the sale in the same batch landed
    assert len(_held(db_url, t.terminal_id)) == 499


def test_adjustments_within_limits_apply_unknown_approvers_and_too_many_are_held(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    boss = _supervisor(server, store_id)
    elsewhere = _supervisor(server, store_id + "x")  # a supervisor of another store
    small = [t.adjust(mid, 100, approver_id=boss) for _ in range(20)]
    out = results(
        t,
        [
            *small,
            t.adjust(mid, 100, approver_id=boss),
            t.adjust(mid, 100),
            t.adjust(mid, 100, approver_id=elsewhere),
        ],
    )
    assert all("held_for_approval" not in r["result"] for r in out[:20])
    assert out[20]["result"]["reason"] == "above_terminal_day_limit"  # the 21st today
    assert out[21]["result"]["reason"] == out[22]["result"]["reason"] == "approver_unknown"
    assert balance(db_url, mid) == 2000


def test_hq_approves_or_rejects_what_was_held(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    out = results(t, [t.adjust(mid, 800), t.adjust(mid, 300)])
    first, second = (r["result"]["held_for_approval"] for r in out)
    listed = requests.get(
        server.url + "/api/v1/held-events", headers=HQ, timeout=10, params={"terminal_id": t.terminal_id}
    ).json()["held_events"]
    assert {h["id"] for h in listed} == {first, second}
    assert balance(db_url, mid) == 0
    ok = requests.post(
        f"{server.url}/api/v1/held-events/{first}/approve",
        headers=HQ,
        timeout=10,
        json={"actor": "hq-li", "note": "checked the receipt"},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    no = requests.post(
        f"{server.url}/api/v1/held-events/{second}/reject",
        headers=HQ,
        timeout=10,
        json={"actor": "hq-li", "note": "no reason given"},
    )
    assert no.status_code == 200 and no.json()["status"] == "rejected"
    again = requests.post(
        f"{server.url}/api/v1/held-events/{first}/approve", headers=HQ, timeout=10, json={"actor": "hq-li"}
    )
    assert again.status_code == 409
    assert balance(db_url, mid) == 800
    assert requests.get(server.url + "/api/v1/held-events", timeout=10).status_code == 401


def _compensation(t: Till, mid: uuid.UUID, points: int, ticket: str | None) -> dict[str, Any]:
    return t.event(
        "points.compensated",
        {
            "entry_id": str(uuid.uuid4()),
            "member_id": str(mid),
            "points": points,
            "ticket_id": ticket,
            "at": datetime.now(UTC).isoformat(),
        },
    )


def test_a_compensation_without_a_ticket_asking_for_it_is_refused(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    none = _compensation(t, mid, 10**6, None)
    made_up = _compensation(t, mid, 100, str(uuid.uuid4()))
    out = results(t, [none, made_up, t.sale(mid, total=1000)])
    assert [r["status"] for r in out] == ["rejected", "rejected", "applied"]
    assert out[0]["reason"] == out[1]["reason"] == "compensation_without_ticket"
    assert parked_reason(db_url, none) == "compensation_without_ticket"
    assert balance(db_url, mid) == 10


def _coupon(t: Till, mid: uuid.UUID | None, **terms: Any) -> dict[str, Any]:
    ev = t.coupon_issued(mid)
    ev["payload"].update(terms)
    return ev


def _stored(db_url: str, ev: dict[str, Any]) -> bool:
    db, s = session_for(db_url)
    with s:
        found = s.execute(select(Coupon.id).where(Coupon.code == ev["payload"]["code"])).first() is not None
    db.dispose()
    return found


def test_till_coupons_only_from_hqs_templates(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    now = datetime.now(UTC)
    fortune = _coupon(t, mid, reason="vip", amount=10**9, valid_to=(now + timedelta(days=3650)).isoformat())
    too_big = _coupon(t, mid, amount=10**9)  # the wake-up template, worth a fortune
    too_long = _coupon(t, mid, valid_to=(now + timedelta(days=3650)).isoformat())
    bearer = _coupon(t, None)
    sorry = _coupon(
        t, mid, reason=f"compensation:{uuid.uuid4()}", valid_to=(now + timedelta(days=30)).isoformat()
    )
    fine = _coupon(t, mid, code="C" + secrets.token_hex(5).upper())
    batch = [fortune, too_big, too_long, bearer, sorry, fine]
    out = results(t, batch)
    assert [r["status"] for r in out] == ["rejected"] * 5 + ["applied"]
    assert [r["reason"] for r in out[:5]] == [
        "coupon_template_not_allowed",
        "coupon_outside_template:amount",
        "coupon_outside_template:validity",
        "coupon_template_not_allowed:bearer",
        "compensation_without_ticket",
    ]
    assert [_stored(db_url, ev) for ev in batch] == [False] * 5 + [True]


def test_a_welcome_coupon_gets_the_programs_terms(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = enrolled(server, db_url, store_id)
    reg = t.registration(random_phone(), uuid.uuid4())
    now = datetime.now(UTC)
    reg["payload"]["welcome_coupon_terms"] = {
        "kind": "amount_off",
        "amount": 10**9,
        "threshold": 0,
        "valid_from": now.isoformat(),
        "valid_to": (now + timedelta(days=3650)).isoformat(),
    }
    assert results(t, [reg])[0]["status"] == "applied"
    db, s = session_for(db_url)
    with s:
        c = s.execute(select(Coupon).where(Coupon.code == reg["payload"]["welcome_coupon"])).scalar_one()
        assert (c.amount, c.threshold) == (1000, 5000)  # the server's welcome terms
        assert c.valid_to - c.valid_from <= timedelta(days=30)
    db.dispose()


def test_an_approved_adjustment_expires_by_the_program_in_the_stores_own_zone(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    """HQ approving a held adjustment writes the lot push would have written: the program's
    expiry (year end, N years on) in the store's zone, here New York, not the server's default."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import update

    from app.domain.program import DEFAULT_PROGRAM
    from server.models import LedgerEntry, Store

    t = enrolled(server, db_url, store_id)
    db, s = session_for(db_url)
    with s:
        assert (
            s.execute(update(Store).where(Store.id == store_id).values(timezone="America/New_York")).rowcount
            == 1
        )
        s.commit()
    db.dispose()
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    event = t.adjust(mid, 800)
    (out,) = results(t, [event])
    held = out["result"]["held_for_approval"]
    ok = requests.post(
        f"{server.url}/api/v1/held-events/{held}/approve", headers=HQ, timeout=10, json={"actor": "hq-li"}
    )
    assert ok.status_code == 200, ok.text
    db, s = session_for(db_url)
    with s:
        entry = s.execute(select(LedgerEntry).where(LedgerEntry.member_id == mid)).scalar_one()
    db.dispose()
    at = datetime.fromisoformat(event["payload"]["at"])
    new_york = DEFAULT_PROGRAM.expires_at(at, ZoneInfo("America/New_York"))
    assert entry.expires_at == new_york
    assert new_york != DEFAULT_PROGRAM.expires_at(at, ZoneInfo("Asia/Shanghai"))

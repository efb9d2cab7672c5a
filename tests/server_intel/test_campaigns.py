"""Campaigns run by the server (PostgreSQL): each trigger fires once per reason, respects the
budget and the per-member cap, holds out its control group, and reaches tills by pull."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from server.intel.campaign_report import campaign_report
from server.intel.campaigns import CampaignIn, in_control, run_campaigns, save_campaign
from server.intel.config import IntelConfig
from server.intel.models import IntelCampaign
from server.intel.recompute import recompute
from tests.server_intel.chain import T0, Chain, Line

pytestmark = pytest.mark.postgres
CFG = IntelConfig()
DAY = timedelta(days=1)
COUPON = {"kind": "amount_off", "amount": 1000, "threshold": 5000, "valid_days": 14}


def _campaign(s: Session, cid: str, kind: str, **kw: Any) -> None:
    body = {
        "name": cid,
        "kind": kind,
        "coupon": COUPON,
        "starts_at": (T0 - 400 * DAY).isoformat(),
        "ends_at": (T0 + 400 * DAY).isoformat(),
        **kw,
    }
    save_campaign(s, cid, CampaignIn.model_validate(body))
    s.commit()


def _run(sessions: sessionmaker[Session], now: datetime = T0) -> dict[str, tuple[int, int]]:
    with sessions() as s:
        runs = run_campaigns(s, CFG, now)
        s.commit()
    return {r.campaign_id: (r.issued, r.held_out) for r in runs}


def _coupons(s: Session, member: Any) -> list[str]:
    return list(
        s.execute(
            text("SELECT issued_reason FROM coupons WHERE member_id = :m ORDER BY issued_at, issued_reason"),
            {"m": member},
        ).scalars()
    )


def test_welcome_birthday_wakeup_fire_once_per_reason(chain: Chain, sessions: sessionmaker[Session]) -> None:
    chain.store("S1")
    new = chain.member("S1", T0 - 2 * DAY, opt_in=False)  # welcome needs no marketing opt-in
    old = chain.member("S1", T0 - 40 * DAY)
    bday = chain.member("S1", T0 - 300 * DAY, birthday=date(1990, 6, 30), last_purchase_at=T0 - 5 * DAY)
    shy = chain.member("S1", T0 - 300 * DAY, birthday=date(1990, 6, 1), opt_in=False)
    idle = chain.member("S1", T0 - 300 * DAY, last_purchase_at=T0 - 31 * DAY)
    chain.commit()
    with sessions() as s:
        _campaign(s, "welcome", "welcome", params={"days": 7})
        _campaign(s, "bday", "birthday")
        _campaign(s, "wake", "wakeup", params={"days": 30}, per_member_cap=5)
    # welcome: registered in the last 7 days (new only); birthday in June (Shanghai): bday
    # (shy has not opted in to marketing); wake-up: idle 31 days (bday bought 5 days ago).
    assert _run(sessions) == {"bday": (1, 0), "wake": (1, 0), "welcome": (1, 0)}
    assert _run(sessions) == {"bday": (0, 0), "wake": (0, 0), "welcome": (0, 0)}  # never twice
    with sessions() as s:
        assert _coupons(s, new) == ["campaign:welcome"]
        assert _coupons(s, old) == [] and _coupons(s, shy) == []
        assert _coupons(s, bday) == ["campaign:bday"]
        assert _coupons(s, idle) == ["campaign:wake"]
        # Each coupon is a change for the member's stores' pulls.
        n = s.execute(
            text("SELECT count(*) FROM changes WHERE entity = 'coupon' AND member_id = :m"), {"m": idle}
        ).scalar_one()
        assert n == 1
        # A new dormant spell is a new reason: idle buys, then is idle 30 days again.
        s.execute(text("UPDATE members SET last_purchase_at = :t WHERE id = :m"), {"t": T0 + DAY, "m": idle})
        s.commit()
    assert _run(sessions, T0 + 10 * DAY)["wake"] == (0, 0)
    # 31 days on: idle again (a new spell), and bday now 36 days without a purchase.
    assert _run(sessions, T0 + 31 * DAY)["wake"] == (2, 0)
    with sessions() as s:
        assert _coupons(s, idle) == ["campaign:wake", "campaign:wake"]
        assert _coupons(s, bday) == ["campaign:bday", "campaign:wake"]


def test_cross_sell_and_frequency_caps_and_budget(chain: Chain, sessions: sessionmaker[Session]) -> None:
    chain.store("S1")
    chain.product("steak", "meat")
    chain.product("milk", "dairy")
    steak_twice = chain.member("S1", T0 - 300 * DAY)
    regular = chain.member("S1", T0 - 300 * DAY)
    twice = chain.member("S1", T0 - 300 * DAY)
    for h in (30, 5):  # two steak sales within 48 hours: two reasons, but a cap of 1
        chain.sale("S1", steak_twice, T0 - timedelta(hours=h), [Line("steak", 1, 8000)])
    chain.sale("S1", regular, T0 - 100 * timedelta(hours=1), [Line("steak", 1, 8000)])  # too long ago
    for d in (1, 3, 6):
        chain.sale("S1", regular, T0 - d * DAY, [Line("milk", 1, 1000)])
    for d in (1, 2):
        chain.sale("S1", twice, T0 - d * DAY, [Line("milk", 1, 1000)])
    chain.commit()
    with sessions() as s:
        recompute(s, CFG, full=True, as_of=T0)
        _campaign(
            s,
            "wine",
            "cross_sell",
            params={"bought": ["meat"], "hours": 48},
            coupon={**COUPON, "categories": ["wine_spirits"]},
            per_member_cap=1,
        )
        _campaign(s, "freq", "frequency", params={"visits": 3})
        _campaign(s, "potential", "segment", params={"segment": "potential"}, budget=2)
    # cross-sell: steak_twice once (cap 1); frequency: regular (3 visits in 7 days; twice has 2);
    # segment: the 3 are "potential" (active, not all of R, F, M >= 4); budget 2: the first 2 by id.
    assert _run(sessions) == {"freq": (1, 0), "potential": (2, 0), "wine": (1, 0)}
    assert _run(sessions) == {"freq": (0, 0), "potential": (0, 0), "wine": (0, 0)}
    with sessions() as s:
        assert sorted(_coupons(s, steak_twice)) == ["campaign:potential", "campaign:wine"]
        assert "campaign:freq" in _coupons(s, regular)
        assert "campaign:potential" not in _coupons(s, twice)  # third by id: over budget
        wine = s.execute(
            text("SELECT categories FROM coupons WHERE issued_reason = 'campaign:wine'")
        ).scalar_one()
        assert wine == ["wine_spirits"]


def test_control_group_held_out_and_report(chain: Chain, sessions: sessionmaker[Session]) -> None:
    chain.store("S1")
    chain.product("milk", "dairy")
    members = [chain.member("S1", T0 - 300 * DAY, last_purchase_at=T0 - 40 * DAY) for _ in range(40)]
    chain.commit()
    with sessions() as s:
        _campaign(s, "wake50", "wakeup", control_pct=50)
    expected_control = [m for m in members if in_control("wake50", m, 50)]
    assert 0 < len(expected_control) < 40
    assert _run(sessions) == {"wake50": (40 - len(expected_control), len(expected_control))}
    assert _run(sessions) == {"wake50": (0, 0)}  # the control group is recorded: not chosen again
    with sessions() as s:
        for m in members:
            assert bool(_coupons(s, m)) == (m not in expected_control)
        # After the campaign: one treated member and one control member buy.
        treated = next(m for m in members if m not in expected_control)
        held = expected_control[0]
    chain.received = datetime.now(UTC)
    chain.sale("S1", treated, T0 + DAY, [Line("milk", 1, 9000)])
    chain.sale("S1", held, T0 + DAY, [Line("milk", 1, 3000)])
    chain.commit()
    with sessions() as s:
        c = s.get(IntelCampaign, "wake50")
        assert c is not None
        rep = campaign_report(s, c)
    n_t, n_c = 40 - len(expected_control), len(expected_control)
    assert (rep["issued"], rep["held_out"], rep["redeemed"]) == (n_t, n_c, 0)
    assert rep["treated"]["buyers"] == 1 and rep["control"]["buyers"] == 1
    assert rep["uplift"] == round(round(1 / n_t, 4) - round(1 / n_c, 4), 4)
    assert rep["incremental_revenue"] == (9000 // n_t - 3000 // n_c) * n_t

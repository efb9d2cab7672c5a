"""Scores, tags, segments, baskets and KPIs of the hand-worked chain (tests/server_intel/
fixture.py), on PostgreSQL. Each expected figure is derived in the comment beside it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from server.intel import baskets, service
from server.intel.config import IntelConfig
from server.intel.recompute import recompute
from tests.server_intel.chain import T0, Chain
from tests.server_intel.fixture import Fixture, build

pytestmark = pytest.mark.postgres
CFG = IntelConfig(min_support=2)
DAY = timedelta(days=1)


@pytest.fixture
def fx(chain: Chain, sessions: sessionmaker[Session]) -> Fixture:
    f = build(chain)
    service.save_segment(chain.s, "big_spenders", "M 4+", {"m_min": 4})
    service.save_segment(chain.s, "s1_baby", "Baby at S1", {"tags_any": ["dyn:baby"], "stores_any": ["S1"]})
    service.save_segment(chain.s, "s2_meat", "Meat at S2", {"stores_any": ["S2"], "categories_any": ["meat"]})
    chain.commit()
    with sessions() as s:
        recompute(s, CFG, full=True, as_of=T0)
    return f


def _score(s: Session, member: Any) -> tuple[Any, ...]:
    return tuple(
        s.execute(
            text("SELECT r, f, m, lifecycle, segment, segments, tags FROM intel_scores WHERE member_id = :m"),
            {"m": member},
        ).one()
    )


def test_rfm_lifecycle_segments_and_tags(fx: Fixture, sessions: sessionmaker[Session]) -> None:
    # 12-month figures (the refund takes 2000 off C; E's only sale is older than 365 days):
    #   A 5 visits 47500 last -1d · B 1, 175000, -2d · C 2, 19500, -45d · D 1, 500, -100d · G 2, 7400, -3d
    # R by last purchase: D 1, C 2, G 3, B 4, A 5.  F by visits (ties by id, B < D, C < G):
    # B 1, D 2, C 3, G 4, A 5.  M by spend: D 1, G 2, C 3, A 4, B 5.
    with sessions() as s:
        # A: 5/5/4 core; June birthday; baby 1 day ago; organic 5 of 15 lines (33% >= 20%);
        # promo 5 of 15 (33% < 50%): not price-sensitive; 36 years old; a child.
        assert _score(s, fx.a) == (
            5,
            5,
            4,
            "active",
            "core",
            ["big_spenders", "s1_baby"],
            ["scene:birthday_month", "dyn:baby", "dyn:organic", "tier:silver", "age:35-44", "family:kids"],
        )
        # B: registered 10 days ago (new); 175000 is 87.5% of silver's 200000: near silver.
        assert _score(s, fx.b) == (
            4,
            1,
            5,
            "new",
            "potential",
            ["big_spenders"],
            ["scene:near_silver", "tier:basic"],
        )
        # C: last purchase 45 days ago: dormant; 66 years old; single; steak at S2.
        assert _score(s, fx.c) == (
            2,
            3,
            3,
            "dormant",
            "dormant",
            ["s2_meat"],
            ["tier:basic", "age:55+", "family:single"],
        )
        # D: 100 days: lost (bread only: not in s2_meat).
        assert _score(s, fx.d) == (1, 2, 1, "lost", "lost", [], ["tier:basic"])
        # E: no purchase in 12 months (no scores), 400 days: lost.
        assert _score(s, fx.e) == (None, None, None, "lost", "lost", [], ["tier:basic"])
        # F: never bought, registered 60 days ago: dormant; a cat.
        assert _score(s, fx.f) == (None, None, None, "dormant", "dormant", [], ["tier:basic", "family:pets"])
        # G: 3/4/2 active potential; 5 of 6 lines on promotion (83%): price-sensitive; 15
        # years old (the birthday on 20 June has not come yet) and a June birthday.
        assert _score(s, fx.g) == (
            3,
            4,
            2,
            "active",
            "potential",
            ["s2_meat"],
            ["scene:birthday_month", "dyn:price_sensitive", "tier:basic", "age:under_18"],
        )
        assert service.segment_members(s, "core", 10, 0) == [str(fx.a)]
        assert service.segment_members(s, "s2_meat", 10, 0) == sorted([str(fx.c), str(fx.g)])


def test_co_occurrence_and_suggestions(fx: Fixture, sessions: sessionmaker[Session]) -> None:
    # Baskets since T0-90d: A's 5, B's, C's 2, G's 2, the 2 walk-ins = 12 (D's and E's are older).
    # milk 7, bread 8, diaper 5, wine 2, steak 4, chips 4; bread+milk 7, diaper+milk 5,
    # bread+diaper 5, steak+wine 2, chips+steak 2, bread+chips 2, chips+milk 1, bread+steak 1.
    with sessions() as s:
        assert baskets.baskets_in_window(s, CFG, T0) == 12
        pairs = dict(((a, b), n) for a, b, n in s.execute(text("SELECT a, b, n FROM intel_pairs")).all())
        assert pairs == {
            ("bread", "milk"): 7,
            ("diaper", "milk"): 5,
            ("bread", "diaper"): 5,
            ("steak", "wine"): 2,
            ("chips", "steak"): 2,
            ("bread", "chips"): 2,
            ("chips", "milk"): 1,
            ("bread", "steak"): 1,
        }
        # with milk: diaper lift 5*12/(7*5) = 1.714286, confidence 5/7; bread 7*12/(7*8) = 1.5, 7/7.
        # chips+milk has 1 basket, under the minimum support of 2.
        got = baskets.bought_with(s, CFG, "milk", T0)
        assert [(x["sku"], x["baskets"], x["lift"], x["confidence"]) for x in got] == [
            ("diaper", 5, 1.714286, 0.714286),
            ("bread", 7, 1.5, 1.0),
        ]
        assert got[1]["support"] == round(7 / 12, 6)
        # G bought chips, bread, milk, steak in the last 30 days (none of them suggested):
        # wine via steak 2*12/(4*2) = 3.0; diaper via milk 1.714286 (via bread only 1.5).
        g = baskets.suggestions(s, CFG, fx.g, T0)
        assert [(x["sku"], x["because_of"], x["lift"]) for x in g] == [
            ("wine", "steak", 3.0),
            ("diaper", "milk", 1.714286),
        ]
        # C's purchases are 45 and 60 days old (not recent, so they may come back): steak via
        # wine 3.0 (confidence 2/2), wine via steak 3.0 (2/4), chips via steak 2*12/(4*4) = 1.5.
        c = baskets.suggestions(s, CFG, fx.c, T0)
        assert [(x["sku"], x["because_of"], x["lift"]) for x in c] == [
            ("steak", "wine", 3.0),
            ("wine", "steak", 3.0),
            ("chips", "steak", 1.5),
        ]


def _counts(s: Session) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    pairs = {(a, b): n for a, b, n in s.execute(text("SELECT a, b, n FROM intel_pairs")).all()}
    items: dict[str, int] = dict(s.execute(text("SELECT sku, n FROM intel_items")).all())
    return pairs, items


def test_counts_that_reach_zero_are_deleted(fx: Fixture, sessions: sessionmaker[Session]) -> None:
    # As of T0+71d the basket window starts at T0-19d: A's -1, -6, -12, B's -2, G's -3 and the
    # two walk-ins (-5 d; 31 May 17:30 UTC, 14.4 days before T0) are left. G's -20 d basket
    # was the only one with chips+milk: that count reaches zero and its row goes.
    with sessions() as s:
        recompute(s, CFG, as_of=T0 + 71 * DAY)
        assert _counts(s) == (
            {
                ("bread", "milk"): 4,
                ("diaper", "milk"): 3,
                ("bread", "diaper"): 3,
                ("steak", "wine"): 1,
                ("chips", "steak"): 1,
                ("bread", "chips"): 1,
                ("bread", "steak"): 1,
            },
            {"milk": 4, "bread": 5, "diaper": 3, "wine": 1, "steak": 2, "chips": 2},
        )
        # As of T0+89d only A's basket of T0-1d is left: wine, steak and chips go from the
        # items, every pair but A's three from the pairs.
        recompute(s, CFG, as_of=T0 + 89 * DAY)
        left = _counts(s)
        assert left == (
            {("bread", "milk"): 1, ("diaper", "milk"): 1, ("bread", "diaper"): 1},
            {"milk": 1, "bread": 1, "diaper": 1},
        )
        assert s.execute(text("SELECT count(*) FROM intel_pairs WHERE n <= 0")).scalar_one() == 0
        # Nothing suggested or bought with from a count that left: C's steak and wine are gone.
        assert baskets.suggestions(s, CFG, fx.c, T0 + 89 * DAY) == []
        assert baskets.bought_with(s, CFG, "steak", T0 + 89 * DAY) == []
        recompute(s, CFG, full=True, as_of=T0 + 89 * DAY)  # a full run counts the same
        assert _counts(s) == left


def _kpi(s: Session, kpi: str, store: str, period: str, bucket: date) -> tuple[int, int]:
    row = s.execute(
        text(
            "SELECT num, den FROM intel_kpis WHERE kpi = :k AND store_id = :s AND period = :p AND bucket = :b"
        ),
        {"k": kpi, "s": store, "p": period, "b": bucket},
    ).one_or_none()
    assert row is not None, (kpi, store, period, bucket)
    return int(row[0]), int(row[1])


def test_kpis(fx: Fixture, sessions: sessionmaker[Session]) -> None:
    june, may = date(2026, 6, 1), date(2026, 5, 1)
    with sessions() as s:
        # S1 in June (Shanghai): A on 3, 9, 14 June (9500 each, 3 items), B on 13 June
        # (175000, 2 items), the walk-in on 10 June (1000, 2 items) = 5 sales, 204500, 13 items.
        assert _kpi(s, "average_ticket", "S1", "month", june) == (204500, 5)
        assert _kpi(s, "items_per_sale", "S1", "month", june) == (13, 5)
        assert _kpi(s, "member_share", "S1", "month", june) == (4, 5)
        assert _kpi(s, "repurchase_rate", "S1", "month", june) == (1, 2)  # A twice or more, B once
        # The chain in June (Shanghai) adds G on 12 June (5700) and the S2 walk-in at 01:30 on
        # 1 June (300): 7 sales, 210500; A, B, G bought, A more than once.
        assert _kpi(s, "average_ticket", "*", "month", june) == (210500, 7)
        assert _kpi(s, "repurchase_rate", "*", "month", june) == (1, 3)
        assert _kpi(s, "member_share", "*", "month", june) == (5, 7)
        # S2 in Urumqi: that walk-in is on 31 May; May = C on 1 May (15000), G on 26 May
        # (1700), the walk-in (300); June = G's 5700 only.
        assert _kpi(s, "average_ticket", "S2", "month", may) == (17000, 3)
        assert _kpi(s, "average_ticket", "S2", "month", june) == (5700, 1)
        assert _kpi(s, "average_ticket", "S2", "day", date(2026, 5, 31)) == (300, 1)
        assert _kpi(s, "average_ticket", "*", "day", date(2026, 6, 1)) == (300, 1)
        # Week of Monday 8 June (chain): 9, 10, 12, 13, 14 June; A twice, B and G once.
        week = (9500 * 2 + 1000 + 5700 + 175000, 5)
        assert _kpi(s, "average_ticket", "*", "week", date(2026, 6, 8)) == week
        assert _kpi(s, "repurchase_rate", "*", "week", date(2026, 6, 8)) == (1, 3)
        # New members: B registered on 5 June at S1; June's 7 chain sales.
        assert _kpi(s, "new_members", "*", "month", june) == (1, 7)
        assert _kpi(s, "new_members", "S1", "day", date(2026, 6, 5)) == (1, 0)
        # Coupons issued in June: A's (redeemed) and B's; in May C's (redeemed).
        assert _kpi(s, "coupon_redemption", "*", "month", june) == (1, 2)
        assert _kpi(s, "coupon_redemption", "*", "month", may) == (1, 1)
        # Feedback at S1 in June: stars 5 + 4 + 1 = 10 over 3; NPS: 1 promoter (10), 1
        # detractor (2) -> 0 over 3; tickets: 20 h of 24 in time, 50 h of 48 late.
        assert _kpi(s, "feedback_score", "S1", "month", june) == (10, 3)
        assert _kpi(s, "nps", "S1", "month", june) == (0, 3)
        assert _kpi(s, "ticket_sla", "S1", "month", june) == (1, 2)
        # Cohorts (chain, by registration month): A (Nov 2025) bought in May and June 2026,
        # 6 and 7 months on; B (June 2026) bought in June; F (April 2026) never.
        extra = s.execute(
            text(
                "SELECT extra FROM intel_kpis WHERE kpi = 'retention' AND store_id = '*' "
                "AND bucket = '2025-11-01'"
            )
        ).scalar_one()
        assert extra == {"months": [6, 7], "active": [1, 1]}
        assert _kpi(s, "retention", "*", "month", date(2025, 11, 1)) == (0, 1)
        assert _kpi(s, "retention", "*", "month", date(2026, 4, 1)) == (0, 1)
        # CLV: A spent 47500 to date; B 175000; F nothing (sales gross of refunds).
        assert _kpi(s, "clv", "*", "month", date(2025, 11, 1)) == (47500, 1)
        assert _kpi(s, "clv", "S1", "month", june) == (175000, 1)
        assert _kpi(s, "clv", "*", "month", date(2026, 4, 1)) == (0, 1)

"""The hand-worked chain of tests/server_intel/test_hand.py (every figure there is derived by
hand from what is written here). As of T0 = 2026-06-15 12:00 Shanghai (04:00 UTC), Monday.

Stores: S1 (no zone set: the default, Asia/Shanghai), S2 (Asia/Urumqi, UTC+6).
Members (created in this order, so their ids ascend in this order: A < B < C < D < E < F < G):

- A: S1, registered -200 d, silver, born 1990-06-03, "一个孩子"; sales at -1, -6, -12, -20,
  -28 d, each milk 1000 + bread 500 (list 600) + diaper 8000.
- B: S1, -10 d; at -2 d wine 170000 + steak 5000.
- C: S2, -300 d, born 1960-01-10, "单身"; at -45 d steak 6000 + wine 9000, at -60 d steak
  6000 + chips 500; a refund of 2000 at -40 d.
- D: S2, -400 d; at -100 d bread 500.   E: S1, -500 d; at -400 d bread 500.
- F: S1, -60 d, "养猫"; no sales.
- G: S2, -150 d, born 2010-06-20; at -20 d chips 300 (list 500) + bread 400 (list 600) +
  milk 1000; at -3 d chips 300 (list 500) + bread 400 (list 600) + steak 5000 (list 6000).

Walk-ins (no member): S1 at -5 d milk 500 + bread 500 (list price); S2 at 2026-05-31 17:30 UTC
chips 300 (01:30 on 1 June in Shanghai, 23:30 on 31 May in Urumqi).
Coupons: A issued 2 June redeemed; B 5 June not redeemed; C 20 May redeemed.
Feedback at S1 in June: (5 stars, NPS 10, ticket closed in 20 h of a 24 h SLA), (4, 8),
(1, 2, ticket closed in 50 h of a 48 h SLA).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tests.server_intel.chain import T0, Chain, Line

DAY = timedelta(days=1)


@dataclass
class Fixture:
    a: uuid.UUID
    b: uuid.UUID
    c: uuid.UUID
    d: uuid.UUID
    e: uuid.UUID
    f: uuid.UUID
    g: uuid.UUID


def build(chain: Chain) -> Fixture:
    from server.intel.service import set_zone

    chain.store("S1")
    chain.store("S2")
    set_zone(chain.s, "S2", "Asia/Urumqi")
    chain.product("milk", "dairy", "Organic Milk 1L", "有机牛奶")
    chain.product("bread", "bakery", "Bread")
    chain.product("diaper", "baby", "Diapers")
    chain.product("wine", "wine_spirits", "Wine")
    chain.product("steak", "meat", "Steak")
    chain.product("chips", "snacks", "Chips")
    a = chain.member(
        "S1", T0 - 200 * DAY, tier="silver", birthday=date(1990, 6, 3), family="已婚，一个孩子（3岁）"
    )
    b = chain.member("S1", T0 - 10 * DAY)
    c = chain.member("S2", T0 - 300 * DAY, birthday=date(1960, 1, 10), family="单身")
    d = chain.member("S2", T0 - 400 * DAY)
    e = chain.member("S1", T0 - 500 * DAY)
    f = chain.member("S1", T0 - 60 * DAY, family="养猫")
    g = chain.member("S2", T0 - 150 * DAY, birthday=date(2010, 6, 20))
    for days in (1, 6, 12, 20, 28):
        chain.sale(
            "S1",
            a,
            T0 - days * DAY,
            [Line("milk", 1, 1000), Line("bread", 1, 500, 600), Line("diaper", 1, 8000)],
        )
    chain.sale("S1", b, T0 - 2 * DAY, [Line("wine", 1, 170000), Line("steak", 1, 5000)])
    c45 = chain.sale("S2", c, T0 - 45 * DAY, [Line("steak", 1, 6000), Line("wine", 1, 9000)])
    chain.sale("S2", c, T0 - 60 * DAY, [Line("steak", 1, 6000), Line("chips", 1, 500)])
    chain.refund(c45, c, T0 - 40 * DAY, 2000)
    chain.sale("S2", d, T0 - 100 * DAY, [Line("bread", 1, 500)])
    chain.sale("S1", e, T0 - 400 * DAY, [Line("bread", 1, 500)])
    chain.sale(
        "S2",
        g,
        T0 - 20 * DAY,
        [Line("chips", 1, 300, 500), Line("bread", 1, 400, 600), Line("milk", 1, 1000)],
    )
    chain.sale(
        "S2",
        g,
        T0 - 3 * DAY,
        [Line("chips", 1, 300, 500), Line("bread", 1, 400, 600), Line("steak", 1, 5000, 6000)],
    )
    chain.sale("S1", None, T0 - 5 * DAY, [Line("milk", 1, 500), Line("bread", 1, 500)])
    chain.sale("S2", None, datetime(2026, 5, 31, 17, 30, tzinfo=UTC), [Line("chips", 1, 300)])
    chain.coupon("CA", a, datetime(2026, 6, 2, 4, tzinfo=UTC), redeemed=True)
    chain.coupon("CB", b, datetime(2026, 6, 5, 4, tzinfo=UTC))
    chain.coupon("CC", c, datetime(2026, 5, 20, 4, tzinfo=UTC), redeemed=True)
    june = datetime(2026, 6, 10, 2, tzinfo=UTC)
    chain.feedback("S1", june, 5, 10, ticket=(timedelta(hours=20), timedelta(hours=24)))
    chain.feedback("S1", june, 4, 8)
    chain.feedback("S1", june, 1, 2, ticket=(timedelta(hours=50), timedelta(hours=48)))
    chain.commit()
    return Fixture(a, b, c, d, e, f, g)

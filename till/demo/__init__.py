"""A realistic demo store: products, promotions, staff, members, coupons and past sales.

`seed_demo(ctx, members=2000, sales=400, seed=...)` fills an empty store (`till demo seed`).
The same seed gives the same store (the same catalogue, members, baskets, coupons and
timeline); only the UUIDv7 ids, signatures and hashes differ from run to run.

Where it lives: the catalogue is `resources/demo/catalogue.json`, read by `catalogue`; the
staff and the names members are drawn from are in `people`; `plan` draws the members and
baskets, `activity` what they do; `seed` writes it all in time order; `register` writes the
members and coupons in bulk; `summary` counts what was made.

What goes through the real use cases, with the clock moved back to the moment it happened:

* staff: `app.services.staff.add_staff` (PINs hashed with the till's Argon2 hasher);
* past sales: `app.services.checkout.complete_sale` (pricing, coupons, points redemption,
  ledger, tier, audit, outbox exactly as at the till);
* refunds: `app.services.refunds.refund_sale` (with a supervisor's or manager's PIN);
* manual points adjustments: `app.services.points.adjust_points`;
* points expiry: `app.services.points.expire_due` at the end (points earned in the year
  before last are expired, as the daily job would have done).

Members are registered in bulk (`register.register_batch`), many per transaction, with the
rows built by the same builder as the `register_member` use case
(`app.services.registration.registration_rows`): the member (consent recorded,
registration time in the past), the welcome coupon, a `member.register` audit entry chained
to the log and a `member.registered` outbox event with the same payload and the terminal's
next outbox sequence number. They are written in time order between the sales, so the audit
log and the outbox stay in the order things happened.

Other coupons (birthday, wake-up, cross-sell, free gift, double points, compensation and the
bearer campaign codes) reach a real till from the server by sync; here they are written as
coupon rows, as sync would write them.

Known demo staff (login / PIN): cashier 1001 / 1234, cashier 1002 / 2345, supervisor
2001 / 5678, manager 3001 / 9999.

Known demo members (fixed demo numbers, one per tier, so that a demo can start from a
typed phone number): 138 0013 8000 (black), 138 0013 8001 (gold), 138 0013 8002 (silver),
138 0013 8003 (basic, registered today with an unused welcome coupon).
"""

from __future__ import annotations

from till.demo.catalogue import DemoProduct, catalogue, demo_products, ean13_check_digit, is_valid_ean13
from till.demo.people import DEMO_STAFF, KNOWN_MEMBERS
from till.demo.seed import DEFAULT_SEED, seed_demo
from till.demo.summary import SeedSummary, StoreNotEmpty, store_is_empty

__all__ = [
    "DEFAULT_SEED",
    "DEMO_STAFF",
    "KNOWN_MEMBERS",
    "DemoProduct",
    "SeedSummary",
    "StoreNotEmpty",
    "catalogue",
    "demo_products",
    "ean13_check_digit",
    "is_valid_ean13",
    "seed_demo",
    "store_is_empty",
]

"""The demo store drawn from one random generator before anything is written: its members
(`Planner.members`), baskets and moments. What they do is planned in `till.demo.activity`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import Any

from app.domain.coupons import new_coupon_code
from app.domain.ids import MemberId, new_id
from app.domain.members import InvalidPhone, make_card_number, normalize_phone
from app.domain.tiers import Tier
from till.demo.catalogue import DemoProduct, catalogue, demo_products
from till.demo.people import FAMILIES, GIVEN, KNOWN_MEMBERS, MOBILE_PREFIXES, SURNAMES


@dataclass(slots=True)
class PlannedMember:
    id: MemberId
    phone: str
    card_no: str
    name: str | None
    birthday: date | None
    family: str | None
    favourites: tuple[str, ...]
    marketing: bool
    registered_at: datetime
    staff_login: str
    welcome_code: str | None = None  # drawn for the member at registration
    welcome_planned: bool = False  # a planned sale uses it
    target: Tier = Tier.BASIC


@dataclass(slots=True)
class PlannedSale:
    at: datetime
    member: PlannedMember | None
    lines: list[tuple[str, int]]
    coupons: tuple[str, ...] = ()
    redeem: int = 0  # points redemption wanted, in steps (0: none); capped by the balance
    reference: str = ""
    cashier: str = "1001"
    tender: str = "mobile"
    big: bool = False
    refund: timedelta | None = None
    full_refund: bool = False


@dataclass(slots=True)
class CouponPlan:
    at: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class PlannedAdjust:
    at: datetime
    member: PlannedMember
    points: int
    note: str


# The days before now the known members joined, by their tier (the basic one: today).
_KNOWN_JOINED_DAYS = {Tier.BLACK: 600, Tier.GOLD: 500, Tier.SILVER: 400, Tier.BASIC: 0}


class Planner:
    """Draws the whole store from one random generator, before anything is written."""

    def __init__(self, rng: random.Random, now: datetime, tz: tzinfo, store_no: int, welcome: bool) -> None:
        self.rng = rng
        self.now = now
        self.tz = tz
        self.store_no = store_no
        self.welcome = welcome
        self.products = demo_products()
        self.by_category: dict[str, list[DemoProduct]] = {}
        for p in self.products:
            self.by_category.setdefault(p.category, []).append(p)
        self.price = {p.sku: p.member_or_list for p in self.products}
        self.category_of = {p.sku: p.category for p in self.products}
        self.codes: set[str] = set()

    # -------------------------------------------------------------- small draws

    def code(self, prefix: str = "C") -> str:
        while True:
            c = new_coupon_code(prefix, self.rng.choice)
            if c not in self.codes:
                self.codes.add(c)
                return c

    def local_time(self, day: date, start_h: int = 8, end_h: int = 22) -> datetime:
        minutes = self.rng.randrange(start_h * 60, end_h * 60)
        local = datetime.combine(
            day, dtime(minutes // 60, minutes % 60, self.rng.randrange(60)), tzinfo=self.tz
        )
        return local.astimezone(UTC)

    def moment(self, earliest: datetime, latest: datetime) -> datetime:
        """A business-hours moment between two instants (clamped to them)."""
        if latest <= earliest:
            return earliest
        span = (latest - earliest).days
        for _ in range(8):
            day = (earliest + timedelta(days=self.rng.randint(0, max(span, 0)))).astimezone(self.tz)
            at = self.local_time(day.date())
            if earliest <= at <= latest:
                return at
        return earliest + (latest - earliest) * self.rng.random()

    # -------------------------------------------------------------- members

    def members(self, n: int) -> list[PlannedMember]:
        """`n` members, the fixed demo ones first, in registration order."""
        phones: set[str] = {p for p, _ in KNOWN_MEMBERS}
        cards: set[str] = set()
        known = list(KNOWN_MEMBERS)[: max(0, min(len(KNOWN_MEMBERS), n))]
        out = []
        for i in range(n):
            phone = known[i][0] if i < len(known) else self._new_phone(phones)
            out.append(self._member(phone, self._new_card(cards)))
        # The known members: the black, gold and silver ones joined long ago; the basic
        # one joined today.
        for m, (_, tier) in zip(out, known, strict=False):
            m.target = tier
            days = _KNOWN_JOINED_DAYS[tier]
            m.registered_at = self.now - (timedelta(days=days, hours=3) if days else timedelta(minutes=30))
        if self.welcome:
            for m in out:
                m.welcome_code = self.code()
        out.sort(key=lambda m: m.registered_at)
        return out

    def _new_phone(self, taken: set[str]) -> str:
        while True:
            raw = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            try:
                phone = normalize_phone(raw)
            except InvalidPhone:
                continue
            if phone not in taken:
                taken.add(phone)
                return phone

    def _new_card(self, taken: set[str]) -> str:
        while True:
            card = make_card_number(self.store_no, self.rng.randrange(10**11))
            if card not in taken:
                taken.add(card)
                return card

    def _member(self, phone: str, card: str) -> PlannedMember:
        rng = self.rng
        # Registered over the last two years, more of them recently.
        registered = self.now - timedelta(days=730 * rng.random() ** 1.4)
        registered = self.moment(registered - timedelta(hours=12), registered + timedelta(hours=12))
        registered = min(registered, self.now - timedelta(minutes=5))
        name = self._name()
        birthday = None
        if rng.random() < 0.8:
            birthday = date(self.now.year - rng.randint(18, 75), rng.randint(1, 12), rng.randint(1, 28))
        family = rng.choice(FAMILIES) if rng.random() < 0.3 else None
        favourites = tuple(rng.sample(sorted(catalogue().ids), rng.choice((0, 0, 1, 2, 3))))
        return PlannedMember(
            id=MemberId(new_id()),
            phone=phone,
            card_no=card,
            name=name,
            birthday=birthday,
            family=family,
            favourites=favourites,
            marketing=rng.random() < 0.6,
            registered_at=registered,
            staff_login=rng.choice(("1001", "1001", "1002")),
        )

    def _name(self) -> str | None:
        rng = self.rng
        if rng.random() >= 0.7:
            return None
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        return rng.choice(SURNAMES) + given

    # -------------------------------------------------------------- baskets

    def everyday_basket(self, max_lines: int = 10) -> list[tuple[str, int]]:
        rng = self.rng
        cats = catalogue().ids
        weights = [c.everyday_weight for c in catalogue().categories]
        n = min(max_lines, 1 + int(rng.expovariate(1 / 4)))
        lines: dict[str, int] = {}
        for _ in range(n):
            cat = rng.choices(cats, weights)[0]
            p = rng.choice(self.by_category[cat])
            if p.unit_price > 30000 and rng.random() < 0.85:
                continue  # everyday baskets rarely hold the ¥300+ items
            lines[p.sku] = lines.get(p.sku, 0) + rng.choice((1, 1, 1, 1, 2, 2, 3))
        if not lines:
            p = rng.choice(self.by_category["dairy"])
            lines[p.sku] = 1
        return list(lines.items())

    def big_basket(self, target: int) -> list[tuple[str, int]]:
        """A festive or stock-up basket worth at least `target` fen at member prices."""
        rng = self.rng
        # Items dear enough to matter, cheap enough not to overshoot by much.
        premium = [
            p
            for c in catalogue().premium
            for p in self.by_category[c]
            if 5000 <= p.member_or_list <= max(target // 4, 5000)
        ]
        lines: dict[str, int] = dict(self.everyday_basket(6))
        total = sum(self.price[s] * q for s, q in lines.items())
        while total < target:
            p = rng.choice(premium)
            price = self.price[p.sku]
            q = min(rng.randint(1, 4), -(-(target - total) // price))
            lines[p.sku] = lines.get(p.sku, 0) + q
            total += price * q
        return list(lines.items())

    def pad(self, lines: list[tuple[str, int]], category: str | None, floor: int) -> None:
        """Add items (of `category` if given) until the eligible lines reach `floor` fen."""

        def scope() -> int:
            return sum(
                self.price[s] * q for s, q in lines if category is None or self.category_of[s] == category
            )

        pool = self.by_category[category] if category else self.by_category["grain"]
        while scope() < floor:
            p = self.rng.choice(pool)
            lines.append((p.sku, 1))

    def basket_total(self, lines: Sequence[tuple[str, int]]) -> int:
        return sum(self.price[s] * q for s, q in lines)

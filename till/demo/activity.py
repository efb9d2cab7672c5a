"""What the demo's members do over two years, planned before anything is written: the sales
that lift some of them to the higher tiers, everyday sales (a third of a new member's within
days of joining, with the welcome coupon), coupon campaigns and the sales that use them,
refunds and manual points adjustments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from app.domain.coupons import BEARER_PREFIX, MEMBER_PREFIX
from app.domain.tiers import Tier
from till.demo.people import KNOWN_MEMBERS
from till.demo.plan import CouponPlan, PlannedAdjust, PlannedMember, PlannedSale, Planner

DAY = timedelta(days=1)

Plan = tuple[list[PlannedSale], list[CouponPlan], list[PlannedAdjust]]


def plan_activity(p: Planner, people: list[PlannedMember], n_sales: int) -> Plan:
    if not people:
        return (
            [
                PlannedSale(p.moment(p.now - 300 * DAY, p.now - DAY), None, p.everyday_basket())
                for _ in range(n_sales)
            ],
            [],
            [],
        )
    sales: list[PlannedSale] = []
    budget = _tier_sales(p, people, n_sales, sales)
    budget = _known_sales(p, people, budget, sales)
    _everyday_sales(p, people, budget, sales)
    plans = _Campaigns(p, people, sales, n_sales).plan()
    _refunds(p, sales, n_sales)
    adjusts = _adjusts(p, people)
    sales.sort(key=lambda s: s.at)
    return sales, plans, adjusts


def _tier_sales(p: Planner, people: list[PlannedMember], n_sales: int, sales: list[PlannedSale]) -> int:
    """Members who reach the higher tiers: big baskets inside the rolling 12 months. Returns
    the sales left for the rest."""
    rng, now = p.rng, p.now
    # (tier, how many members, sales each, fen per sale at member prices)
    tier_plan = [
        (Tier.BLACK, max(1, n_sales // 130), 5, 1_250_000),
        (Tier.GOLD, max(1, n_sales // 40), 3, 430_000),
        (Tier.SILVER, max(1, n_sales // 12), 2, 135_000),
    ]
    older = [m for m in people if m.registered_at < now - 60 * DAY and m.target is Tier.BASIC]
    rng.shuffle(older)
    budget = n_sales
    for tier, count, each, fen in tier_plan:
        chosen = [m for m in people if m.target is tier]
        while len(chosen) < count and older:
            m = older.pop()
            m.target = tier
            chosen.append(m)
        for m in chosen:
            if budget < each:
                break
            budget -= each
            start = max(m.registered_at + DAY, now - 300 * DAY)
            for _ in range(each):
                lines = p.big_basket(fen)
                sales.append(
                    PlannedSale(
                        p.moment(start, now - DAY),
                        m,
                        lines,
                        big=True,
                        tender=rng.choice(("card", "mobile")),
                        cashier=rng.choice(("1001", "1002")),
                    )
                )
    return budget


def _known_sales(p: Planner, people: list[PlannedMember], budget: int, sales: list[PlannedSale]) -> int:
    """The known black and gold members shopped this week."""
    for m in people:
        if m.phone in (KNOWN_MEMBERS[0][0], KNOWN_MEMBERS[1][0]) and budget > 0:
            budget -= 1
            sales.append(
                PlannedSale(
                    p.moment(p.now - 6 * DAY, p.now - timedelta(hours=2)),
                    m,
                    p.everyday_basket(),
                    tender="mobile",
                    reference=f"{p.rng.randrange(10**12):012d}",
                )
            )
    return budget


def _everyday_sales(p: Planner, people: list[PlannedMember], budget: int, sales: list[PlannedSale]) -> None:
    """A third of the member sales come within days of joining (and use the welcome coupon);
    some are old enough that their points have expired since. About one member in eight is a
    regular who does most of the member shopping (and so has points to redeem); the others
    come now and then."""
    rng = p.rng
    members_pool = [m for m in people if m.phone != KNOWN_MEMBERS[-1][0]]
    regulars = [m for m in members_pool if rng.random() < 0.12] or members_pool
    for _ in range(budget):
        lines = p.everyday_basket()
        roll = rng.random()
        member = None
        if roll < 0.45 and regulars:
            member = rng.choice(regulars)
        elif roll < 0.78 and members_pool:
            member = rng.choice(members_pool)
        at = _everyday_moment(p, member)
        sale = PlannedSale(
            at,
            member,
            lines,
            cashier=rng.choice(("1001", "1001", "1002")),
            tender=rng.choices(("mobile", "card", "cash"), (6, 2, 2))[0],
        )
        sale.reference = f"{rng.randrange(10**12):012d}"
        if member is not None:
            _welcome_or_redeem(p, sale, member)
        sales.append(sale)


def _everyday_moment(p: Planner, member: PlannedMember | None) -> datetime:
    now = p.now
    if member is None:
        return p.moment(now - 365 * DAY, now - 2 * DAY)
    if p.rng.random() < 0.33:
        return p.moment(
            member.registered_at + timedelta(minutes=10),
            min(member.registered_at + 25 * DAY, now - timedelta(minutes=1)),
        )
    return p.moment(
        max(member.registered_at + timedelta(hours=1), now - 700 * DAY), now - timedelta(minutes=1)
    )


def _welcome_or_redeem(p: Planner, sale: PlannedSale, member: PlannedMember) -> None:
    """A new member's sale mostly uses the welcome coupon (once); others redeem some points."""
    if (
        member.welcome_code
        and not member.welcome_planned
        and sale.at <= member.registered_at + 29 * DAY
        and p.rng.random() < 0.8
    ):
        p.pad(sale.lines, None, 6000)
        sale.coupons = (member.welcome_code,)
        member.welcome_planned = True  # one use
    elif p.rng.random() < 0.35:
        sale.redeem = p.rng.randint(1, 30)


class _Campaigns:
    """Coupon campaigns (rows as the server's sync would write them) and the sales that use
    some of them."""

    def __init__(
        self, p: Planner, people: list[PlannedMember], sales: list[PlannedSale], n_sales: int
    ) -> None:
        self.p = p
        self.people = people
        self.n_sales = n_sales
        self.plans: list[CouponPlan] = []
        everyday = [s for s in sales if not s.big and not s.coupons]
        self.members_sales = [s for s in everyday if s.member is not None]
        self.anon_sales = [s for s in everyday if s.member is None]

    def plan(self) -> list[CouponPlan]:
        self._bearer_flyer()
        self._bearer_gift()
        self._birthday()
        self._cross_sell()
        self._wake_up()
        return self.plans

    def campaign(
        self,
        at: datetime,
        kind: str,
        name: str,
        reason: str,
        holders: Sequence[PlannedMember | None],
        days: int,
        **spec: Any,
    ) -> list[str]:
        plan = CouponPlan(at)
        codes = []
        for h in holders:
            code = self.p.code(BEARER_PREFIX if h is None else MEMBER_PREFIX)
            codes.append(code)
            plan.rows.append(
                {
                    "member_id": h.id if h is not None else None,
                    "kind": kind,
                    "name": name,
                    "reason": reason,
                    "code": code,
                    "valid_from": at,
                    "valid_to": at + timedelta(days=days),
                    **spec,
                }
            )
        self.plans.append(plan)
        return codes

    @staticmethod
    def use(
        sale_pool: list[PlannedSale],
        code_of: Callable[[PlannedSale], str | None],
        prepare: Callable[[PlannedSale], None],
        k: int,
    ) -> None:
        for sale in sale_pool[:k]:
            code = code_of(sale)
            if code is None:
                continue
            prepare(sale)
            sale.coupons = (code,)
            sale.redeem = 0

    @staticmethod
    def _by_member(holders: Sequence[PlannedMember], codes: list[str]) -> Callable[[PlannedSale], str | None]:
        of = dict(zip((m.id for m in holders), codes, strict=True))
        return lambda s: of.get(s.member.id) if s.member is not None else None

    def _members_after(self, t: datetime, holders: Sequence[PlannedMember]) -> list[PlannedSale]:
        ids = {m.id for m in holders}
        return [
            s
            for s in self.members_sales
            if s.at > t and not s.coupons and s.member is not None and s.member.id in ids
        ]

    def _bearer_flyer(self) -> None:
        """Bearer flyer "满100减20", handed out 45 days ago, valid 30 days."""
        p = self.p
        t = p.now - 45 * DAY
        codes = iter(
            self.campaign(
                t,
                "amount_off",
                "满100减20 Spend ¥100 save ¥20",
                "campaign",
                [None] * max(10, self.n_sales // 8),
                30,
                amount=2000,
                threshold=10000,
            )
        )
        window = [s for s in self.anon_sales + self.members_sales if t < s.at < t + 30 * DAY]
        self.use(window, lambda s: next(codes, None), lambda s: p.pad(s.lines, None, 10500), 6)

    def _bearer_gift(self) -> None:
        """Bearer free gift: a yogurt with any dairy purchase, last 20 days."""
        p = self.p
        gift = next(x for x in p.by_category["dairy"] if x.unit_price < 1000)
        t = p.now - 20 * DAY
        codes = iter(
            self.campaign(
                t,
                "free_gift",
                "买乳品送酸奶 Free yogurt with dairy",
                "campaign",
                [None] * 20,
                30,
                gift_sku=gift.sku,
                categories=("dairy",),
            )
        )
        window = [s for s in self.anon_sales + self.members_sales if t < s.at and not s.coupons]
        self.use(window, lambda s: next(codes, None), lambda s: s.lines.append((gift.sku, 1)), 4)

    def _birthday(self) -> None:
        """Member coupons: birthday 9折 (percent off, capped) and double points on dairy."""
        p, people = self.p, self.people
        with_birthday = [m for m in people if m.birthday is not None and m.registered_at < p.now - 40 * DAY][
            : max(5, len(people) // 10)
        ]
        t = p.now - 40 * DAY
        bday = self.campaign(
            t,
            "percent_off",
            "生日9折券 Birthday 10% off",
            "birthday",
            with_birthday,
            60,
            percent="10",
            cap=3000,
            threshold=5000,
        )
        dbl = self.campaign(
            t,
            "points_multiplier",
            "乳品双倍积分券 Double points on dairy",
            "campaign",
            with_birthday[::2],
            60,
            multiplier="2",
            categories=("dairy",),
        )
        window = self._members_after(t, with_birthday)
        half = len(window) // 2
        self.use(
            window[:half], self._by_member(with_birthday, bday), lambda s: p.pad(s.lines, None, 6000), 10
        )
        dbl_ids = {m.id for m in with_birthday[::2]}
        self.use(
            [s for s in window[half:] if s.member is not None and s.member.id in dbl_ids],
            self._by_member(with_birthday[::2], dbl),
            lambda s: p.pad(s.lines, "dairy", 1),
            10,
        )

    def _cross_sell(self) -> None:
        """A cross-sell wine coupon (category scoped) for recent steak buyers."""
        p, people = self.p, self.people
        t = p.now - 25 * DAY
        takers = [m for m in people if m.registered_at < t][-max(5, len(people) // 40) :]
        wine = self.campaign(
            t,
            "amount_off",
            "买牛排送酒券 满200减30 Steak buyers: ¥30 off wine",
            "cross_sell",
            takers,
            30,
            amount=3000,
            threshold=20000,
            categories=("wine_spirits",),
        )
        self.use(
            self._members_after(t, takers),
            self._by_member(takers, wine),
            lambda s: p.pad(s.lines, "wine_spirits", 20000),
            5,
        )

    def _wake_up(self) -> None:
        """Wake-up coupons for dormant members, and a compensation coupon for three of them."""
        p, people = self.p, self.people
        dormant = [m for m in people if m.registered_at < p.now - 90 * DAY][: max(5, len(people) // 20)]
        self.campaign(
            p.now - 10 * DAY,
            "amount_off",
            "唤醒券 满80减15 We miss you: ¥15 off ¥80",
            "wake_up",
            dormant,
            14,
            amount=1500,
            threshold=8000,
        )
        self.campaign(
            p.now - 5 * DAY,
            "amount_off",
            "服务补偿券 Service compensation ¥20",
            "compensation",
            dormant[:3],
            30,
            amount=2000,
            stackable=True,
        )


def _refunds(p: Planner, sales: list[PlannedSale], n_sales: int) -> None:
    """A few everyday member sales with two or more lines are refunded, partly or fully."""
    now = p.now
    candidates = [
        s for s in sales if not s.big and s.member is not None and len(s.lines) >= 2 and s.at < now - 2 * DAY
    ]
    p.rng.shuffle(candidates)
    for i, s in enumerate(candidates[: max(1, n_sales // 60)]):
        s.refund = min(timedelta(hours=p.rng.randint(1, 96)), now - timedelta(minutes=2) - s.at)
        s.full_refund = i % 3 == 0


def _adjusts(p: Planner, people: list[PlannedMember]) -> list[PlannedAdjust]:
    return [
        PlannedAdjust(p.moment(m.registered_at + DAY, p.now - DAY), m, pts, note)
        for m, pts, note in zip(
            [m for m in people if m.registered_at < p.now - 30 * DAY][-2:],
            (500, 200),
            ("投诉补偿：生鲜质量 complaint: produce quality", "积分补录：系统故障 missed earn: outage"),
            strict=False,
        )
    ]

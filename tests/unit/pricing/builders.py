"""Small builders for pricing tests: a fixed instant, members, lines and coupons."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from fractions import Fraction

from app.pricing.model import (
    Basket,
    BasketLine,
    CouponKind,
    CouponSpec,
    MemberContext,
    Program,
    Promotion,
)

CST = timezone(timedelta(hours=8))
AT = datetime(2026, 11, 22, 10, 30, tzinfo=CST)


def member(tier: str = "basic", balance: int = 100_000, birthday: date | None = None) -> MemberContext:
    return MemberContext(tier=tier, points_balance=balance, birthday=birthday)


def line(
    sku: str, price: int, qty: int = 1, category: str = "grocery", member_price: int | None = None
) -> BasketLine:
    return BasketLine(sku=sku, category=category, unit_price=price, qty=qty, member_price=member_price)


def coupon(
    code: str,
    kind: CouponKind = "amount_off",
    *,
    amount: int | None = None,
    percent: str | None = None,
    cap: int | None = None,
    threshold: int = 0,
    categories: tuple[str, ...] = (),
    skus: tuple[str, ...] = (),
    stackable: bool = False,
    member_only: bool = False,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    gift_sku: str | None = None,
    multiplier: str | None = None,
) -> CouponSpec:
    return CouponSpec(
        code=code,
        kind=kind,
        amount=amount,
        percent=None if percent is None else Fraction(percent),
        cap=cap,
        threshold=threshold,
        categories=categories,
        skus=skus,
        stackable=stackable,
        member_only=member_only,
        valid_from=valid_from,
        valid_to=valid_to,
        gift_sku=gift_sku,
        multiplier=None if multiplier is None else Fraction(multiplier),
    )


def promo(
    pid: str,
    multiplier: str,
    *,
    categories: tuple[str, ...] = (),
    skus: tuple[str, ...] = (),
    starts: datetime | None = None,
    ends: datetime | None = None,
) -> Promotion:
    return Promotion(
        id=pid,
        kind="points_multiplier",
        multiplier=Fraction(multiplier),
        categories=categories,
        skus=skus,
        starts=starts,
        ends=ends,
    )


def birthday_promo(multiplier: str = "3") -> Promotion:
    return Promotion(id="BDAY", kind="birthday_multiplier", multiplier=Fraction(multiplier))


def basket(
    *lines: BasketLine,
    member: MemberContext | None = None,
    promotions: tuple[Promotion, ...] = (),
    coupons: tuple[CouponSpec, ...] = (),
    redeem_points: int = 0,
    program: Program | None = None,
    at: datetime = AT,
) -> Basket:
    return Basket(
        at=at,
        program=program or Program.default(),
        member=member,
        lines=tuple(lines),
        promotions=promotions,
        coupons=coupons,
        redeem_points=redeem_points,
    )

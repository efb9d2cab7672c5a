"""The cart being rung up: plain Python, no Qt (the checkout view wraps it).

One sale id per cart, made when the cart starts: a completion that fails (and is retried)
keeps the id, so the use case stores the sale at most once; a completed sale starts a new
cart with a new id.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from ui.services import Cart, CartLine, MemberView, Priced, new_sale_id
from ui.tender import TenderPlan


@dataclass
class CartState:
    lines: list[CartLine] = field(default_factory=list)
    member: MemberView | None = None
    coupons: list[str] = field(default_factory=list)
    redeem_points: int = 0
    plan: TenderPlan = field(default_factory=TenderPlan)  # how the customer pays
    sale_id: object = field(default_factory=new_sale_id)
    priced: Priced | None = None  # the newest quote of exactly these lines
    version: int = 0  # bumped on every change; a quote for an older version is stale
    scanned: list[float | None] = field(default_factory=list)  # per line: last scan (monotonic s)

    def _changed(self) -> None:
        self.version += 1
        self.priced = None

    def add(self, sku: str, qty: int = 1, at: float | None = None) -> int:
        """Scanning an item already in the cart adds to its line; returns the line index.
        `at` is when it was scanned (a monotonic clock), for taking a mistaken scan off."""
        for i, line in enumerate(self.lines):
            if line == CartLine(line.sku, line.qty) and line.sku == sku:  # a plain line of it
                self.lines[i] = CartLine(sku, line.qty + qty)
                self.scanned[i] = at
                self._changed()
                return i
        self.lines.append(CartLine(sku, qty))
        self.scanned.append(at)
        self._changed()
        return len(self.lines) - 1

    def add_line(self, line: CartLine, at: float | None = None) -> int:
        """A line of its own (a weighed item: every label is one line); returns its index."""
        self.lines.append(line)
        self.scanned.append(at)
        self._changed()
        return len(self.lines) - 1

    def replace_line(self, index: int, line: CartLine) -> None:
        """The line at `index` changed other than in quantity (a manual price approved)."""
        self.lines[index] = line
        self._changed()

    def set_qty(self, index: int, qty: int) -> None:
        self.lines[index] = replace(self.lines[index], qty=qty)
        self.scanned[index] = None  # a typed quantity is not a scan
        self._changed()

    def remove(self, index: int) -> CartLine:
        line = self.lines.pop(index)
        self.scanned.pop(index)
        self._changed()
        return line

    def scanned_ago(self, index: int, now: float) -> float | None:
        at = self.scanned[index] if index < len(self.scanned) else None
        return None if at is None else now - at

    def restore(
        self,
        lines: tuple[CartLine, ...],
        member: MemberView | None,
        coupons: tuple[str, ...],
        redeem_points: int,
    ) -> None:
        """A recalled sale's cart (a new sale id: the suspended one was never paid)."""
        self.clear()
        self.lines.extend(lines)
        self.scanned.extend(None for _ in lines)
        self.member = member
        self.coupons.extend(coupons)
        self.redeem_points = redeem_points if member else 0
        self._changed()

    def set_member(self, member: MemberView | None) -> None:
        self.member = member
        if member is None:
            self.redeem_points = 0
        self._changed()

    def toggle_coupon(self, code: str) -> bool:
        """Apply the coupon, or take it off if it was applied; True when now applied."""
        if code in self.coupons:
            self.coupons.remove(code)
            self._changed()
            return False
        self.coupons.append(code)
        self._changed()
        return True

    def drop_coupon(self, code: str) -> None:
        if code in self.coupons:
            self.coupons.remove(code)
            self._changed()

    def set_redeem(self, points: int) -> None:
        self.redeem_points = max(0, points)
        self._changed()

    def cart(self) -> Cart:
        return Cart(
            lines=tuple(self.lines),
            member_id=self.member.id if self.member else None,
            member_code=self.member.code if self.member else None,
            coupon_codes=tuple(self.coupons),
            redeem_points=self.redeem_points if self.member else 0,
        )

    @property
    def total_due(self) -> int | None:
        return self.priced.quote.total_due if self.priced else None

    @property
    def tendered(self) -> int | None:
        """Cash the customer handed over (fen); None: none typed."""
        return self.plan.cash_tendered

    def change_due(self) -> int:
        return 0 if self.priced is None else self.plan.change(self.priced.quote.total_due)

    def clear(self) -> None:
        """Start the next customer's cart (a new sale id)."""
        self.lines.clear()
        self.scanned.clear()
        self.member = None
        self.coupons.clear()
        self.redeem_points = 0
        self.plan = TenderPlan()
        self.sale_id = new_sale_id()
        self._changed()


def redeem_limit(priced: Priced | None, balance: int, step: int, per_yuan: int, max_share: Fraction) -> int:
    """The most points this cart can take now: the member's balance and at most
    `max_share` of the sale, in whole steps."""
    if priced is None or step <= 0:
        return 0
    q = priced.quote
    before_points = q.total_due + q.points_value
    by_share = int(before_points * max_share * per_yuan // 100)
    limit = min(balance, by_share)
    return max(0, limit // step * step)

"""Points and coupons at the checkout, without Qt. F5 first shows what a redemption would
be (points and money), F5 again applies it; a typed number is points, a typed amount in
yuan (`¥12`, `12.00`) is turned into points. A coupon the quote refuses, or one that would
give nothing on this sale (no money off, no extra points), is taken off with the reason and
so never used up. Part of :class:`ui.checkout_controller.CheckoutController`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from app.domain.money import format_fen as money
from app.pricing.model import (
    REJECT_BELOW_THRESHOLD,
    REJECT_DUPLICATE,
    REJECT_EXPIRED,
    REJECT_MEMBER_ONLY,
    REJECT_NO_ELIGIBLE_LINES,
    REJECT_NOT_STACKABLE,
    REJECT_NOT_YET_VALID,
)
from ui.cart import redeem_limit
from ui.checkout_text import MessageKind, Text, parse_yuan, points_refused_text, tx
from ui.services import Priced, TillServices

if TYPE_CHECKING:
    from ui.cart import CartState

TR_CONTEXT = "Checkout"  # the translation context of the strings below (ui/ts_update.py)

COUPON_REASONS: dict[str, Text] = {
    REJECT_DUPLICATE: tx("it is applied already"),
    REJECT_NOT_YET_VALID: tx("it is not valid yet"),
    REJECT_EXPIRED: tx("it has expired"),
    REJECT_MEMBER_ONLY: tx("it is for members: identify the member first"),
    REJECT_NOT_STACKABLE: tx("it cannot be combined with the other coupon"),
    REJECT_NO_ELIGIBLE_LINES: tx("no item in the cart is one it applies to"),
    REJECT_BELOW_THRESHOLD: tx("the items it applies to do not reach its minimum spend"),
    "unknown": tx("there is no such coupon"),
    "already_used": tx("it has been used already"),
    "other_member": tx("it belongs to another member"),
    "no_effect": tx("it would give nothing on this sale (no money off, no extra points)"),
}


def coupon_refused(code: str, reason: str) -> Text:
    why = COUPON_REASONS.get(reason)
    if why is None:
        return tx("Coupon {code} cannot be used on this sale.", code=code)
    return tx("Coupon {code} not applied: {why}. It is not used up.", code=code, why=why)


class LoyaltyControl:
    services: TillServices
    state: CartState
    pending_redeem: int | None = None  # points shown by F5, applied by the next F5
    _coupon_baseline: dict[str, int]  # code -> points earned before it was applied

    def say(self, kind: MessageKind, *parts: Text) -> None:
        raise NotImplementedError

    def error(self, *parts: Text) -> None:
        raise NotImplementedError

    def clear_message(self) -> None:
        raise NotImplementedError

    def requote(self) -> None:
        raise NotImplementedError

    @property
    def redeem_rule(self) -> tuple[int, int, Fraction]:
        """Step, points per yuan, most of a sale points may pay: the program in force."""
        r = self.services.program.redemption
        return r.step, r.points_per_yuan, Fraction(r.max_share)

    # ------------------------------------------------------------ coupons

    def toggle_coupon(self, code: str) -> None:
        self.clear_message()
        if not self.state.lines:
            self.error(tx("Scan the items first, then apply the coupon."))
            return
        before = self.state.priced.quote.points_earned if self.state.priced else None
        applied = self.state.toggle_coupon(code)
        baseline = self._coupon_baseline
        baseline.pop(code, None)
        if applied and before is not None:
            baseline[code] = before
        self.say(
            "success",
            tx("Coupon {code} applied.", code=code) if applied else tx("Coupon {code} taken off.", code=code),
        )
        self.requote()

    def _refused_coupons(self, priced: Priced) -> bool:
        refused = list(priced.refused_coupons)
        refused += [(r.code, r.reason) for r in priced.quote.rejected_coupons]
        if not refused:
            return False
        for code, _ in refused:
            self.state.drop_coupon(code)
        if refused[0][1] == "offline":
            self.error(
                tx("Offline: coupons cannot be used until the server is back (this till's offline rules).")
            )
        else:
            self.error(coupon_refused(*refused[0]))
        return True

    def _useless_coupon(self, priced: Priced) -> bool:
        """A coupon just applied that takes no money off and adds no points: taken off."""
        baseline = self._coupon_baseline
        for applied in priced.quote.applied_coupons:
            before = baseline.pop(applied.code, None)
            if before is not None and applied.discount == 0 and priced.quote.points_earned <= before:
                self.state.drop_coupon(applied.code)
                self.error(coupon_refused(applied.code, "no_effect"))
                return True
        return False

    # ------------------------------------------------------------ points

    def redeem_limit(self) -> int:
        m = self.state.member
        if m is None:
            return 0
        step, per_yuan, share = self.redeem_rule
        balance = m.points_balance
        cap = self.state.priced.redeem_cap if self.state.priced is not None else None
        if cap is not None:  # offline: what the offline rules let this member redeem now
            balance = min(balance, cap.cap if cap.allowed else 0)
        return redeem_limit(self.state.priced, balance, step, per_yuan, share)

    def redeem_points(self, text: str) -> None:
        """F5: nothing typed shows the most that can be redeemed (or takes the points off
        when some are applied); a typed number of points or amount shows that; F5 again,
        with nothing typed, applies what is shown."""
        pending = self.pending_redeem
        self.clear_message()
        if self.state.member is None:
            self.error(tx("Identify the member first."))
            return
        if self.state.priced is None:
            self.error(tx("Scan the items first."))
            return
        if not text and pending is not None:
            self._apply_redeem(pending)
            return
        if not text and self.state.redeem_points:
            self._apply_redeem(0)
            return
        points = self._typed_points(text) if text else self.redeem_limit()
        if points is None:
            return
        if points == 0:
            self.error(tx("No points can be redeemed on this sale now."))
            return
        self.pending_redeem = points
        per_yuan = self.redeem_rule[1]
        self.say(
            "info",
            tx(
                "Redeem {points} points for {value}? F5 applies, Esc cancels.",
                points=f"{points:,}",
                value=money(points * 100 // per_yuan),
            ),
        )

    def _typed_points(self, text: str) -> int | None:
        step, per_yuan, _ = self.redeem_rule
        limit = self.redeem_limit()
        if text.isdigit():
            points = int(text)
        else:
            fen = parse_yuan(text)
            if fen is None:
                self.error(tx("Type the points (500) or the amount (¥5.00) to redeem, then press F5."))
                return None
            points = fen * per_yuan // 100
        if points % step or points > limit:
            self.error(
                tx(
                    "Redeem in steps of {step}, at most {limit} points ({value}) now.",
                    step=step,
                    limit=f"{limit:,}",
                    value=money(limit * 100 // per_yuan),
                )
            )
            return None
        return points

    def _apply_redeem(self, points: int) -> None:
        self.state.set_redeem(points)
        per_yuan = self.redeem_rule[1]
        self.say(
            "success",
            tx(
                "Redeeming {points} points ({value}).",
                points=f"{points:,}",
                value=money(points * 100 // per_yuan),
            )
            if points
            else tx("No points redeemed."),
        )
        self.requote()

    def _refused_points(self, priced: Priced) -> bool:
        if not (priced.quote.points_rejected and self.state.redeem_points):
            return False
        self.state.set_redeem(0)
        self.error(points_refused_text(priced, self.redeem_rule[0]))
        return True

"""Refunds over a stored sale: money back, points reversed, points given back.

Cumulative rule
---------------
For a line sold in quantity Q with a figure T (net money, points earned, points redeemed), the
amount belonging to the first q refunded units is ``amount_for(q) = floor(T * q / Q)``. A refund
of n more units after p already refunded gets ``amount_for(p + n) - amount_for(p)``. The
increments are never negative and, whatever the split, sum to exactly T once all Q units are
back, so a fully refunded sale returns exactly the money paid and nets its points to zero. On a
partial return the fraction of a fen (or point) stays with the units still out and comes back
with the last of them.

- money: the line's net, what was actually paid in money (after coupons and points);
- points reversed: the points the line earned;
- points given back: the points that were redeemed against the line (they paid for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.domain.clock import require_aware

RefundReason = Literal[
    "empty", "unknown_line", "qty_exceeds_remaining", "bad_qty", "bad_sale", "over_refunded"
]


# Why goods come back, as the cashier picks it (the event and the slip carry the code; "other"
# needs the cashier's own words in the note).
REFUND_REASONS = ("wrong_item", "damaged", "quality", "expired", "changed_mind", "price", "other")
MAX_REASON_NOTE = 200


def normalize_reason(reason: str, note: str) -> tuple[str, str]:
    """The (code, note) a refund keeps. A reason that is not a code of the list (free words
    from a caller before the list) is kept as "other" with those words as its note; an empty
    reason stays empty (callers before reasons: the demo seed, scripts). Raises ValueError
    for an "other" without words or a note longer than MAX_REASON_NOTE."""
    reason, note = reason.strip(), note.strip()
    if reason and reason not in REFUND_REASONS:
        reason, note = "other", f"{reason}; {note}" if note else reason
    if len(note) > MAX_REASON_NOTE:
        raise ValueError(f"the reason note is longer than {MAX_REASON_NOTE} characters")
    if reason == "other" and not note:
        raise ValueError('say in a few words why (reason "other")')
    return reason, note


class RefundError(ValueError):
    """A refund that cannot be made; `reason` is a stable code."""

    def __init__(self, reason: RefundReason, message: str, line_no: int | None = None) -> None:
        self.reason: RefundReason = reason
        self.line_no = line_no
        super().__init__(message)


def _nonneg_int(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RefundError("bad_sale", f"{what} must be an integer")
    if value < 0:
        raise RefundError("bad_sale", f"{what} must not be negative")


@dataclass(frozen=True, slots=True)
class SoldLine:
    """A line of the stored sale, as priced: all money in fen, all points integers.

    `points_discount_fen` and `coupon_discount_fen` are what the line was discounted by points
    and coupons; they are kept for the record (the money refunded is `net_fen`).
    """

    line_no: int
    qty: int
    net_fen: int
    points_earned: int = 0
    points_redeemed: int = 0
    points_discount_fen: int = 0
    coupon_discount_fen: int = 0

    def __post_init__(self) -> None:
        _nonneg_int(self.line_no, "line number")
        _nonneg_int(self.qty, "quantity")
        if self.qty == 0:
            raise RefundError("bad_sale", "a sold line has a positive quantity", self.line_no)
        for name in (
            "net_fen",
            "points_earned",
            "points_redeemed",
            "points_discount_fen",
            "coupon_discount_fen",
        ):
            _nonneg_int(getattr(self, name), name)


@dataclass(frozen=True, slots=True)
class RefundLine:
    line_no: int
    qty: int
    money_fen: int
    points_reversed: int
    points_given_back: int


@dataclass(frozen=True, slots=True)
class RefundPlan:
    lines: tuple[RefundLine, ...]
    money_fen: int
    points_reversed: int
    points_given_back: int
    full: bool


def amount_for(total: int, qty: int, of_qty: int) -> int:
    """The share of `total` belonging to `qty` of `of_qty` units: floor(total * qty / of_qty)."""
    return total * qty // of_qty


def _increment(total: int, before: int, now: int, of_qty: int) -> int:
    return amount_for(total, before + now, of_qty) - amount_for(total, before, of_qty)


def plan_refund(
    sale: Sequence[SoldLine],
    already_refunded: Mapping[int, int],
    requested: Mapping[int, int],
) -> RefundPlan:
    """Work out a refund of `requested` quantities (line_no → qty) of `sale`, given the
    quantities `already_refunded` by earlier refunds (line_no → qty).

    Lines requested with qty 0 are ignored. RefundError reasons: ``empty`` (nothing requested),
    ``unknown_line``, ``qty_exceeds_remaining``, ``bad_qty`` (negative or non-integer),
    ``bad_sale`` (duplicate or malformed sold lines), ``over_refunded`` (the earlier refunds
    exceed what was sold).
    """
    by_no = _by_line_no(sale)
    for line_no, qty in already_refunded.items():
        _check_qty(by_no, line_no, qty, "refunded quantity of line {n} is bad")
        if qty > by_no[line_no].qty:
            raise RefundError("over_refunded", f"line {line_no} was refunded more than was sold", line_no)
    for line_no, qty in requested.items():
        _check_qty(by_no, line_no, qty, "refund quantity for line {n} is bad")
    if not any(requested.values()):
        raise RefundError("empty", "choose at least one item to refund")
    out = [
        _refund_line(line, already_refunded.get(line.line_no, 0), requested[line.line_no])
        for line in sale
        if requested.get(line.line_no, 0)
    ]
    full = all(
        already_refunded.get(line.line_no, 0) + requested.get(line.line_no, 0) == line.qty for line in sale
    )
    return RefundPlan(
        lines=tuple(out),
        money_fen=sum(r.money_fen for r in out),
        points_reversed=sum(r.points_reversed for r in out),
        points_given_back=sum(r.points_given_back for r in out),
        full=full,
    )


def _by_line_no(sale: Sequence[SoldLine]) -> dict[int, SoldLine]:
    by_no: dict[int, SoldLine] = {}
    for line in sale:
        if line.line_no in by_no:
            raise RefundError("bad_sale", f"line {line.line_no} appears twice", line.line_no)
        by_no[line.line_no] = line
    return by_no


def _check_qty(by_no: Mapping[int, SoldLine], line_no: int, qty: object, bad: str) -> None:
    if line_no not in by_no:
        raise RefundError("unknown_line", f"the sale has no line {line_no}", line_no)
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
        raise RefundError("bad_qty", bad.format(n=line_no), line_no)


def _refund_line(line: SoldLine, before: int, now: int) -> RefundLine:
    left = line.qty - before
    if now > left:
        raise RefundError(
            "qty_exceeds_remaining",
            f"line {line.line_no}: only {left} left to refund, asked for {now}",
            line.line_no,
        )
    return RefundLine(
        line_no=line.line_no,
        qty=now,
        money_fen=_increment(line.net_fen, before, now, line.qty),
        points_reversed=_increment(line.points_earned, before, now, line.qty),
        points_given_back=_increment(line.points_redeemed, before, now, line.qty),
    )


def coupon_returns(full: bool, at: datetime, valid_to: datetime) -> bool:
    """A used coupon comes back to the member only on a full refund made within the coupon's
    validity (`at` <= `valid_to`, inclusive like the coupon's own window)."""
    require_aware(at, "refund time")
    require_aware(valid_to, "coupon validity end")
    return full and at <= valid_to

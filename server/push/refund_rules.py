"""What a till may refund (DOMAIN.md, "Trust"): only a sale the server holds, of the till's own
store (or of the chain where the program allows cross-store refunds), never more money or
quantity than remain of it (refused), never more points than remain (held to what remains,
with a conflict naming both figures)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.domain.events import RefundCompletedP
from server.models import Refund, Sale
from server.push.context import Batch, Rejected


@dataclass(frozen=True, slots=True)
class Remaining:
    money: int
    points_earned: int
    points_redeemed: int
    qty: dict[int, int]  # line_no -> units not yet refunded


def _qty(lines: Any) -> Counter[int]:
    """{line_no: qty} from a refund's `refund_lines` (a list) or `lines` ({"1": 2}); what cannot
    be read counts as nothing."""
    out: Counter[int] = Counter()
    if isinstance(lines, list):
        for ln in lines:
            if isinstance(ln, dict) and isinstance(ln.get("line_no"), int) and isinstance(ln.get("qty"), int):
                out[ln["line_no"]] += max(ln["qty"], 0)
    elif isinstance(lines, dict):
        for k, v in lines.items():
            if isinstance(k, str) and k.isdigit() and isinstance(v, int):
                out[int(k)] += max(v, 0)
    return out


def refunded_lines(details: dict[str, Any]) -> Counter[int]:
    return _qty(details.get("refund_lines", details.get("lines")))


def remaining(b: Batch, sale: Sale) -> Remaining:
    sold: Counter[int] = Counter()
    for ln in sale.lines:
        if isinstance(ln, dict) and isinstance(ln.get("line_no"), int) and isinstance(ln.get("qty"), int):
            sold[ln["line_no"]] += ln["qty"]
    money = sale.total_due
    earned, redeemed = sale.points_earned, sale.points_redeemed
    for r in b.s.execute(select(Refund).where(Refund.sale_id == sale.id)).scalars():
        money -= r.money
        earned -= r.points_reversed
        redeemed -= r.points_given_back
        sold.subtract(refunded_lines(r.details))
    return Remaining(money, earned, redeemed, dict(sold))


def check_refund(b: Batch, p: RefundCompletedP, raw: dict[str, Any]) -> tuple[Sale, Remaining]:
    """The refunded sale and what remains of it, or Rejected with the reason."""
    sale = b.s.get(Sale, p.sale_id)
    if sale is None:
        raise Rejected("refund_of_unknown_sale")
    if sale.store_id != b.store_id and not b.trust.cross_store_refunds:
        raise Rejected("refund_of_another_stores_sale")
    left = remaining(b, sale)
    if p.money > left.money:
        raise Rejected("refund_exceeds_sale:money")
    for line_no, qty in refunded_lines(raw).items():
        if qty > left.qty.get(line_no, 0):
            raise Rejected("refund_exceeds_sale:quantity")
    return sale, left

"""How the customer pays: one tender or several (cash + card + mobile), plain Python.

Each tender key with an amount typed adds a payment of that kind. With nothing typed, it
chooses the kind that pays the whole total exactly (no payment typed yet), or adds what is
left by that kind (after a part payment). Only cash may be more than what is left: the
difference is the change. The sale can complete once the payments cover the total (or
none was typed: the chosen kind pays it exactly).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ui.services import Tender

KINDS = ("cash", "card", "mobile")


class TenderRefused(ValueError):
    """A payment that cannot be taken (``reason`` is a code the screen puts in words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class TenderPlan:
    payments: list[tuple[str, int]] = field(default_factory=list)  # (kind, fen handed over)
    rest: str = "cash"  # the kind that takes what is left, exactly

    def choose(self, kind: str, amount: int | None, total: int | None = None) -> None:
        """A tender key: `amount` typed (fen) adds a payment, None chooses the rest's kind.
        With `total` known, a card or mobile payment above what is left is refused."""
        if kind not in KINDS:
            raise TenderRefused("unknown")
        if amount is None:
            self.rest = kind
            left = self.remaining(total) if total is not None else 0
            if self.payments and left:
                self.payments.append((kind, left))
            return
        if amount <= 0:
            raise TenderRefused("zero")
        if total is not None and kind != "cash" and amount > self.remaining(total):
            raise TenderRefused("over")
        self.payments.append((kind, amount))

    def undo(self) -> bool:
        """Take the last payment off; False when there was none."""
        if not self.payments:
            return False
        self.payments.pop()
        return True

    def paid(self) -> int:
        return sum(a for _, a in self.payments)

    def remaining(self, total: int) -> int:
        return max(0, total - self.paid())

    def change(self, total: int) -> int:
        """Change due to the customer (from cash only)."""
        return max(0, self.paid() - total)

    def settles(self, total: int) -> bool:
        """Whether the sale can complete now: no payment typed (the chosen kind pays the
        total exactly), or the payments cover the total with any change from cash."""
        if not self.payments:
            return True
        cash = sum(a for k, a in self.payments if k == "cash")
        return self.paid() >= total and self.change(total) <= cash

    def tenders(self, total: int) -> tuple[Tender, ...]:
        """The payments to store (call when :meth:`settles`)."""
        if not self.payments:
            return (Tender(self.rest, total),) if total > 0 else ()
        return tuple(Tender(k, a) for k, a in self.payments)

    @property
    def cash_tendered(self) -> int | None:
        """Cash handed over (None: none typed)."""
        cash = [a for k, a in self.payments if k == "cash"]
        return sum(cash) if cash else None

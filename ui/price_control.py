"""Weighed goods and manual price changes at the counter, without Qt: a scale label becomes
a line of its own; a supervisor approves a discount or a new price for the selected line
(the rule and its limits are `app/pricing/manual.py`'s; the approval `app/services/
price_changes.py`'s). Part of :class:`ui.checkout_controller.CheckoutController`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from app.domain.money import format_fen as money
from app.domain.scan import Weighed
from ui.checkout_text import MessageKind, Text, parse_yuan, tx
from ui.services import ApprovedChange, CartLine, ManualChange, StaffMember, TillServices

if TYPE_CHECKING:
    from ui.cart import CartState
    from ui.checkout_print import Screen

TR_CONTEXT = "Checkout"  # the translation context of the strings below (ui/ts_update.py)

PRICE_REASON_TEXTS = (
    tx("Damaged packaging"),
    tx("Close to its expiry date"),
    tx("Shelf price differs"),
    tx("Customer complaint"),
    tx("Other"),
)
PRICE_REASONS = tuple(t.source for t in PRICE_REASON_TEXTS)  # stored in English (the audit log)


@dataclass(frozen=True, slots=True)
class PriceTarget:
    """The line a manual price change is for, as it was when the dialog opened."""

    row: int
    line: CartLine
    name: str
    question: Text


def parse_change(kind: str, text: str, reason: str) -> ManualChange | None:
    """What the cashier typed: a whole percent (1-100) for a discount, yuan for a price."""
    if kind == "discount":
        t = text.strip().rstrip("%").strip()
        if not t.isdigit() or not 1 <= int(t) <= 100:
            return None
        return ManualChange("discount", int(t), reason)
    fen = parse_yuan(text)
    return None if fen is None else ManualChange("price", fen, reason)


class PriceControl:
    services: TillServices
    screen: Screen
    state: CartState
    cashier: StaffMember | None
    monotonic: Callable[[], float]

    def say(self, kind: MessageKind, *parts: Text) -> None:
        raise NotImplementedError

    def error(self, *parts: Text) -> None:
        raise NotImplementedError

    def clear_message(self) -> None:
        raise NotImplementedError

    def requote(self) -> None:
        raise NotImplementedError

    def name_of(self, sku: str) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------ weighed goods

    def add_weighed(self, label: Weighed) -> None:
        """A scale label: one line of its weight (or printed price), never added to another."""
        line = CartLine(label.plu, 1, grams=label.grams, scale_price=label.price)
        row = self.state.add_line(line, at=self.monotonic())
        self.requote()
        self.screen.select_row(row)

    # ------------------------------------------------------------ manual price changes

    def price_target(self, row: int | None) -> PriceTarget | None:
        """The selected line, when a price change can be asked for it."""
        self.clear_message()
        if row is None or self.cashier is None or row >= len(self.state.lines):
            self.error(tx("Scan the items first."))
            return None
        line = self.state.lines[row]
        if self.state.priced is None:
            self.error(tx("Pricing…"))
            return None
        name = self.name_of(line.sku)
        q = self.state.priced.quote.lines[row]
        return PriceTarget(
            row,
            line,
            name,
            tx(
                "Change the price of {qty} × {name} (now {price})",
                qty=line.qty,
                name=name,
                price=money(q.line_total),
            ),
        )

    def price_work(self, target: PriceTarget) -> Callable[[ManualChange, str, str], ApprovedChange]:
        """What the dialog runs with the change and the supervisor's number and PIN."""
        cashier = self.cashier
        assert cashier is not None
        services, member = self.services, self.state.member is not None
        line = replace(target.line, manual=None)

        def work(change: ManualChange, login: str, pin: str) -> ApprovedChange:
            return services.approve_price_change(cashier.id, line, change, member, login, pin)

        return work

    def price_changed(self, target: PriceTarget, approved: ApprovedChange) -> None:
        row = target.row
        if row >= len(self.state.lines) or replace(self.state.lines[row], qty=1) != replace(
            target.line, qty=1
        ):
            self.error(tx("The cart changed meanwhile; change the price again."))
            return
        self.state.replace_line(row, replace(self.state.lines[row], manual=approved))
        change = approved.change
        what = (
            tx("{percent}% off", percent=change.value)
            if change.kind == "discount"
            else tx("new price {price}", price=money(change.value))
        )
        self.say("success", tx("Price changed: {name}, {what}.", name=target.name, what=what))
        self.requote()
        self.screen.select_row(row)

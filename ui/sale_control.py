"""Sale control for the checkout, without Qt: quantities, taking a line off (alone when it
was scanned seconds ago, else with a supervisor), voiding the whole sale (a reason; a
supervisor above `[checkout]`'s limits), suspend and recall, and price check mode. Part of
:class:`ui.checkout_controller.CheckoutController`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.money import format_fen as money
from ui.checkout_text import MessageKind, Text, raw, tx
from ui.services import Cart, CartLine, MemberView, Priced, StaffMember, Suspended, TillServices

if TYPE_CHECKING:
    from ui.cart import CartState
    from ui.checkout_print import Runner, Screen

TR_CONTEXT = "Checkout"  # the translation context of the strings below (ui/ts_update.py)

VOID_REASON_TEXTS = (
    tx("Customer changed their mind"),
    tx("Customer cannot pay"),
    tx("Wrong items rung up"),
    tx("Other"),
)
VOID_REASONS = tuple(t.source for t in VOID_REASON_TEXTS)  # stored in English (the audit log)


@dataclass(frozen=True, slots=True)
class Removal:
    """A line to take off (`take` of its quantity: the last scan, or all of it)."""

    row: int
    line: CartLine
    name: str
    take: int
    needs_approval: bool
    scanned_ago_s: float | None
    question: Text


@dataclass(frozen=True, slots=True)
class Void:
    """The whole cart to void."""

    lines: tuple[CartLine, ...]
    total: int
    needs_approval: bool
    question: Text


class SaleControl:
    services: TillServices
    run: Runner
    screen: Screen
    state: CartState
    cashier: StaffMember | None
    monotonic: Callable[[], float]
    price_check = False

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

    def attach_member(self, member: MemberView) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ lines

    def set_quantity(self, text: str, row: int | None) -> None:
        self.clear_message()
        if row is None:
            self.error(tx("The cart is empty."))
            return
        if not text.isdigit() or not 1 <= int(text) <= 999:
            self.error(tx("Type the quantity (1-999), then press F2."))
            return
        if row < len(self.state.lines) and self.state.lines[row].weighed:
            self.error(tx("A weighed item is sold by its label; scan another label for more."))
            return
        self.state.set_qty(row, int(text))
        self.requote()
        self.screen.select_row(row)

    def removal(self, row: int | None) -> Removal | None:
        """What taking line `row` off means: the last scan of it, alone, when it was scanned
        within `[checkout] remove_alone_within_s`; else the whole line with a supervisor."""
        self.clear_message()
        if row is None or self.cashier is None or row >= len(self.state.lines):
            self.error(tx("The cart is empty."))
            return None
        line = self.state.lines[row]
        name = self.name_of(line.sku)
        ago = self.state.scanned_ago(row, self.monotonic())
        alone = not self.services.void_rules.needs_approval(
            (CartLine(line.sku, 1),), False, scanned_ago_s=ago
        )
        take = 1 if alone else line.qty
        return Removal(
            row,
            line,
            name,
            take,
            not alone,
            ago,
            tx("Remove {qty} × {name} from the cart?", qty=take, name=name),
        )

    def void_work(self, removal: Removal) -> Callable[[str, str], str]:
        """What the approval dialog runs with the supervisor's number and PIN."""
        cashier = self.cashier
        assert cashier is not None
        services, line = self.services, CartLine(removal.line.sku, removal.take)

        def work(login: str, pin: str) -> str:
            return services.void_lines(
                cashier.id, (line,), False, login, pin, scanned_ago_s=removal.scanned_ago_s
            )

        return work

    def remove_alone(self, removal: Removal) -> None:
        """A line scanned seconds ago: off without a supervisor (recorded all the same)."""
        work = self.void_work(removal)
        self.run(lambda: work("", ""), lambda _: self.removed(removal), lambda exc: self.error(raw(exc)))

    def removed(self, removal: Removal) -> None:
        row = removal.row
        if row < len(self.state.lines) and self.state.lines[row] == removal.line:
            if removal.take < removal.line.qty:
                self.state.set_qty(row, removal.line.qty - removal.take)
            else:
                self.state.remove(row)
        self.say("success", tx("Removed: {qty} × {name}.", qty=removal.take, name=removal.name))
        self.requote()

    # ------------------------------------------------------------ the whole sale

    def void(self) -> Void | None:
        self.clear_message()
        if not self.state.lines or self.cashier is None:
            self.error(tx("The cart is empty."))
            return None
        lines = tuple(self.state.lines)
        priced = self.state.priced
        total = priced.quote.total_due if priced else sum(ln.qty * (ln.price_override or 0) for ln in lines)
        needs = self.services.void_rules.needs_approval(lines, True, total=total)
        if priced is None:
            needs = True  # not priced yet: its total is not known, so a supervisor decides
        return Void(
            lines,
            total,
            needs,
            tx("Void the whole sale ({n} lines, {total})?", n=len(lines), total=money(total)),
        )

    def void_sale_work(self, void: Void) -> Callable[[str, str, str], str]:
        cashier = self.cashier
        assert cashier is not None
        services = self.services

        def work(reason: str, login: str, pin: str) -> str:
            return services.void_lines(cashier.id, void.lines, True, login, pin, reason, total=void.total)

        return work

    def voided(self, void: Void) -> None:
        self.state.clear()
        self.say(
            "success", tx("Sale voided ({n} lines, {total}).", n=len(void.lines), total=money(void.total))
        )
        self.screen.changed()

    # ------------------------------------------------------------ suspend and recall

    def suspend(self) -> None:
        self.clear_message()
        if not self.state.lines or self.cashier is None:
            self.error(tx("The cart is empty."))
            return
        cart, services, cashier_id = self.state.cart(), self.services, self.cashier.id
        total = self.state.total_due or 0

        def done(_: uuid.UUID) -> None:
            self.state.clear()
            self.say("success", tx("Sale suspended ({total}). Recall it with Shift+F11.", total=money(total)))
            self.screen.changed()

        self.run(
            lambda: services.suspend_sale(cashier_id, cart, total), done, lambda exc: self.error(raw(exc))
        )

    def recall(self, suspended: Suspended) -> None:
        self.clear_message()
        if self.state.lines or self.cashier is None:
            self.error(tx("Finish or suspend the current sale before recalling another."))
            return
        services, cashier_id = self.services, self.cashier.id

        def done(result: tuple[Cart, MemberView | None]) -> None:
            cart, member = result
            self.state.restore(cart.lines, member, cart.coupon_codes, cart.redeem_points)
            self.say("success", tx("Sale recalled: {n} items.", n=suspended.items))
            self.requote()

        self.run(
            lambda: services.recall_sale(suspended.id, cashier_id), done, lambda exc: self.error(raw(exc))
        )

    # ------------------------------------------------------------ price check

    def toggle_price_check(self) -> None:
        self.price_check = not self.price_check
        self.say(
            "info",
            tx("Price check: scan an item to see its price (nothing is added). Ctrl+K again to sell.")
            if self.price_check
            else tx("Price check off: scans are sold again."),
        )
        self.screen.changed()

    def check_price(self, sku: str) -> None:
        """Price one item for the current member (or none); the cart does not change."""
        member = self.state.member
        cart = Cart(lines=(CartLine(sku, 1),), member_id=member.id if member else None)
        services = self.services

        def done(priced: Priced) -> None:
            q = priced.quote.lines[0]
            name = priced.names[0] if priced.names else sku
            if q.line_total < q.list_total:
                self.say(
                    "info",
                    tx(
                        "Price check: {name} {price}, member price {member}.",
                        name=name,
                        price=money(q.list_total),
                        member=money(q.line_total),
                    ),
                )
            else:
                self.say("info", tx("Price check: {name} {price}.", name=name, price=money(q.list_total)))

        self.run(lambda: services.quote(cart), done, lambda exc: self.error(raw(exc)))

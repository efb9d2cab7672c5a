"""Printing for the checkout, without Qt: the receipt of the sale just made (and its
reprint) and the welcome slip of a new member, each on the worker, with what the cashier
is told. Part of :class:`ui.checkout_controller.CheckoutController`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from app.domain.money import format_fen as money
from ui.checkout_text import Message, MessageKind, Text, raw, tx
from ui.services import Registration, SaleDone, StaffMember, TillServices


class Runner(Protocol):
    """Runs `work` in the background; `done`/`failed`, then `after`, on the caller's thread."""

    def __call__(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        after: Callable[[], None] | None = None,
    ) -> None: ...


class Screen(Protocol):
    """What the controller tells the screen."""

    def changed(self) -> None: ...  # the cart, the quote or the totals changed: redraw
    def show_message(self, message: Message | None) -> None: ...
    def select_row(self, row: int) -> None: ...
    def printer_ok(self) -> None: ...


class ReceiptPrinting:
    services: TillServices
    run: Runner
    screen: Screen
    cashier: StaffMember | None

    last_receipt: str | None = None
    last_sale: SaleDone | None = None
    print_failed = False
    slip_printed: str | None = None  # card number of the last welcome slip printed
    _printed_once: frozenset[str] = frozenset()  # receipts that came out (a reprint is a copy)

    def say(self, kind: MessageKind, *parts: Text) -> None:
        raise NotImplementedError

    def error(self, *parts: Text) -> None:
        self.say("error", *parts)

    def clear_message(self) -> None:
        raise NotImplementedError

    @staticmethod
    def sold_text(done: SaleDone) -> tuple[Text, ...]:
        parts = [tx("Sale done, receipt {no}.", no=done.receipt_no)]
        if done.change_due:
            parts.append(tx("Change due: {change}.", change=money(done.change_due)))
        return tuple(parts)

    def _print(self, receipt_no: str, copy: bool = False) -> None:
        services = self.services
        self.run(lambda: services.print_sale(receipt_no, copy), self._printed, self._print_failed)

    def _printed(self, done: object) -> None:
        self.print_failed = False
        self._printed_once = self._printed_once | {getattr(done, "receipt_no", "")}
        prefix = self.sold_text(self.last_sale) if self.last_sale else ()
        self.say("success", *prefix, tx("Receipt printed."))
        self.screen.printer_ok()
        self.screen.changed()

    def _print_failed(self, exc: BaseException) -> None:
        self.print_failed = True
        self.error(raw(exc), tx("The sale is saved. Press F7 to print the receipt again."))
        self.screen.changed()

    def reprint(self) -> None:
        self.clear_message()
        self.print_failed = False
        ref = self.last_receipt or "last"
        # A copy once the receipt has come out; after a failed print, the original.
        self._print(ref, copy=ref == "last" or ref in self._printed_once)
        self.say("info", tx("Printing…"))
        self.screen.changed()

    def print_welcome_slip(self, reg: Registration) -> None:
        """The new member's code (QR) and welcome coupon on a slip, in the background."""
        services, cashier = self.services, self.cashier.name if self.cashier else ""

        def printed(_: object) -> None:
            self.slip_printed = reg.member.card_no
            self.say("success", tx("Member slip printed for card {card}.", card=reg.member.card_no))

        self.run(
            lambda: services.print_welcome_slip(reg, cashier),
            printed,
            lambda exc: self.error(raw(exc), tx("The member is registered.")),
        )

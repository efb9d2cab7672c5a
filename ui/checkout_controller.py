"""The checkout's state and rules, without Qt: the cart, the quote in flight, the tenders,
completing a sale and printing its receipt. ``ui/checkout_view.py`` draws it and feeds it
the cashier's keys; tests drive it directly with a synchronous runner.

Words for the cashier are :class:`Text` (a source string and its values), translated by the
screen when it draws them, so a language switch re-translates what is on screen. Slow work
(pricing, paying, printing, look-ups) goes through the ``Runner`` the screen gives: on the
Qt screen, the one worker thread of ``ui.ops``; callbacks come back on the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.domain.ids import ShiftId
from app.domain.money import format_fen as money
from app.domain.scan import ScanKind, classify_scan
from ui.cart import CartState
from ui.checkout_print import ReceiptPrinting, Runner, Screen
from ui.checkout_text import (
    TENDER_NAMES,
    Message,
    MessageKind,
    Text,
    parse_yuan,
    raw,
    tx,
)
from ui.loyalty_control import LoyaltyControl
from ui.price_control import PriceControl
from ui.sale_control import SaleControl
from ui.services import (
    CompleteSale,
    MemberView,
    Priced,
    SaleDone,
    StaffMember,
    TillServices,
)
from ui.tender import TenderRefused

TR_CONTEXT = "Checkout"  # the translation context of the strings below (ui/ts_update.py)


class CheckoutController(LoyaltyControl, SaleControl, PriceControl, ReceiptPrinting):
    """Needs the signed-in cashier and the open shift (``start``). Call on one thread."""

    def __init__(
        self,
        services: TillServices,
        run: Runner,
        screen: Screen,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.services = services
        self.weighed = services.config.scanner.weighed_layout()  # which scale labels it reads
        self.monotonic = monotonic
        self.run = run
        self.screen = screen
        self.state = CartState()
        self.cashier: StaffMember | None = None
        self.shift_id: ShiftId | None = None
        self.last_receipt: str | None = None
        self.last_sale: SaleDone | None = None
        self.print_failed = False
        self.completing = False
        self.slip_printed: str | None = None  # card number of the last welcome slip printed
        self.message: Message | None = None
        self.names: dict[str, str] = {}  # sku -> name, once a quote has named it
        self.confirmed: set[str] = set()  # skus a quote has accepted
        self._complete_when_priced = False
        self._coupon_baseline: dict[str, int] = {}

    # ------------------------------------------------------------ messages

    def say(self, kind: MessageKind, *parts: Text) -> None:
        self.message = Message(kind, parts) if parts else None
        self.screen.show_message(self.message)

    def clear_message(self) -> None:
        """The next action starts with an empty message area (and drops a points preview)."""
        self.pending_redeem = None
        if self.message is not None:
            self.say("info")

    def error(self, *parts: Text) -> None:
        self.say("error", *parts)

    # ------------------------------------------------------------ session

    def start(self, cashier: StaffMember, shift_id: ShiftId | None) -> None:
        self.cashier, self.shift_id = cashier, shift_id
        self.state.clear()
        self.confirmed.clear()
        self.say("info")
        self.screen.changed()

    # ------------------------------------------------------------ codes and lines

    def handle_code(self, text: str) -> None:
        """A scanned or typed code: member code, card, phone, coupon, or a product barcode."""
        if not text.strip():
            return
        self.clear_message()
        scanned = classify_scan(text, self.weighed)
        if scanned.kind.identifies_member:
            self.identify(scanned.text)
        elif scanned.kind is ScanKind.COUPON:
            self.toggle_coupon(scanned.text)
        elif scanned.weighed is not None and not self.price_check:
            self.add_weighed(scanned.weighed)
        elif scanned.kind is ScanKind.ENROL:  # not an item: say where it goes
            self.error(
                tx(
                    "That is the QR that enrols this till with head office: "
                    "a supervisor scans it in Settings, Server."
                )
            )
        else:
            self.add_item(scanned.text)

    def add_item(self, sku: str) -> None:
        if self.price_check:
            self.check_price(sku)
            return
        row = self.state.add(sku, at=self.monotonic())
        self.requote()
        self.screen.select_row(row)

    def name_of(self, sku: str) -> str:
        return self.names.get(sku, sku)

    # ------------------------------------------------------------ pricing

    def requote(self) -> None:
        self.screen.changed()
        if not self.state.lines:
            return
        version, cart, services = self.state.version, self.state.cart(), self.services
        self.run(
            lambda: services.quote(cart),
            lambda p: self._quoted(version, p),
            lambda exc: self._quote_failed(version, exc),
        )

    def _quoted(self, version: int, priced: Priced) -> None:
        if version != self.state.version:
            return  # the cart changed meanwhile; a newer quote is on its way
        if self._refused_coupons(priced) or self._refused_points(priced) or self._useless_coupon(priced):
            self.requote()
            return
        self.state.priced = priced
        self.confirmed.update(line.sku for line in self.state.lines)
        for line, name in zip(priced.quote.lines, priced.names, strict=False):
            self.names[line.sku] = name
        if priced.quote.points_capped:
            self.say(
                "info",
                tx(
                    "Points capped at {points} (at most half of the sale).",
                    points=priced.quote.points_redeemed,
                ),
            )
        elif priced.no_points_offline:
            self.say("info", tx("Offline: this sale earns no points (this till's offline rules)."))
        self.screen.changed()
        if self._complete_when_priced:
            self._complete_when_priced = False
            self.complete()

    def _quote_failed(self, version: int, exc: BaseException) -> None:
        if version != self.state.version:
            return
        self._complete_when_priced = False
        if getattr(exc, "code", "") == "unknown_sku":
            text = raw(exc)
            for i in reversed(range(len(self.state.lines))):
                if self.state.lines[i].sku not in self.confirmed:
                    sku = self.state.remove(i).sku
                    text = tx("Unknown barcode {sku}: not added.", sku=sku)
            self.error(text)
            self.requote()
            return
        self.error(raw(exc))

    # ------------------------------------------------------------ member, coupons, points

    def identify(self, text: str) -> None:
        services = self.services
        self.say("info", tx("Looking up the member…"))
        self.run(lambda: services.identify(text), self.attach_member, lambda exc: self.error(raw(exc)))

    def attach_member(self, member: MemberView) -> None:
        self.state.set_member(member)
        self.say("success", tx("Member: {phone}.", phone=member.masked_phone))
        self.requote()

    # ------------------------------------------------------------ paying

    def choose_tender(self, kind: str, text: str) -> None:
        """F8/F9/F10: a typed amount adds a payment of `kind` (cash: what the customer
        handed over); nothing typed: `kind` takes what is left."""
        self.clear_message()
        if not self.state.lines:
            self.error(tx("Scan the items first."))
            return
        amount = None
        if text:
            amount = parse_yuan(text)
            if amount is None or amount == 0:
                self.error(tx("Type the amount received in yuan, then press the tender key."))
                return
        try:
            self.state.plan.choose(kind, amount, self.state.total_due)
        except TenderRefused:
            self.error(
                tx(
                    "{tender} cannot be more than what is left to pay; only cash gives change.",
                    tender=tx(TENDER_NAMES[kind]),
                )
            )
            return
        self.screen.changed()

    def quick_cash(self, amount: int | None) -> None:
        """The quick cash buttons: a note handed over (¥50, ¥100), or exact cash (None),
        which completes the sale at once."""
        self.clear_message()
        if not self.state.lines:
            self.error(tx("Scan the items first."))
            return
        self.state.plan.choose("cash", amount)
        self.screen.changed()
        if amount is None:
            self.complete()

    def undo_payment(self) -> bool:
        if not self.state.plan.undo():
            return False
        self.say("info", tx("Last payment taken off."))
        self.screen.changed()
        return True

    def complete(self) -> None:
        if self.completing or self.cashier is None:
            return
        self.clear_message()
        if not self.state.lines:
            self.error(tx("The cart is empty."))
            return
        priced = self.state.priced
        if priced is None:
            self._complete_when_priced = True  # pay as soon as the running quote is back
            self.say("info", tx("Pricing…"))
            return
        total = priced.quote.total_due
        plan = self.state.plan
        if not plan.settles(total):
            self.error(
                tx(
                    "Not fully paid: {due} still to pay (total {total}).",
                    due=money(plan.remaining(total)),
                    total=money(total),
                )
            )
            return
        cmd = CompleteSale(
            sale_id=self.state.sale_id,  # type: ignore[arg-type]
            cashier_id=self.cashier.id,
            cart=self.state.cart(),
            tenders=plan.tenders(total),
            shift_id=self.shift_id,
            expected_total=total,
        )
        self.completing = True
        self.say("info", tx("Completing the sale…"))
        self.screen.changed()
        services = self.services
        self.run(lambda: services.complete_sale(cmd), self._sold, self._not_sold, self._completed)

    def _completed(self) -> None:
        self.completing = False
        self.screen.changed()

    def _not_sold(self, exc: BaseException) -> None:
        # The cart and its sale id stay: paying again cannot store the sale twice.
        self.error(tx("Not completed: {why}", why=exc))

    def _sold(self, done: SaleDone) -> None:
        self.last_sale = done
        self.last_receipt = done.receipt_no
        self.state.clear()
        self.confirmed.clear()
        self.screen.changed()
        self.say("success", *self.sold_text(done), tx("Printing…"))
        self._print(done.receipt_no)

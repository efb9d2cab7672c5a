"""The use cases the cashier screens call, in one object the views are given.

This is the only module in ui/ that imports app.services; views import the command and
result types from here. Every method may block (a database transaction, a PIN hash, a
printer with a timeout): call them through :class:`ui.ops.Op`, never on the GUI thread.
Attributes that are plain values (``config``, ``language``) are safe anywhere.

No method opens a database session itself; each calls one use case, which runs its own unit
of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.config import PrinterConfig, TillConfig
from app.domain.ids import MemberId, RefundId, SaleId, ShiftId, StaffId, new_id
from app.domain.receipt import Receipt
from app.ports import PrinterState, ReceiptPrinter
from app.services import checkout, members, outbox, receipts, refunds, shifts, staff, voids
from app.services.checkout import Cart, CartLine, CompleteSale, Priced, SaleDone, Tender
from app.services.context import TillContext, open_till
from app.services.errors import TillError
from app.services.members import CouponView, MemberView, RegisterMember, Registration
from app.services.refunds import RefundDone, RefundSale
from app.services.shifts import ShiftReport
from app.services.staff import StaffMember
from app.services.voids import VoidLines

if TYPE_CHECKING:
    from sync.worker import SyncStatus, SyncWorker

__all__ = [
    "Cart", "CartLine", "CompleteSale", "CouponView", "MemberView", "Priced", "RefundDone",
    "RegisterMember", "Registration", "SaleDone", "ShiftReport", "StaffMember", "Tender",
    "TillError", "TillServices", "new_member_id", "new_refund_id", "new_sale_id",
]


def new_sale_id() -> SaleId:
    return SaleId(new_id())


def new_member_id() -> MemberId:
    return MemberId(new_id())


def new_refund_id() -> RefundId:
    return RefundId(new_id())


@dataclass(frozen=True, slots=True)
class Printed:
    receipt_no: str


class TillServices:
    """The till's use cases for the screens. Thread: the Op worker (one at a time)."""

    def __init__(self, ctx: TillContext, printer: ReceiptPrinter) -> None:
        self._ctx = ctx
        self._sync: SyncWorker | None = None
        self._printer = printer
        self.config: TillConfig = ctx.config

    # ------------------------------------------------------------ staff and shifts

    def sign_in(self, login: str, pin: str) -> StaffMember:
        return staff.sign_in(self._ctx, login, pin)

    def current_shift(self) -> ShiftId | None:
        return shifts.current_shift(self._ctx)

    def open_shift(self, cashier_id: StaffId, opening_float: int) -> ShiftId:
        return shifts.open_shift(self._ctx, cashier_id, opening_float)

    def x_report(self, shift_id: ShiftId) -> ShiftReport:
        return shifts.x_report(self._ctx, shift_id)

    def close_shift(self, shift_id: ShiftId, staff_id: StaffId, counted_cash: int) -> ShiftReport:
        return shifts.close_shift(self._ctx, shift_id, staff_id, counted_cash)

    def _approver(self, login: str) -> StaffId:
        return staff.find_staff(self._ctx, login.strip()).id

    # ------------------------------------------------------------ members

    def identify(self, text: str) -> MemberView:
        return members.identify(self._ctx, text)

    def member_view(self, member_id: MemberId) -> MemberView:
        return members.member_view(self._ctx, member_id)

    def member_code(self, member_id: MemberId, dynamic: bool = True) -> str:
        return members.member_code(self._ctx, member_id, dynamic=dynamic)

    def register_member(self, cmd: RegisterMember) -> Registration:
        return members.register_member(self._ctx, cmd)

    # ------------------------------------------------------------ selling

    def quote(self, cart: Cart) -> Priced:
        return checkout.quote_cart(self._ctx, cart)

    def complete_sale(self, cmd: CompleteSale) -> SaleDone:
        done = checkout.complete_sale(self._ctx, cmd)
        if self._sync is not None:
            self._sync.poke()  # a new event to send: sync soon (the worker decides when)
        return done

    def void_lines(self, cashier_id: StaffId, lines: tuple[CartLine, ...], whole_cart: bool,
                   supervisor_login: str, supervisor_pin: str, reason: str = "") -> str:
        approver = self._approver(supervisor_login)
        return voids.void_lines(self._ctx, VoidLines(cashier_id, lines, whole_cart, approver,
                                                     supervisor_pin, reason))

    # ------------------------------------------------------------ receipts and refunds

    def receipt(self, sale_ref: str) -> Receipt:
        return receipts.receipt_for(self._ctx, sale_ref)

    def print_sale(self, sale_ref: str) -> Printed:
        """Print a stored sale's receipt. Raises PrintError (the receipt is queued)."""
        receipt = receipts.receipt_for(self._ctx, sale_ref)
        self._printer.print_receipt(receipt)
        return Printed(receipt.receipt_no)

    def sale_for_refund(self, text: str) -> Receipt:
        """The sale behind a typed receipt number or a scanned receipt QR (feedback URL)."""
        return receipts.receipt_for(self._ctx, self._sale_ref(text))

    def _sale_ref(self, text: str) -> str:
        return refunds.sale_ref_from_text(self._ctx, text)

    def refund(self, sale_id: str, lines: dict[int, int], cashier_id: StaffId,
               supervisor_login: str, supervisor_pin: str, refund_id: RefundId,
               shift_id: ShiftId | None) -> RefundDone:
        approver = self._approver(supervisor_login)
        return refunds.refund_sale(self._ctx, RefundSale(
            refund_id=refund_id, sale_ref=sale_id, lines=lines, cashier_id=cashier_id,
            approver_id=approver, approver_pin=supervisor_pin, shift_id=shift_id))

    # ------------------------------------------------------------ devices and sync

    def printer_status(self) -> PrinterState:
        return self._printer.status()

    def pending_events(self) -> int | None:
        """Events waiting to sync."""
        return outbox.events_waiting(self._ctx)

    # ------------------------------------------------------------------ sync

    def start_sync(self) -> None:
        """Start the background sync worker when this till has a server and is enrolled."""
        if self._sync is not None or not self._ctx.config.server.url:
            return
        from sync.client import load_credentials
        from sync.worker import SyncWorker

        if load_credentials(self._ctx.home) is None:
            return
        self._sync = SyncWorker(self._ctx)
        self._sync.start()

    def stop_sync(self) -> None:
        if self._sync is not None:
            self._sync.stop()
            self._sync = None

    def sync_status(self) -> SyncStatus | None:
        """The worker's last status (None: no server set up, or not enrolled)."""
        return self._sync.status if self._sync is not None else None


def open_services(
    home: Path, make_printer: Callable[[PrinterConfig, Path], ReceiptPrinter]
) -> tuple[TillServices, Callable[[], None]]:
    """Open the till in `home` (config, store, key) with its configured printer. Returns the
    services and the function that closes the store."""
    ctx = open_till(home)
    return TillServices(ctx, make_printer(ctx.config.printer, home)), ctx.close

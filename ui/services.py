"""The use cases the cashier screens call, in one object the views are given.

This is the only module in ui/ that imports app.services; views import the command and
result types from here. Every method may block (a database transaction, a PIN hash, a
printer with a timeout): call them through :class:`ui.ops.Op`, never on the GUI thread.
Attributes that are plain values (``config``, ``language``) are safe anywhere.

No method opens a database session itself; each calls one use case, which runs its own unit
of work.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.config import CheckoutConfig, ConfigError, PrinterConfig, SettingValue, TillConfig
from app.config import save_settings as save_config_settings
from app.domain.clock import local_time
from app.domain.ids import MemberId, RefundId, SaleId, ShiftId, StaffId, new_id
from app.domain.money import format_fen
from app.domain.program import LoyaltyProgram
from app.domain.receipt import Receipt, ReceiptTotals
from app.domain.staff import Action
from app.ports import PrinterState, ReceiptPrinter
from app.pricing.manual import ApprovedChange, ManualChange
from app.services import (
    backups,
    checkout,
    gifts,
    history,
    members,
    outbox,
    price_changes,
    receipts,
    refunds,
    shifts,
    slips,
    staff,
    suspended,
    voids,
)
from app.services.checkout import Cart, CartLine, CompleteSale, Priced, SaleDone, Tender
from app.services.context import TillContext, open_till
from app.services.errors import TillError
from app.services.gifts import GiftView, RedeemGift, RedemptionView, ReverseGift
from app.services.history import Visit, VisitLine
from app.services.members import CouponView, MemberView, RegisterMember, Registration
from app.services.products import ProductHit, ProductIndex
from app.services.refunds import RefundableLine, RefundDone, RefundPreview, RefundSale
from app.services.shifts import ShiftReport
from app.services.staff import StaffMember
from app.services.suspended import Suspended
from app.services.voids import VoidLines

if TYPE_CHECKING:
    from sync.worker import SyncStatus, SyncWorker

log = logging.getLogger(__name__)

__all__ = [
    "ApprovedChange",
    "Cart",
    "CartLine",
    "CompleteSale",
    "ConfigError",
    "CouponView",
    "Enrolled",
    "GiftView",
    "ManualChange",
    "MemberView",
    "Priced",
    "ProductHit",
    "RedemptionView",
    "RefundDone",
    "RefundPreview",
    "RefundableLine",
    "RefundableSale",
    "RegisterMember",
    "Registration",
    "SaleDone",
    "SettingValue",
    "ShiftReport",
    "StaffMember",
    "Suspended",
    "Tender",
    "TillConfig",
    "TillError",
    "TillServices",
    "Visit",
    "VisitLine",
    "new_member_id",
    "new_refund_id",
    "new_sale_id",
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


@dataclass(frozen=True, slots=True)
class RefundableSale:
    """A sale found for a refund: its receipt (as printed) and each line with what is left."""

    receipt: Receipt
    sale_id: SaleId
    lines: tuple[RefundableLine, ...]


@dataclass(frozen=True, slots=True)
class Enrolled:
    store_id: str
    terminal_id: str
    mismatch: str | None  # the server's store/terminal differ from till.toml (words), or None


def welcome_slip(config: TillConfig, reg: Registration, at: datetime, cashier: str = "") -> Receipt:
    """The slip printed after a registration: the member's code as a QR (the printer draws
    ``member_code``), the card number and the welcome coupon."""
    zh = config.terminal.language == "zh_CN"
    store = config.store
    zone = ZoneInfo(store.timezone)
    footer = [("会员卡号 " if zh else "Member card ") + reg.member.card_no]
    coupon = next((c for c in reg.member.coupons if c.code == reg.welcome_coupon), None)
    if reg.welcome_coupon:
        footer.append(("欢迎礼券 " if zh else "Welcome coupon ") + reg.welcome_coupon)
    if coupon is not None:  # what it is worth and until when, in the store's calendar
        until = local_time(coupon.valid_to, zone).strftime("%Y-%m-%d")
        worth = format_fen(coupon.amount)
        if coupon.threshold:
            worth = (
                f"满{format_fen(coupon.threshold)}减{worth}"
                if zh
                else f"{worth} off from {format_fen(coupon.threshold)}"
            )
        footer.append(f"{worth}，有效期至 {until}" if zh else f"{worth}, valid until {until}")
    footer.append("欢迎加入会员" if zh else "Welcome to the membership")
    return Receipt(
        store_name=store.name_zh if zh else store.name_en,
        store_address=store.address,
        store_phone=store.phone,
        terminal_id=config.terminal.terminal_id,
        receipt_no=reg.member.card_no,
        sale_id="",
        at=local_time(at, zone),
        cashier=cashier,
        lines=(),
        totals=ReceiptTotals(0, 0, 0, 0, 0, 0, 0, ()),
        coupons=(),
        member=reg.member.masked_phone,
        points=None,
        feedback_url="",
        member_code=reg.member_code,
        footer=tuple(footer),
        language=config.terminal.language,
        kind="slip",
    )


@dataclass(frozen=True, slots=True)
class VoidRules:
    """What a cashier may void alone (till.toml `[checkout]`): a plain rule, any thread."""

    rules: CheckoutConfig

    def needs_approval(
        self,
        lines: tuple[CartLine, ...],
        whole_cart: bool,
        total: int = 0,
        scanned_ago_s: float | None = None,
    ) -> bool:
        return voids.approval_needed(
            self.rules, VoidLines(StaffId(new_id()), lines, whole_cart, None, None, "", total, scanned_ago_s)
        )


class TillServices:
    """The till's use cases for the screens. Thread: the Op worker (one at a time)."""

    def __init__(self, ctx: TillContext, printer: ReceiptPrinter) -> None:
        self._ctx = ctx
        self._sync: SyncWorker | None = None
        self._sync_problem: SyncStatus | None = None
        self._backups: backups.DailyBackups | None = None
        self._printer = printer
        self.config: TillConfig = ctx.config
        # What till.toml holds now: `config` after the settings saved since the start (the
        # running till keeps `config` until it restarts). Replaced whole, never changed.
        self.saved_config: TillConfig = ctx.config
        self.void_rules = VoidRules(ctx.config.checkout)
        self._products = ProductIndex()
        ctx.program_at(ctx.now())  # read the pulled program versions now, off the views' path

    @property
    def program(self) -> LoyaltyProgram:
        """The loyalty program version in force now. A plain value, safe anywhere: the
        versions were read at the start, and again by sync (on its thread) after a pull."""
        return self._ctx.program_at(self._ctx.now())

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
        report = shifts.close_shift(self._ctx, shift_id, staff_id, counted_cash)
        backups.backup_now(self._ctx.home, "shift")  # a failure is logged; the shift is closed
        return report

    def start_backups(self) -> None:
        """The daily backup thread (app/services/backups.py); stopped by `stop_backups`."""
        if self._backups is None:
            self._backups = backups.DailyBackups(self._ctx.home)
            self._backups.start()

    def stop_backups(self) -> None:
        if self._backups is not None:
            self._backups.stop()
            self._backups = None

    def approve_settings(self, supervisor_login: str, supervisor_pin: str) -> StaffMember:
        """A supervisor's number and PIN open the settings (wrong PINs count as at sign-in)."""
        return staff.authorize(self._ctx, supervisor_login, supervisor_pin, Action.SETTINGS)

    def _approver(self, login: str) -> StaffId:
        return staff.find_staff(self._ctx, login.strip()).id

    # ------------------------------------------------------------ members

    def identify(self, text: str) -> MemberView:
        """The member behind a scanned code, card or typed phone at the checkout: from this
        till's store, else (synced tills) from the server within the look-up timeout."""
        return self._identify(text, "checkout")

    def member_view(self, member_id: MemberId) -> MemberView:
        return members.member_view(self._ctx, member_id)

    def member_code(self, member_id: MemberId, dynamic: bool = True) -> str:
        return members.member_code(self._ctx, member_id, dynamic=dynamic)

    def member_history(self, member_id: MemberId, limit: int = 10) -> list[Visit]:
        """The member's last sales at this till, newest first, with their lines."""
        return history.member_history(self._ctx, member_id, limit)

    def register_member(self, cmd: RegisterMember) -> Registration:
        return members.register_member(self._ctx, cmd)

    def lookup_member(self, text: str) -> MemberView:
        """The member behind a typed phone, card number or scanned code (member lookup)."""
        return self._identify(text, "support")

    def _identify(self, text: str, reason: str) -> MemberView:
        if self._sync is None:  # standalone, or not enrolled: this till's store only
            return members.identify(self._ctx, text)
        from sync.lookup import identify_online

        return identify_online(self._ctx, text, reason=reason)

    # ------------------------------------------------------------ gifts for points

    def gifts(self) -> tuple[GiftView, ...]:
        return gifts.list_gifts(self._ctx)

    def member_gifts(self, member_id: MemberId) -> tuple[RedemptionView, ...]:
        return gifts.member_redemptions(self._ctx, member_id)

    def redeem_gift(self, member_id: MemberId, gift_id: str, staff_id: StaffId) -> int:
        """Hand the gift over for its points; returns the member's new balance."""
        _, balance = gifts.redeem_gift(self._ctx, RedeemGift(member_id, gift_id, staff_id))
        self._poke()
        return balance

    def reverse_gift(
        self, redemption_id: uuid.UUID, staff_id: StaffId, supervisor_login: str, supervisor_pin: str
    ) -> int:
        """Give a gift back, approved by a supervisor (their number and PIN)."""
        approver = self._approver(supervisor_login)
        balance = gifts.reverse_gift(
            self._ctx, ReverseGift(redemption_id, staff_id, approver, supervisor_pin)
        )
        self._poke()
        return balance

    def _poke(self) -> None:
        if self._sync is not None:
            self._sync.poke()  # a new event to send

    def print_welcome_slip(self, reg: Registration, cashier: str = "") -> Printed:
        """Print a new member's code (as a QR) and welcome coupon on a slip. Raises PrintError."""
        self._printer.print_receipt(welcome_slip(self.config, reg, self._ctx.now(), cashier))
        return Printed(reg.member.card_no)

    # ------------------------------------------------------------ selling

    def quote(self, cart: Cart) -> Priced:
        return checkout.quote_cart(self._ctx, cart)

    def complete_sale(self, cmd: CompleteSale) -> SaleDone:
        done = checkout.complete_sale(self._ctx, cmd)
        if self._sync is not None:
            self._sync.poke()  # a new event to send: sync soon (the worker decides when)
        return done

    def void_lines(
        self,
        cashier_id: StaffId,
        lines: tuple[CartLine, ...],
        whole_cart: bool,
        supervisor_login: str = "",
        supervisor_pin: str = "",
        reason: str = "",
        total: int = 0,
        scanned_ago_s: float | None = None,
    ) -> str:
        """Void lines or the whole cart; without a supervisor only what `[checkout]` allows
        (``void_rules``)."""
        approver = self._approver(supervisor_login) if supervisor_login.strip() else None
        return voids.void_lines(
            self._ctx,
            VoidLines(
                cashier_id, lines, whole_cart, approver, supervisor_pin or None, reason, total, scanned_ago_s
            ),
        )

    def approve_price_change(
        self,
        cashier_id: StaffId,
        line: CartLine,
        change: ManualChange,
        member: bool,
        supervisor_login: str,
        supervisor_pin: str,
    ) -> ApprovedChange:
        """A supervisor approves a manual discount or price for one cart line (within their
        role's limit); the cart line then carries the approval to the sale."""
        approver = self._approver(supervisor_login)
        return price_changes.approve_price_change(
            self._ctx,
            price_changes.ApprovePriceChange(cashier_id, approver, supervisor_pin, line, change, member),
        )

    def search_products(self, text: str) -> list[ProductHit]:
        """Products by name, pinyin initials ("nn": 牛奶), full pinyin or sku, best first."""
        return self._products.search(self._ctx, text)

    def suspend_sale(self, cashier_id: StaffId, cart: Cart, total: int) -> uuid.UUID:
        return suspended.suspend_sale(self._ctx, suspended.SuspendSale(cashier_id, cart, total))

    def suspended_sales(self) -> list[Suspended]:
        return suspended.suspended_sales(self._ctx)

    def recall_sale(self, suspended_id: uuid.UUID, cashier_id: StaffId) -> tuple[Cart, MemberView | None]:
        """The suspended cart, and its member as now (None if it had none), still carrying the
        code that identified the member, so the sale sends it when paid."""
        cart = suspended.recall_sale(self._ctx, suspended_id, cashier_id).cart
        member = members.member_view(self._ctx, cart.member_id) if cart.member_id else None
        if member is not None and cart.member_code and not member.code:
            member = dataclasses.replace(member, code=cart.member_code)
        return cart, member

    # ------------------------------------------------------------ receipts and refunds

    def receipt(self, sale_ref: str) -> Receipt:
        return receipts.receipt_for(self._ctx, sale_ref)

    def print_sale(self, sale_ref: str, copy: bool = False) -> Printed:
        """Print a stored sale's receipt (`copy`: a reprint, marked COPY / 重印). Raises
        PrintError (the receipt is queued)."""
        receipt = receipts.receipt_for(self._ctx, sale_ref)
        if copy:
            receipt = dataclasses.replace(receipt, copy=True)
        self._printer.print_receipt(receipt)
        return Printed(receipt.receipt_no)

    def sale_for_refund(self, text: str) -> Receipt:
        """The sale behind a typed receipt number or a scanned receipt QR (feedback URL)."""
        return receipts.receipt_for(self._ctx, self._sale_ref(text))

    def refundable_sale(self, text: str) -> RefundableSale:
        """The sale behind a typed receipt number or scanned receipt QR, with each line's
        quantity left to refund (after earlier refunds)."""
        ref = self._sale_ref(text)
        receipt = receipts.receipt_for(self._ctx, ref)
        sale_id, lines = refunds.refundable_lines(self._ctx, receipt.sale_id)  # "last" resolved
        return RefundableSale(receipt, sale_id, lines)

    def _sale_ref(self, text: str) -> str:
        return refunds.sale_ref_from_text(self._ctx, text)

    def preview_refund(self, sale_id: str, lines: dict[int, int]) -> RefundPreview:
        """What a refund of `lines` would give back (money, points, coupons); writes nothing.
        Raises Invalid (an over-refund names the item)."""
        return refunds.preview_refund(self._ctx, sale_id, lines)

    def refund(
        self,
        sale_id: str,
        lines: dict[int, int],
        cashier_id: StaffId,
        supervisor_login: str,
        supervisor_pin: str,
        refund_id: RefundId,
        shift_id: ShiftId | None,
        reason: str = "",
        reason_note: str = "",
    ) -> RefundDone:
        approver = self._approver(supervisor_login)
        done = refunds.refund_sale(
            self._ctx,
            RefundSale(
                refund_id=refund_id,
                sale_ref=sale_id,
                lines=lines,
                cashier_id=cashier_id,
                approver_id=approver,
                approver_pin=supervisor_pin,
                shift_id=shift_id,
                reason=reason,
                reason_note=reason_note,
            ),
        )
        if self._sync is not None:
            self._sync.poke()
        return done

    def refund_slip(self, refund_id: RefundId, language: str | None = None) -> Receipt:
        """A refund's slip as a document (`language`: the profile's, by default)."""
        return slips.refund_slip(self._ctx, refund_id, language)

    def last_refund_id(self) -> RefundId | None:
        return slips.last_refund_id(self._ctx)

    def print_refund_slip(self, refund_id: RefundId, copy: bool = False) -> Printed:
        """Print a stored refund's slip in the store's language. Raises PrintError (queued)."""
        slip = slips.refund_slip(self._ctx, refund_id)
        if copy:
            slip = dataclasses.replace(slip, copy=True)
        self._printer.print_receipt(slip)
        return Printed(slip.receipt_no)

    def shift_report_slip(
        self, report: ShiftReport, cashier: str = "", language: str | None = None
    ) -> Receipt:
        return slips.report_slip(self._ctx, report, cashier, language)

    def print_shift_report(self, report: ShiftReport, cashier: str = "") -> Printed:
        """Print an X or Z report as shown (app.services.shifts). Raises PrintError."""
        slip = slips.report_slip(self._ctx, report, cashier)
        self._printer.print_receipt(slip)
        return Printed(slip.receipt_no)

    # ------------------------------------------------------------ devices and sync

    def save_settings(self, changes: dict[str, dict[str, SettingValue]]) -> TillConfig:
        """Write settings into till.toml, keeping its comments (``{"printer": {"port": 9100}}``).
        Raises ConfigError (``fields`` names the settings at fault) and leaves the file as it
        was when a setting is unknown or a value invalid. Language and camera on/off apply at
        once in the window; the rest of the saved settings at the next start."""
        saved = save_config_settings(self._ctx.home, changes)
        self.saved_config = saved
        return saved

    def printer_status(self) -> PrinterState:
        return self._printer.status()

    def test_print(self) -> Printed:
        """Print the sample receipt (settings: printer test). Raises PrintError."""
        from hardware.printer.sample import sample_receipt

        receipt = sample_receipt(language=self.config.terminal.language, receipt_no="TEST")
        self._printer.print_receipt(receipt)
        return Printed(receipt.receipt_no)

    def enrol(self, url: str, code: str) -> Enrolled:
        """Enrol this till with the server (the same call as `till enrol`); starts syncing.
        Raises sync.client.SyncError (with a message) when the server refuses or is down."""
        from sync.enrol import enrol

        done = enrol(self._ctx, url.strip(), code.strip())
        self.stop_sync()
        if self._ctx.config.server.url:
            self.start_sync()
        return Enrolled(done.store_id, done.terminal_id, done.mismatch)

    def pending_events(self) -> int | None:
        """Events waiting to sync."""
        return outbox.events_waiting(self._ctx)

    # ------------------------------------------------------------------ sync

    def start_sync(self) -> None:
        """Start the background sync worker when this till has a server and is enrolled."""
        if self._sync is not None or not self._ctx.config.server.url:
            return
        from sync.client import load_credentials
        from sync.settings import SettingsError
        from sync.worker import SyncStatus as Status
        from sync.worker import SyncWorker

        if load_credentials(self._ctx.home) is None:
            return
        try:
            self._sync = SyncWorker(self._ctx)
        except SettingsError as exc:
            # A bad `sync.toml` value: the till sells offline, and the status bar says why
            # (file, setting, allowed range) instead of the worker failing unseen.
            log.warning("sync not started: %s", exc)
            self._sync_problem = Status(state="error", last_error=f"Sync not started: {exc}")
            return
        self._sync_problem = None
        # From here on, the use cases apply the offline rules (TillContext.offline_rules)
        # whenever the worker has not reached the server (before its first round, too).
        self._ctx.connection.attach(self._sync)
        self._sync.start()

    def stop_sync(self) -> None:
        if self._sync is not None:
            self._ctx.connection.detach(self._sync)
            self._sync.stop()
            self._sync = None

    def offline_rules(self) -> dict[str, str]:
        """What may be done offline and what needs the server, in "en" and "zh" (for the
        cashier; the program in force with the till's own sync settings over it)."""
        from sync.offline import describe

        rules = self._ctx.offline_rules
        return {"en": describe(rules, "en"), "zh": describe(rules, "zh")}

    def sync_status(self) -> SyncStatus | None:
        """The worker's last status (None: no server set up, or not enrolled; an `error` status
        naming the setting when `sync.toml` kept the worker from starting)."""
        return self._sync.status if self._sync is not None else self._sync_problem


def open_services(
    home: Path, make_printer: Callable[[PrinterConfig, Path], ReceiptPrinter]
) -> tuple[TillServices, Callable[[], None]]:
    """Open the till in `home` (config, store, key) with its configured printer. Returns the
    services and the function that closes the store."""
    ctx = open_till(home)
    return TillServices(ctx, make_printer(ctx.config.printer, home)), ctx.close

"""A receipt as a device-independent document. Printers (hardware/printer) render it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    name: str
    sku: str
    qty: int
    unit_price: int  # fen, the price charged per unit (member price where it applied)
    line_total: int
    discount: int  # coupon and points share of this line
    net: int
    note: str = ""  # printed under the item: a weighed item's weight, a manual price change


@dataclass(frozen=True, slots=True)
class ReceiptTotals:
    subtotal: int
    member_savings: int
    coupon_discount: int
    points_value: int
    total_due: int
    paid: int
    change_due: int
    payments: tuple[tuple[str, int], ...]  # (tender, fen)


@dataclass(frozen=True, slots=True)
class ReceiptPoints:
    earned: int
    redeemed: int
    balance: int
    expiring_soon: int
    tier: str
    tier_progress: str  # "¥1,240.00 more to Gold", in the receipt's language


@dataclass(frozen=True, slots=True)
class SlipRow:
    """One labelled figure of a refund slip or a shift report. The printer words the label in
    its language profile (`key`: a label of hardware/printer/document.py), so a slip is never
    half Chinese in an English store."""

    key: str
    value: int | str
    unit: str = "fen"  # fen | count | points | text | reason (a REFUND_REASONS code)
    arg: str = ""  # the label's subject, itself a label key where one exists (a tender: "cash")
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything a printed receipt says, and nothing about how a printer says it."""

    store_name: str
    store_address: str
    store_phone: str
    terminal_id: str
    receipt_no: str
    sale_id: str
    at: datetime
    cashier: str
    lines: tuple[ReceiptLine, ...]
    totals: ReceiptTotals
    coupons: tuple[tuple[str, int], ...]  # (code, discount)
    member: str | None  # masked phone, never the whole number
    points: ReceiptPoints | None
    feedback_url: str
    member_code: str | None = None  # the QR of a member code just issued (registration slip)
    footer: tuple[str, ...] = field(default_factory=tuple)
    language: str = "zh_CN"
    kind: str = "sale"  # sale | refund | slip | report
    copy: bool = False  # a reprint: marked "COPY / 重印" so it is not taken for a second sale
    rows: tuple[SlipRow, ...] = ()  # a refund slip's or a report's figures, after the items
    title: str = ""  # a report's title, a label key ("x_report", "z_report")

"""What the customer display says, without Qt: the cart's lines, the total, the savings,
the member (phone and name masked), points and tier progress, the change due, and after a
sale the thanks with the change and the points. In the store's language (the till's
profile, `[terminal] language`), whatever the cashier switched their own screen to; the
customer display has its own few words, so it needs no translator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.money import format_fen as money
from ui.checkout_text import kg

if TYPE_CHECKING:
    from ui.cart import CartState
    from ui.services import SaleDone

WORDS = {
    "welcome": ("欢迎光临", "Welcome"),
    "total": ("应付", "Total"),
    "savings": ("共节省", "You save"),
    "member": ("会员", "Member"),
    "points": ("本单积分 +{earned} · 余额 {balance}", "Points +{earned} · balance {balance}"),
    "paid": ("已收", "Received"),
    "change": ("找零", "Change"),
    "thanks": ("谢谢惠顾！", "Thank you!"),
    "earned": ("本单获得 {points} 积分", "You earned {points} points"),
    "feedback": ("扫描小票二维码评价，赢积分", "Scan the receipt's QR code to rate your visit"),
    "feedback_qr": ("扫码评价本次购物，赢积分", "Scan to rate this visit and earn points"),
}


def word(key: str, language: str) -> str:
    zh, en = WORDS[key]
    return zh if language == "zh_CN" else en


def mask_name(name: str | None) -> str:
    """The first character, the rest as stars (陈小明 → 陈**, Chen → C***)."""
    if not name or not name.strip():
        return ""
    name = name.strip()
    return name[0] + "*" * max(1, len(name) - 1)


@dataclass(frozen=True, slots=True)
class DisplayLine:
    name: str
    qty: str
    amount: str


@dataclass(frozen=True, slots=True)
class DisplayState:
    lines: tuple[DisplayLine, ...]
    total: str
    savings: str  # "" when none
    member: str  # masked phone and name, "" without a member
    points: str
    progress: str
    paid: str  # cash handed over, "" when none typed
    change: str  # change due, "" when none
    thanks: str  # after a sale: the thanks, change and points; "" while selling
    feedback_url: str = ""  # after a sale whose QR can work: the feedback page, shown as a QR


def display_state(
    state: CartState, names: dict[str, str], last: SaleDone | None, language: str, max_lines: int = 12
) -> DisplayState:
    """The display for the cart on screen; an empty cart after a sale shows that sale's thanks."""
    q = state.priced.quote if state.priced else None
    lines = []
    for row, line in enumerate(state.lines):
        ql = q.lines[row] if q is not None and row < len(q.lines) else None
        qty = kg(line.grams) if line.grams is not None else f"× {line.qty}"
        lines.append(DisplayLine(names.get(line.sku, line.sku), qty, money(ql.line_total) if ql else "…"))
    m = state.member
    member = ""
    if m is not None:
        name = mask_name(m.name)
        member = f"{word('member', language)} {m.masked_phone}" + (f" · {name}" if name else "")
    saved = 0
    if q is not None and state.priced is not None:
        manual = sum(d.manual_discount for d in state.priced.details)
        saved = q.member_savings + q.coupon_discount + q.points_value + max(0, manual)
    points = ""
    if m is not None and q is not None:
        points = word("points", language).format(
            earned=f"{q.points_earned:,}", balance=f"{m.points_balance:,}"
        )
    tendered = state.tendered
    change = state.change_due() if state.priced is not None else 0
    thanks = ""
    if not state.lines and last is not None:
        thanks = word("thanks", language)
        if last.change_due:
            thanks += f"  {word('change', language)} {money(last.change_due)}"
        if last.points_earned:
            thanks += "  " + word("earned", language).format(points=f"{last.points_earned:,}")
    return DisplayState(
        tuple(lines[-max_lines:]),
        money(q.total_due) if q is not None else ("…" if state.lines else money(0)),
        f"{word('savings', language)} {money(saved)}" if saved > 0 else "",
        member,
        points,
        m.progress_text if m is not None else "",
        f"{word('paid', language)} {money(tendered)}" if tendered else "",
        f"{word('change', language)} {money(change)}" if change > 0 else "",
        thanks,
        last.feedback_url if thanks and last is not None else "",
    )

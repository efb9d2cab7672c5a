"""The checkout's words and figures, without Qt: messages as source text and values (the
screen translates them when it draws, so a language switch re-translates them), and what
the totals, the tender line and the cart's cells say for a cart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from app.domain.money import format_fen as money
from app.pricing.model import POINTS_INSUFFICIENT

if TYPE_CHECKING:
    from ui.cart import CartState
    from ui.services import Priced

TR_CONTEXT = "Checkout"  # the translation context of the strings below (ui/ts_update.py)

RAW = "{value}"  # a Text that is only its value (not translated)

MessageKind = Literal["info", "success", "error"]


@dataclass(frozen=True, slots=True)
class Text:
    """Words to show: ``source`` is translated when drawn, then formatted with ``params``
    (a value may itself be a Text, or an exception the screen puts in words)."""

    source: str
    params: tuple[tuple[str, object], ...] = ()


def tx(source: str, **params: object) -> Text:
    return Text(source, tuple(params.items()))


def raw(value: object) -> Text:
    """A value shown as it is (an exception: in the cashier's words, by the screen)."""
    return Text(RAW, (("value", value),))


@dataclass(frozen=True, slots=True)
class Message:
    """One message in the message area: an error (red), a success (green) or news."""

    kind: MessageKind
    parts: tuple[Text, ...]


TENDER_NAMES = {"cash": "Cash", "card": "Card", "mobile": "Mobile pay"}
_TENDER_TEXTS = (tx("Cash"), tx("Card"), tx("Mobile pay"))  # collected by ts_update


def parse_yuan(text: str) -> int | None:
    """What a cashier typed as yuan (`200`, `12.5`, `¥12.50`) in fen, or None."""
    t = text.strip().replace("¥", "").replace(",", "").replace("￥", "")
    if not t:
        return None
    whole, _, frac = t.partition(".")
    if not whole.isdigit() and whole != "":
        return None
    if frac and (not frac.isdigit() or len(frac) > 2):
        return None
    return int(whole or "0") * 100 + int((frac + "00")[:2])


def totals_rows(s: CartState) -> list[tuple[Text, str]]:
    """The totals box: items, subtotal (list prices), each saving, points."""
    rows = [(tx("Items"), str(sum(line.qty for line in s.lines)))]
    q = s.priced.quote if s.priced else None
    if q is None:
        return rows
    manual = sum(d.manual_discount for d in s.priced.details) if s.priced else 0
    rows.append((tx("Subtotal"), money(q.subtotal + manual)))
    if manual:
        rows.append((tx("Price changes"), money(-manual)))
    if q.member_savings:
        rows.append((tx("Member prices"), money(-q.member_savings)))
    if q.coupon_discount:
        rows.append((tx("Coupons"), money(-q.coupon_discount)))
    if q.points_redeemed:
        rows.append((tx("Points ({points})", points=f"{q.points_redeemed:,}"), money(-q.points_value)))
    if s.member is not None:
        rows.append((tx("Points earned"), f"+{q.points_earned:,}"))
    return rows


def total_text(s: CartState) -> Text:
    if s.priced is not None:
        return tx("Total {amount}", amount=money(s.priced.quote.total_due))
    return tx("Total …") if s.lines else tx("Total {amount}", amount=money(0))


def payment_texts(s: CartState) -> tuple[Text, Text | None]:
    """The payments line (each tender, what is left and by what) and the change (large),
    None when there is no change."""
    plan = s.plan
    total = s.priced.quote.total_due if s.priced else None
    paid = tuple(
        tx("{tender} {amount}", tender=tx(TENDER_NAMES[k]), amount=money(a)) for k, a in plan.payments
    )
    if total is None:
        return tx("Pay by: {tender}", tender=tx(TENDER_NAMES[plan.rest])), None
    left = plan.remaining(total)
    rest = tx("{tender} {amount}", tender=tx(TENDER_NAMES[plan.rest]), amount=money(left))
    shown = (*paid, rest) if left or not paid else paid
    line = tx("Pay by: {tender}", tender=_join(shown))
    change = plan.change(total)
    return line, (tx("Change {amount}", amount=money(change)) if change else None)


def _join(parts: tuple[Text, ...]) -> Text:
    """Texts shown side by side (` + `)."""
    if len(parts) == 1:
        return parts[0]
    return tx("{a} + {b}", a=_join(parts[:-1]), b=parts[-1])


def redeem_text(s: CartState, limit: int, step: int, per_yuan: int) -> Text | None:
    q = s.priced.quote if s.priced else None
    if s.member is None or q is None:
        return None
    most = max(limit, q.points_redeemed)
    return tx(
        "Can redeem up to {points} points ({value}) now; steps of {step}, at most half of the sale. F5",
        points=f"{most:,}",
        value=money(most * 100 // per_yuan),
        step=step,
    )


def points_refused_text(priced: Priced, step: int) -> Text:
    """Why the points asked for were not redeemed."""
    cap = priced.redeem_cap
    if cap is not None and not cap.allowed:
        return tx("Offline: points cannot be redeemed until the server is back (this till's offline rules).")
    if cap is not None and priced.quote.points_rejected == POINTS_INSUFFICIENT:
        return tx(
            "Offline: at most {cap} points can be redeemed now (the last balance the "
            "server confirmed, {known}, minus {since} redeemed at this till since).",
            cap=f"{cap.cap:,}",
            known=f"{cap.last_known_balance:,}",
            since=f"{cap.redeemed_since:,}",
        )
    return tx("Points cannot be redeemed: in steps of {step}, up to the balance.", step=step)


def kg(grams: int) -> str:
    return f"{grams // 1000}.{grams % 1000:03d} kg"


_NOTE_TEXTS = (tx("price"),)  # collected by ts_update


def line_note(s: CartState, row: int, words: Callable[[str], str] = str) -> str:
    """What a cart row says under its name: a weighed item's weight and price per kg, and a
    manual price change with its reason (`words` translates the fixed words)."""
    detail = s.priced.details[row] if s.priced and row < len(s.priced.details) else None
    line = s.lines[row]
    parts = []
    grams = detail.grams if detail else line.grams
    if grams is not None:
        per_kg = f" × {money(detail.per_kg)}/kg" if detail and detail.per_kg is not None else ""
        parts.append(kg(grams) + per_kg)
    if line.manual is not None:
        change = line.manual.change
        what = (
            f"-{change.value}%" if change.kind == "discount" else words("price") + " " + money(change.value)
        )
        parts.append(f"{what} · {words(change.reason)}")
    return "  ·  ".join(parts)


def line_cells(
    s: CartState, row: int, name: str, words: Callable[[str], str] = str
) -> tuple[str, str, str, str, str]:
    """A cart row: item, qty, list unit price, saving, amount, so that
    qty × price − saving = amount (coupons and points show in the totals). A manual price
    change counts in the saving, from the list price it started from."""
    line = s.lines[row]
    ql = s.priced.quote.lines[row] if s.priced else None
    note = line_note(s, row, words)
    name = f"{name}  [{note}]" if note else name
    if ql is None:
        return name, str(line.qty), "…", "…", "…"
    detail = s.priced.details[row] if s.priced and row < len(s.priced.details) else None
    unit = ql.list_total // max(1, ql.qty)
    if detail is not None and detail.manual is not None:
        unit = detail.list_unit
    off = unit * ql.qty - ql.line_total
    return (
        name,
        str(line.qty),
        money(unit),
        money(-off) if off else "",
        money(ql.line_total),
    )

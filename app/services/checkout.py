"""Completing a sale: priced again in its transaction (`app.services.quote.price_cart`, the
same as the screen's quote), checked (the price the cashier saw, tenders, approvals, the offline
rules), stored with its lines, payments, coupons, points and outbox event in one unit of work.
The cart types are `app.services.quote`'s, named here too for the callers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.codes import issue_feedback_token
from app.domain.ids import SaleId, ShiftId, StaffId, new_id
from app.domain.staff import Action
from app.pricing.model import (
    POINTS_INSUFFICIENT,
    Quote,
)
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import Invalid, Refused
from app.services.outbox import record_event
from app.services.quote import Cart, CartLine, LineDetail, Priced, price_cart, quote_cart
from app.services.staff import require_approval
from app.store import orm
from app.store.convert import ledger_row
from app.store.counters import next_value

__all__ = [
    "Cart",
    "CartLine",
    "CompleteSale",
    "LineDetail",
    "Priced",
    "SaleDone",
    "Tender",
    "complete_sale",
    "quote_cart",
]

TENDERS = ("cash", "card", "mobile")
PRICE_CHANGE_AUDIT = "line.price_change"  # a supervisor's approval of a manual price (price_changes.py)


@dataclass(frozen=True, slots=True)
class Tender:
    kind: str  # cash | card | mobile
    amount: int
    reference: str = ""


@dataclass(frozen=True, slots=True)
class CompleteSale:
    sale_id: SaleId
    cashier_id: StaffId
    cart: Cart
    tenders: tuple[Tender, ...]
    shift_id: ShiftId | None = None
    approver_id: StaffId | None = None
    approver_pin: str | None = None
    expected_total: int | None = None  # what the cashier saw; a different price is refused


@dataclass(frozen=True, slots=True)
class SaleDone:
    sale_id: SaleId
    receipt_no: str
    total_due: int
    paid: int
    change_due: int
    points_earned: int
    points_redeemed: int
    feedback_url: str  # "" when the till's feedback QR could not work (not enrolled)
    duplicate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    feedback_token: str = ""  # the signed token the QR carries (a receipt found by it)


def _receipt_no(ctx: TillContext, s: Session) -> str:
    n = next_value(s, f"receipt:{ctx.terminal_id}")
    return f"{ctx.store_id}-{ctx.terminal_id}-{n:06d}"


def receipt_feedback_url(ctx: TillContext, token: str) -> str:
    """The receipt QR's URL: the server's feedback page for this sale's signed token; "" on a
    till whose feedback page could not answer (never enrolled): no QR is printed then."""
    base = ctx.feedback_base_url()
    return base.rstrip("/") + "/" + token if base and token else ""


def _done(ctx: TillContext, sale: orm.Sale, duplicate: bool) -> SaleDone:
    return SaleDone(
        sale_id=SaleId(sale.id),
        receipt_no=sale.receipt_no,
        total_due=sale.total_due,
        paid=sale.paid,
        change_due=sale.change_due,
        points_earned=sale.points_earned,
        points_redeemed=sale.points_redeemed,
        feedback_url=receipt_feedback_url(ctx, sale.feedback_token),
        duplicate=duplicate,
        feedback_token=sale.feedback_token,
    )


def check_approvals(s: Session, cart: Cart, cashier_id: StaffId) -> None:
    """Every manual change in `cart` was approved for this cashier, this sku and this
    change, and no stored sale used its approval. Raises Refused ``approval_required``."""
    changed = [line for line in cart.lines if line.manual is not None]
    if not changed:
        return
    ids = [str(line.manual.approval_id) for line in changed if line.manual is not None]
    rows = {
        r.subject: r
        for r in s.execute(
            select(orm.AuditRow).where(
                orm.AuditRow.action == PRICE_CHANGE_AUDIT, orm.AuditRow.subject.in_(ids)
            )
        ).scalars()
    }
    used = s.execute(
        select(orm.SaleLine.approval_id).where(
            orm.SaleLine.approval_id.in_([line.manual.approval_id for line in changed if line.manual])
        )
    ).first()
    for line in changed:
        assert line.manual is not None
        row = rows.get(str(line.manual.approval_id))
        d = row.details if row is not None else {}
        if (
            row is None
            or used is not None
            or row.actor_id != cashier_id
            or row.approver_id != line.manual.approver_id
            or d.get("sku") != line.sku
            or d.get("kind") != line.manual.change.kind
            or d.get("value") != line.manual.change.value
        ):
            raise Refused(
                "A price change in this cart has no supervisor's approval; change it again.",
                code="approval_required",
            )


def _check_tenders(tenders: tuple[Tender, ...]) -> None:
    for tender in tenders:
        if tender.kind not in TENDERS:
            raise Invalid(f"Unknown tender {tender.kind!r}.", code="bad_tender")
        if tender.amount <= 0:
            raise Invalid("A payment must be more than zero.", code="bad_tender")


def _settle(cmd: CompleteSale, priced: Priced) -> tuple[int, int]:
    """(paid, change) once the priced sale is checked against what the cashier saw and took."""
    q = priced.quote
    refused = _offline_points_refused(priced) if cmd.cart.redeem_points else None
    if refused is not None:
        raise refused
    if cmd.expected_total is not None and cmd.expected_total != q.total_due:
        raise Refused(
            "The total changed since it was shown; check the cart and try again.", code="total_changed"
        )
    paid = sum(t.amount for t in cmd.tenders)
    cash = sum(t.amount for t in cmd.tenders if t.kind == "cash")
    if paid < q.total_due:
        raise Invalid(f"Payment is {q.total_due - paid} fen short.", code="underpaid")
    change = paid - q.total_due
    if change > cash:
        raise Invalid("Only cash can give change.", code="change_without_cash")
    return paid, change


def complete_sale(ctx: TillContext, cmd: CompleteSale) -> SaleDone:
    """Store a sale whole, in one transaction: the sale, its lines and payments, coupon
    redemptions, ledger entries, the audit entry and the outbox event. Priced, posted and
    tiered with the program version in force at the sale's time; the sale names that version.

    Idempotent: retried with the same `sale_id`, it returns the stored sale and stores
    nothing twice. Raises Invalid (tenders short, bad input), Refused (price changed since
    the cashier saw it, override without approval), NotFound (unknown barcode or member).
    """
    now = ctx.now()
    _check_tenders(cmd.tenders)
    overridden = any(line.price_override is not None for line in cmd.cart.lines)
    if overridden:
        # A retry of a stored sale needs no second approval.
        with ctx.uow(write=False) as uow:
            existing = uow.session.get(orm.Sale, cmd.sale_id)
            if existing is not None:
                return _done(ctx, existing, duplicate=True)
        require_approval(ctx, cmd.cashier_id, cmd.approver_id, cmd.approver_pin, Action.PRICE_OVERRIDE)
    with ctx.uow() as uow:
        s = uow.session
        existing = s.get(orm.Sale, cmd.sale_id)
        if existing is not None:
            return _done(ctx, existing, duplicate=True)
        ctx.require_allowed_offline("sales")
        priced = price_cart(ctx, s, cmd.cart, now)
        check_approvals(s, cmd.cart, cmd.cashier_id)
        paid, change = _settle(cmd, priced)
        sale = _store_sale(ctx, s, cmd, priced, paid, change, now)
        _redeem_coupons(s, priced.quote, sale.id)
        if priced.member_id is not None:
            _post_points(ctx, s, priced, SaleId(sale.id), now)
        q = priced.quote
        append_audit(
            s,
            ctx,
            cmd.cashier_id,
            cmd.approver_id if overridden else None,
            "sale.complete",
            str(sale.id),
            {
                "receipt_no": sale.receipt_no,
                "total_due": q.total_due,
                "points_earned": q.points_earned,
                "points_redeemed": q.points_redeemed,
                "price_override": overridden,
            },
            now,
        )
        record_event(s, ctx.terminal_id, "sale.completed", _sale_payload(sale, priced, cmd), now)
        uow.commit()
        return _done(ctx, sale, duplicate=False)


def _store_sale(
    ctx: TillContext, s: Session, cmd: CompleteSale, priced: Priced, paid: int, change: int, now: datetime
) -> orm.Sale:
    """The sale row with its lines and payments."""
    q = priced.quote
    sale_id = cmd.sale_id
    receipt_no = _receipt_no(ctx, s)
    token = issue_feedback_token(ctx.store_id, ctx.terminal_id, sale_id, receipt_no, ctx.signer, now)
    sale = orm.Sale(
        id=sale_id,
        receipt_no=receipt_no,
        store_id=ctx.store_id,
        terminal_id=ctx.terminal_id,
        shift_id=cmd.shift_id,
        cashier_id=cmd.cashier_id,
        member_id=priced.member_id,
        at=now,
        subtotal=q.subtotal,
        member_savings=q.member_savings,
        coupon_discount=q.coupon_discount,
        points_redeemed=q.points_redeemed,
        points_value=q.points_value,
        total_due=q.total_due,
        points_earned=q.points_earned,
        paid=paid,
        change_due=change,
        feedback_token=token,
        new_member_code=None,
        program_version=priced.program.version,
    )
    s.add(sale)
    s.flush()
    details = priced.details or tuple(LineDetail() for _ in q.lines)
    rows = zip(q.lines, priced.names, priced.categories, details, strict=True)
    for no, (ql, name, category, detail) in enumerate(rows, start=1):
        manual = detail.manual
        s.add(
            orm.SaleLine(
                sale_id=sale_id,
                line_no=no,
                sku=ql.sku,
                name=name,
                category=category,
                qty=ql.qty,
                unit_price=ql.line_total // ql.qty,
                list_total=ql.list_total,
                line_total=ql.line_total,
                coupon_discount=ql.coupon_discount,
                points_discount=ql.points_discount,
                points_redeemed=ql.points_redeemed,
                net=ql.net,
                points_earned=ql.points_earned,
                grams=detail.grams,
                per_kg=detail.per_kg,
                manual_kind=manual.change.kind if manual else None,
                manual_value=manual.change.value if manual else None,
                manual_reason=manual.change.reason if manual else None,
                manual_discount=detail.manual_discount,
                approval_id=manual.approval_id if manual else None,
                approver_id=manual.approver_id if manual else None,
            )
        )
    for tender in cmd.tenders:
        s.add(
            orm.Payment(
                id=new_id(),
                sale_id=sale_id,
                tender=tender.kind,
                amount=tender.amount,
                reference=tender.reference,
            )
        )
    return sale


def _redeem_coupons(s: Session, q: Quote, sale_id: uuid.UUID) -> None:
    applied = {a.code: a.discount for a in q.applied_coupons}
    if not applied:
        return
    rows = {c.code: c for c in s.execute(select(orm.Coupon).where(orm.Coupon.code.in_(applied))).scalars()}
    for code, discount in applied.items():
        row = rows[code]
        row.status = "redeemed"
        row.redeemed_sale_id = sale_id
        s.add(orm.CouponRedemption(coupon_id=row.id, sale_id=sale_id, discount=discount))


def _offline_points_refused(priced: Priced) -> Refused | None:
    """Why the points asked for cannot be redeemed while offline, or None. The sale is then
    not stored (the cashier asked for points the offline rules hold back; they must know)."""
    cap = priced.redeem_cap if priced.quote.points_rejected == POINTS_INSUFFICIENT else None
    if cap is None:
        return None
    if not cap.allowed:
        return Refused(
            "The server cannot be reached, and this till's offline rules do not allow "
            "redeeming points without it.",
            code="offline_redeem",
        )
    return Refused(
        f"Offline, at most {cap.cap} points can be redeemed for this member now: "
        f"the last balance the server confirmed ({cap.last_known_balance}) minus "
        f"{cap.redeemed_since} redeemed at this till since.",
        code="offline_points_cap",
    )


def _post_points(ctx: TillContext, s: Session, priced: Priced, sale_id: SaleId, now: datetime) -> None:
    """The sale's ledger entries (due expiries, redemption, earning) and the member's tier and
    last purchase, with the program version the sale was priced with."""
    assert priced.member_id is not None
    member_id, q, entries, program = priced.member_id, priced.quote, list(priced.ledger), priced.program
    new: list[ledger.LedgerEntry] = ledger.due_expiries(entries, now, member_id)
    for due in new:  # the server learns of these as it does of the daily expiry job's
        record_event(
            s,
            ctx.terminal_id,
            "points.expired",
            {
                "entry_id": str(due.id),
                "member_id": str(member_id),
                "points": due.points,
                "at": now.isoformat(),
            },
            now,
        )
    if q.points_redeemed:
        # The engine already held the request to the balance the till knows; offline, that
        # cached balance may be stale, which the server settles (DOMAIN.md, offline rules).
        new.append(
            ledger.redeem(
                member_id,
                q.points_redeemed,
                now,
                entries=entries + new,
                sale_id=sale_id,
                allow_overdraw=program.redemption.offline_overdraw,
            )
        )
    if q.points_earned:
        new.append(
            ledger.earn(
                member_id, q.points_earned, now, sale_id=sale_id, expires_at=program.expires_at(now, ctx.tz)
            )
        )
    s.add_all(ledger_row(e) for e in new)
    member = s.get_one(orm.Member, member_id)
    member.last_purchase_at = now
    member.tier = str(program.tier_for_spend(priced.spend + q.total_due))


def _line_extra(detail: LineDetail) -> dict[str, Any]:
    """What a sale line says beyond the quote (left out when there is nothing to say, as
    older tills sent it): a weighed item's weight, a manual change for the server to check."""
    extra: dict[str, Any] = {}
    if detail.grams is not None:
        extra.update(grams=detail.grams, per_kg=detail.per_kg)
    if detail.manual is not None:
        extra["manual"] = {
            "kind": detail.manual.change.kind,
            "value": detail.manual.change.value,
            "reason": detail.manual.change.reason,
            "list_unit": detail.list_unit,
            "discount": detail.manual_discount,
            "approval_id": str(detail.manual.approval_id),
            "approver_id": str(detail.manual.approver_id),
        }
    return extra


def _sale_payload(sale: orm.Sale, priced: Priced, cmd: CompleteSale) -> dict[str, Any]:
    q = priced.quote
    details = priced.details or tuple(LineDetail() for _ in q.lines)
    return {
        "sale_id": str(sale.id),
        "receipt_no": sale.receipt_no,
        "store_id": sale.store_id,
        "terminal_id": sale.terminal_id,
        "cashier_id": str(sale.cashier_id),
        "member_id": str(sale.member_id) if sale.member_id else None,
        "member_code": cmd.cart.member_code if sale.member_id else None,
        "at": sale.at.isoformat(),
        "subtotal": sale.subtotal,
        "member_savings": sale.member_savings,
        "coupon_discount": sale.coupon_discount,
        "points_redeemed": sale.points_redeemed,
        "points_value": sale.points_value,
        "total_due": sale.total_due,
        "points_earned": sale.points_earned,
        "paid": sale.paid,
        "change_due": sale.change_due,
        "feedback_token": sale.feedback_token,
        "program_version": sale.program_version,
        "coupons": [{"code": a.code, "discount": a.discount} for a in q.applied_coupons],
        "payments": [{"tender": t.kind, "amount": t.amount, "reference": t.reference} for t in cmd.tenders],
        "lines": [
            {
                "line_no": no,
                "sku": ln.sku,
                "qty": ln.qty,
                "list_total": ln.list_total,
                "line_total": ln.line_total,
                "coupon_discount": ln.coupon_discount,
                "points_discount": ln.points_discount,
                "points_redeemed": ln.points_redeemed,
                "net": ln.net,
                "points_earned": ln.points_earned,
                **_line_extra(detail),
            }
            for no, (ln, detail) in enumerate(zip(q.lines, details, strict=True), start=1)
        ],
    }

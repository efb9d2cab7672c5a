"""Quoting a cart and completing a sale, with the one pricing engine (`app.pricing`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.codes import issue_feedback_token
from app.domain.ids import MemberId, SaleId, ShiftId, StaffId, new_id
from app.domain.staff import Action
from app.domain.tiers import tier_for_spend
from app.pricing.engine import price
from app.pricing.model import POINTS_INSUFFICIENT, Basket, BasketLine, MemberContext, Quote
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.services.members import effective_entries, ledger_entries, resolve_member, rolling_spend
from app.services.offline import RedeemCap, redeem_cap
from app.services.outbox import record_event
from app.services.staff import require_approval
from app.store import orm
from app.store.convert import coupon_spec, ledger_row, promotion
from app.store.counters import next_value

TENDERS = ("cash", "card", "mobile")


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    qty: int
    price_override: int | None = None  # fen per unit; needs a supervisor's approval


@dataclass(frozen=True, slots=True)
class Cart:
    lines: tuple[CartLine, ...]
    member_id: MemberId | None = None
    coupon_codes: tuple[str, ...] = ()
    redeem_points: int = 0


@dataclass(frozen=True, slots=True)
class Tender:
    kind: str  # cash | card | mobile
    amount: int
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Priced:
    """A quote, plus coupons refused before pricing (unknown, used, someone else's)."""

    quote: Quote
    names: tuple[str, ...]
    categories: tuple[str, ...]
    refused_coupons: tuple[tuple[str, str], ...] = ()
    member_id: MemberId | None = None
    # What pricing read about the member, so completing the sale need not read it again.
    ledger: tuple[ledger.LedgerEntry, ...] = ()
    spend: int = 0
    # Offline (the server unreachable): the most points this member may redeem now, and why;
    # None when online or with no member. Points earned are 0 when `no_points_offline`.
    redeem_cap: RedeemCap | None = None
    no_points_offline: bool = False


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
    feedback_url: str
    duplicate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def quote_cart(ctx: TillContext, cart: Cart, at: datetime | None = None) -> Priced:
    """Price a cart as the checkout would; changes nothing."""
    with ctx.uow(write=False) as uow:
        return _price(ctx, uow.session, cart, at or ctx.now())


# Built once: the checkout runs these on every quote (values go in as bound parameters).
_PRODUCTS = select(
    orm.Product.sku, orm.Product.category, orm.Product.unit_price, orm.Product.member_price,
    orm.Product.name_zh, orm.Product.name_en, orm.Product.active,
).where(orm.Product.sku.in_(bindparam("skus", expanding=True)))
_COUPONS_BY_CODE = select(orm.Coupon).where(orm.Coupon.code.in_(bindparam("codes", expanding=True)))
_PROMOTIONS = select(orm.Promotion)


def _price(ctx: TillContext, s: Session, cart: Cart, at: datetime) -> Priced:
    if not cart.lines:
        raise Invalid("The cart is empty.", code="empty_cart")
    skus = {line.sku for line in cart.lines}
    products = {p.sku: p for p in s.execute(_PRODUCTS, {"skus": list(skus)})}
    lines: list[BasketLine] = []
    names: list[str] = []
    zh = ctx.config.terminal.language == "zh_CN"
    for line in cart.lines:
        product = products.get(line.sku)
        if product is None or not product.active:
            raise NotFound(f"Unknown barcode {line.sku}.", code="unknown_sku")
        if line.qty <= 0:
            raise Invalid("Quantity must be at least 1.", code="bad_qty")
        if line.price_override is not None:
            if line.price_override < 0:
                raise Invalid("A price cannot be negative.", code="bad_price")
            lines.append(BasketLine(product.sku, product.category, line.price_override, line.qty))
        else:
            lines.append(
                BasketLine(
                    product.sku, product.category, product.unit_price, line.qty, product.member_price
                )
            )
        names.append(product.name_zh if zh else product.name_en)

    offline = ctx.offline()
    rules = ctx.offline_rules
    member_ctx = None
    member_id = None
    raw_entries: list[ledger.LedgerEntry] = []
    spend = 0
    cap: RedeemCap | None = None
    if cart.member_id is not None:
        member = resolve_member(s, cart.member_id)
        if member is None:
            raise NotFound("No such member.", code="no_member")
        member_id = MemberId(member.id)
        raw_entries = ledger_entries(s, member_id)
        entries = effective_entries(raw_entries, member_id, at)
        spend = rolling_spend(s, member_id, at)
        tier = tier_for_spend(spend, ctx.tier_table())
        balance = ledger.balance(entries)
        if offline:  # the engine holds a redemption to this (DOMAIN.md, offline first)
            cap = redeem_cap(ctx, s, member_id, raw_entries, at)
            balance = min(balance, cap.cap)
        member_ctx = MemberContext(str(tier), balance, member.birthday)

    refused: list[tuple[str, str]] = []
    specs = []
    if cart.coupon_codes:
        rows = {
            c.code: c
            for c in s.execute(_COUPONS_BY_CODE, {"codes": list(cart.coupon_codes)}).scalars()
        }
        for code in cart.coupon_codes:
            row = rows.get(code)
            if offline and not rules.coupons_held_here:
                refused.append((code, "offline"))
            elif row is None:
                refused.append((code, "unknown"))
            elif row.status != "issued":
                refused.append((code, "already_used"))
            elif row.member_id is not None and row.member_id != member_id:
                refused.append((code, "other_member"))
            else:
                specs.append(coupon_spec(row))

    promotions = tuple(promotion(p) for p in s.execute(_PROMOTIONS).scalars())
    basket = Basket(
        at=at,
        program=ctx.program(),
        member=member_ctx,
        lines=tuple(lines),
        promotions=promotions,
        coupons=tuple(specs),
        redeem_points=cart.redeem_points,
    )
    categories = tuple(b.category for b in lines)
    quote = price(basket)
    no_points = offline and not rules.earn_points and member_id is not None
    if no_points:
        quote = replace(quote, points_earned=0,
                        lines=tuple(replace(line, points_earned=0) for line in quote.lines))
    return Priced(quote, tuple(names), categories, tuple(refused), member_id,
                  tuple(raw_entries), spend, cap, no_points)


def _receipt_no(ctx: TillContext, s: Session) -> str:
    n = next_value(s, f"receipt:{ctx.terminal_id}")
    return f"{ctx.store_id}-{ctx.terminal_id}-{n:06d}"


def _feedback_url(ctx: TillContext, token: str) -> str:
    """The receipt QR's URL: the server's feedback page for this sale's signed token."""
    return ctx.config.server.feedback_base_url.rstrip("/") + "/" + token


def _done(ctx: TillContext, sale: orm.Sale, duplicate: bool) -> SaleDone:
    return SaleDone(
        sale_id=SaleId(sale.id),
        receipt_no=sale.receipt_no,
        total_due=sale.total_due,
        paid=sale.paid,
        change_due=sale.change_due,
        points_earned=sale.points_earned,
        points_redeemed=sale.points_redeemed,
        feedback_url=_feedback_url(ctx, sale.feedback_token),
        duplicate=duplicate,
    )


def complete_sale(ctx: TillContext, cmd: CompleteSale) -> SaleDone:
    """Store a sale whole, in one transaction: the sale, its lines and payments, coupon
    redemptions, ledger entries, the audit entry and the outbox event.

    Idempotent: retried with the same `sale_id`, it returns the stored sale and stores
    nothing twice. Raises Invalid (tenders short, bad input), Refused (price changed since
    the cashier saw it, override without approval), NotFound (unknown barcode or member).
    """
    now = ctx.now()
    for tender in cmd.tenders:
        if tender.kind not in TENDERS:
            raise Invalid(f"Unknown tender {tender.kind!r}.", code="bad_tender")
        if tender.amount <= 0:
            raise Invalid("A payment must be more than zero.", code="bad_tender")
    overridden = any(line.price_override is not None for line in cmd.cart.lines)
    if overridden:
        # A retry of a stored sale needs no second approval.
        with ctx.uow(write=False) as uow:
            existing = uow.session.get(orm.Sale, cmd.sale_id)
            if existing is not None:
                return _done(ctx, existing, duplicate=True)
        require_approval(ctx, cmd.cashier_id, cmd.approver_id, cmd.approver_pin,
                         Action.PRICE_OVERRIDE)
    with ctx.uow() as uow:
        s = uow.session
        existing = s.get(orm.Sale, cmd.sale_id)
        if existing is not None:
            return _done(ctx, existing, duplicate=True)
        ctx.require_allowed_offline("sales")
        priced = _price(ctx, s, cmd.cart, now)
        q = priced.quote
        refused = _offline_points_refused(priced) if cmd.cart.redeem_points else None
        if refused is not None:
            raise refused
        if cmd.expected_total is not None and cmd.expected_total != q.total_due:
            raise Refused(
                "The total changed since it was shown; check the cart and try again.",
                code="total_changed",
            )
        paid = sum(t.amount for t in cmd.tenders)
        cash = sum(t.amount for t in cmd.tenders if t.kind == "cash")
        if paid < q.total_due:
            raise Invalid(f"Payment is {q.total_due - paid} fen short.", code="underpaid")
        change = paid - q.total_due
        if change > cash:
            raise Invalid("Only cash can give change.", code="change_without_cash")

        sale_id = cmd.sale_id
        receipt_no = _receipt_no(ctx, s)
        token = issue_feedback_token(ctx.store_id, ctx.terminal_id, sale_id, receipt_no,
                                     ctx.signer, now)
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
        )
        s.add(sale)
        s.flush()
        rows = zip(q.lines, priced.names, priced.categories, strict=True)
        for no, (ql, name, category) in enumerate(rows, start=1):
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
                )
            )
        for tender in cmd.tenders:
            s.add(orm.Payment(id=new_id(), sale_id=sale_id, tender=tender.kind,
                              amount=tender.amount, reference=tender.reference))
        applied = {a.code: a.discount for a in q.applied_coupons}
        coupon_rows = {
            c.code: c
            for c in s.execute(select(orm.Coupon).where(orm.Coupon.code.in_(applied))).scalars()
        } if applied else {}
        for code, discount in applied.items():
            row = coupon_rows[code]
            row.status = "redeemed"
            row.redeemed_sale_id = sale_id
            s.add(orm.CouponRedemption(coupon_id=row.id, sale_id=sale_id, discount=discount))

        if priced.member_id is not None:
            _post_points(ctx, s, priced, sale_id, now)
            member = s.get_one(orm.Member, priced.member_id)
            member.last_purchase_at = now
            member.tier = str(tier_for_spend(priced.spend + q.total_due, ctx.tier_table()))

        append_audit(
            s, ctx, cmd.cashier_id, cmd.approver_id if overridden else None, "sale.complete",
            str(sale_id),
            {"receipt_no": receipt_no, "total_due": q.total_due, "points_earned": q.points_earned,
             "points_redeemed": q.points_redeemed, "price_override": overridden},
            now,
        )
        record_event(s, ctx.terminal_id, "sale.completed", _sale_payload(sale, q, cmd), now)
        uow.commit()
        return _done(ctx, sale, duplicate=False)


def _offline_points_refused(priced: Priced) -> Refused | None:
    """Why the points asked for cannot be redeemed while offline, or None. The sale is then
    not stored (the cashier asked for points the offline rules hold back; they must know)."""
    cap = priced.redeem_cap if priced.quote.points_rejected == POINTS_INSUFFICIENT else None
    if cap is None:
        return None
    if not cap.allowed:
        return Refused("The server cannot be reached, and this till's offline rules do not allow "
                       "redeeming points without it.", code="offline_redeem")
    return Refused(f"Offline, at most {cap.cap} points can be redeemed for this member now: "
                   f"the last balance the server confirmed ({cap.last_known_balance}) minus "
                   f"{cap.redeemed_since} redeemed at this till since.", code="offline_points_cap")


def _post_points(
    ctx: TillContext, s: Session, priced: Priced, sale_id: SaleId, now: datetime
) -> None:
    assert priced.member_id is not None
    member_id, q, entries = priced.member_id, priced.quote, list(priced.ledger)
    new: list[ledger.LedgerEntry] = ledger.due_expiries(entries, now, member_id)
    for due in new:  # the server learns of these as it does of the daily expiry job's
        record_event(s, ctx.terminal_id, "points.expired", {
            "entry_id": str(due.id), "member_id": str(member_id),
            "points": due.points, "at": now.isoformat()}, now)
    if q.points_redeemed:
        # The engine already held the request to the balance the till knows; offline, that
        # cached balance may be stale, which the server settles (DOMAIN.md, offline rules).
        new.append(ledger.redeem(member_id, q.points_redeemed, now, entries=entries + new,
                                 sale_id=sale_id, allow_overdraw=ctx.config.loyalty.offline_overdraw))
    if q.points_earned:
        new.append(ledger.earn(member_id, q.points_earned, now, sale_id=sale_id, tz=ctx.tz))
    s.add_all(ledger_row(e) for e in new)


def _sale_payload(sale: orm.Sale, q: Quote, cmd: CompleteSale) -> dict[str, Any]:
    return {
        "sale_id": str(sale.id),
        "receipt_no": sale.receipt_no,
        "store_id": sale.store_id,
        "terminal_id": sale.terminal_id,
        "cashier_id": str(sale.cashier_id),
        "member_id": str(sale.member_id) if sale.member_id else None,
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
        "coupons": [{"code": a.code, "discount": a.discount} for a in q.applied_coupons],
        "payments": [{"tender": t.kind, "amount": t.amount, "reference": t.reference}
                     for t in cmd.tenders],
        "lines": [
            {"line_no": no, "sku": ln.sku, "qty": ln.qty, "list_total": ln.list_total,
             "line_total": ln.line_total, "coupon_discount": ln.coupon_discount,
             "points_discount": ln.points_discount, "points_redeemed": ln.points_redeemed,
             "net": ln.net, "points_earned": ln.points_earned}
            for no, ln in enumerate(q.lines, start=1)
        ],
    }

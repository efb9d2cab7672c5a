"""Suspend and recall: a cart put aside before payment and taken up again later on the same
till (several at once, kept in the store so they survive a restart). Nothing is sold, so
nothing is sent to the server; the audit log keeps who suspended and who recalled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.domain.ids import MemberId, StaffId, new_id
from app.pricing.manual import ApprovedChange, ManualChange
from app.services.audit import append_audit
from app.services.checkout import Cart, CartLine
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.store import orm


def _line_data(line: CartLine) -> list[Any]:
    """[sku, qty, price override] (as older tills kept it), then what else the line has."""
    extra: dict[str, Any] = {}
    if line.grams is not None:
        extra["grams"] = line.grams
    if line.scale_price is not None:
        extra["scale_price"] = line.scale_price
    if line.manual is not None:
        m = line.manual
        extra["manual"] = [
            m.change.kind,
            m.change.value,
            m.change.reason,
            str(m.approval_id),
            str(m.approver_id),
        ]
    return [line.sku, line.qty, line.price_override, *([extra] if extra else [])]


def _line(item: list[Any]) -> CartLine:
    sku, qty, po, *rest = item
    extra: dict[str, Any] = rest[0] if rest else {}
    manual = None
    if "manual" in extra:
        kind, value, reason, approval_id, approver_id = extra["manual"]
        manual = ApprovedChange(
            ManualChange(kind, int(value), str(reason)), uuid.UUID(approval_id), uuid.UUID(approver_id)
        )
    return CartLine(
        str(sku),
        int(qty),
        None if po is None else int(po),
        grams=extra.get("grams"),
        scale_price=extra.get("scale_price"),
        manual=manual,
    )


@dataclass(frozen=True, slots=True)
class SuspendSale:
    cashier_id: StaffId
    cart: Cart
    total: int  # fen, as last priced (for the list)


@dataclass(frozen=True, slots=True)
class Suspended:
    """One suspended sale, as the recall list shows it."""

    id: uuid.UUID
    at: datetime
    items: int
    total: int
    member: bool


@dataclass(frozen=True, slots=True)
class Recalled:
    cart: Cart


def suspend_sale(ctx: TillContext, cmd: SuspendSale) -> uuid.UUID:
    """Keep the cart; returns its id. Raises Invalid for an empty cart and Refused when
    `[checkout] max_suspended` are waiting already."""
    if not cmd.cart.lines:
        raise Invalid("The cart is empty.", code="empty_cart")
    now = ctx.now()
    sid = new_id()
    with ctx.uow() as uow:
        s = uow.session
        waiting = s.execute(
            select(func.count(orm.SuspendedSale.id)).where(orm.SuspendedSale.terminal_id == ctx.terminal_id)
        ).scalar_one()
        if waiting >= ctx.config.checkout.max_suspended:
            raise Refused(
                f"{waiting} sales are suspended already; recall one first.", code="too_many_suspended"
            )
        s.add(
            orm.SuspendedSale(
                id=sid,
                terminal_id=ctx.terminal_id,
                cashier_id=cmd.cashier_id,
                at=now,
                member_id=cmd.cart.member_id,
                total=cmd.total,
                items=sum(ln.qty for ln in cmd.cart.lines),
                cart={
                    "lines": [_line_data(ln) for ln in cmd.cart.lines],
                    "coupons": list(cmd.cart.coupon_codes),
                    "redeem_points": cmd.cart.redeem_points,
                    # the verified code that identified the member, sent with the sale when
                    # it is paid (the server lets a store receive a member by it)
                    "member_code": cmd.cart.member_code if cmd.cart.member_id else None,
                },
            )
        )
        append_audit(
            s,
            ctx,
            cmd.cashier_id,
            None,
            "sale.suspend",
            str(sid),
            {"lines": len(cmd.cart.lines), "total": cmd.total},
            now,
        )
        uow.commit()
    return sid


def suspended_sales(ctx: TillContext) -> list[Suspended]:
    """This till's suspended sales, oldest first."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(orm.SuspendedSale)
            .where(orm.SuspendedSale.terminal_id == ctx.terminal_id)
            .order_by(orm.SuspendedSale.at, orm.SuspendedSale.id)
        )
        return [Suspended(r.id, r.at, r.items, r.total, r.member_id is not None) for r in rows.scalars()]


def recall_sale(ctx: TillContext, suspended_id: uuid.UUID, cashier_id: StaffId) -> Recalled:
    """Take a suspended cart back (it leaves the list). Raises NotFound when it is gone
    (recalled already)."""
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        row = s.get(orm.SuspendedSale, suspended_id)
        if row is None or row.terminal_id != ctx.terminal_id:
            raise NotFound("That suspended sale is not here any more.", code="no_suspended")
        lines = tuple(_line(item) for item in row.cart.get("lines", []))
        cart = Cart(
            lines=lines,
            member_id=MemberId(row.member_id) if row.member_id else None,
            coupon_codes=tuple(row.cart.get("coupons", [])),
            redeem_points=int(row.cart.get("redeem_points", 0)),
            member_code=row.cart.get("member_code") if row.member_id else None,
        )
        s.delete(row)
        append_audit(s, ctx, cashier_id, None, "sale.recall", str(suspended_id), {"lines": len(lines)}, now)
        uow.commit()
    return Recalled(cart)

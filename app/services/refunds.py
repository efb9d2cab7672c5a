"""Refunds, partial and full, with a supervisor's approval."""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.ids import MemberId, RefundId, SaleId, ShiftId, StaffId
from app.domain.refunds import (
    RefundError,
    RefundPlan,
    SoldLine,
    coupon_returns,
    normalize_reason,
    plan_refund,
)
from app.domain.staff import Action
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.services.members import rolling_spend
from app.services.outbox import record_event
from app.services.staff import require_approval
from app.store import orm
from app.store.convert import ledger_row


@dataclass(frozen=True, slots=True)
class RefundSale:
    refund_id: RefundId
    sale_ref: str  # the sale id or its receipt number
    lines: dict[int, int]  # line_no -> qty to refund
    cashier_id: StaffId
    approver_id: StaffId | None
    approver_pin: str | None
    reason: str = ""  # app.domain.refunds.REFUND_REASONS ("" from callers before reasons)
    shift_id: ShiftId | None = None
    reason_note: str = ""  # the cashier's words; required for "other"


@dataclass(frozen=True, slots=True)
class RefundDone:
    refund_id: RefundId
    sale_id: SaleId
    money: int
    points_reversed: int
    points_given_back: int
    full: bool
    coupons_returned: tuple[str, ...]
    duplicate: bool = False


def find_sale(s: Session, ref: str, terminal_id: str | None = None) -> orm.Sale:
    """A sale by its id or its receipt number. A receipt number of another till
    (`STORE-TERMINAL-NNNNNN`, `terminal_id` being this one) is refused as such: only the till
    that sold holds the sale."""
    ref = ref.strip()
    sale = None
    with contextlib.suppress(ValueError):
        sale = s.get(orm.Sale, uuid.UUID(ref))
    if sale is None:
        sale = s.execute(select(orm.Sale).where(orm.Sale.receipt_no == ref)).scalar_one_or_none()
    if sale is None:
        parts = ref.rsplit("-", 2)
        if (
            terminal_id is not None
            and len(parts) == 3
            and parts[2].isdigit()
            and parts[1]
            and parts[1] != terminal_id
        ):
            raise NotFound(
                f"Receipt {ref} was issued at till {parts[1]}: only that till holds "
                "the sale (refund or reprint it there).",
                code="sale_other_till",
            )
        raise NotFound("No sale with this receipt number.", code="no_sale")
    return sale


def sale_ref_from_text(ctx: TillContext, text: str) -> str:
    """What the cashier typed or scanned to find a sale: a receipt number or sale id as is,
    or the receipt's feedback QR (a URL ending in a signed token), checked against every key
    this till trusts and turned into the sale id. Raises Refused for a forged code."""
    from app.domain.codes import CodeError, looks_like_feedback_token, verify_feedback_token

    text = text.strip()
    token = text.rsplit("/", 1)[-1]
    if not looks_like_feedback_token(token):
        return text
    with ctx.uow(write=False) as uow:
        keyring = ctx.keyring(uow)
    try:
        claims = verify_feedback_token(token, keyring)
    except CodeError as exc:
        raise Refused("This code is not a receipt of this store.", code="not_receipt_code") from exc
    return str(claims.sale_id)


class OverRefund(Invalid):
    """More asked back on a line than is left on it; names the item (as sold) and what is left."""

    def __init__(self, item: str, line_no: int, left: int, asked: int, sold: int) -> None:
        super().__init__(
            f"{item} (line {line_no}): only {left} of {sold} left to refund, asked for {asked}.",
            code="refund_qty_exceeds_remaining",
        )
        self.item, self.line_no, self.left, self.asked, self.sold = item, line_no, left, asked, sold


@dataclass(frozen=True, slots=True)
class RefundableLine:
    line_no: int
    sku: str
    name: str  # as sold
    sold: int
    refunded: int  # by earlier refunds
    paid: int  # the line's net, fen

    @property
    def left(self) -> int:
        return self.sold - self.refunded


@dataclass(frozen=True, slots=True)
class RefundPreview:
    """What a refund would give back, before it is made (nothing is written)."""

    money: int
    points_reversed: int
    points_given_back: int
    full: bool
    coupons_returned: tuple[str, ...]
    lines: dict[int, int]  # line_no -> money of that line's refund, fen


def refundable_lines(ctx: TillContext, sale_ref: str) -> tuple[SaleId, tuple[RefundableLine, ...]]:
    """The sale's lines with what earlier refunds took back: a sale reopened after 1 of 2 was
    refunded shows 1 left."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        sale = find_sale(s, sale_ref, ctx.terminal_id)
        done = refunded_qty(s, SaleId(sale.id))
        return SaleId(sale.id), tuple(
            RefundableLine(ln.line_no, ln.sku, ln.name, ln.qty, done.get(ln.line_no, 0), ln.net)
            for ln in _sale_lines(s, SaleId(sale.id))
        )


def preview_refund(ctx: TillContext, sale_ref: str, lines: dict[int, int]) -> RefundPreview:
    """The money, points and coupons a refund of `lines` (line_no -> qty) would give back now.
    Raises Invalid as `refund_sale` would (an over-refund names the line). Writes nothing."""
    now = ctx.now()
    with ctx.uow(write=False) as uow:
        s = uow.session
        sale = find_sale(s, sale_ref, ctx.terminal_id)
        sale_id = SaleId(sale.id)
        plan = _plan(s, sale_id, lines)
        coupons = tuple(code for code, _red in _returning_coupons(s, sale_id, plan.full, now))
        return RefundPreview(
            plan.money_fen,
            plan.points_reversed,
            plan.points_given_back,
            plan.full,
            coupons,
            {rl.line_no: rl.money_fen for rl in plan.lines},
        )


def _sale_lines(s: Session, sale_id: SaleId) -> list[orm.SaleLine]:
    return list(
        s.execute(select(orm.SaleLine).where(orm.SaleLine.sale_id == sale_id).order_by(orm.SaleLine.line_no))
        .scalars()
        .all()
    )


def _plan(s: Session, sale_id: SaleId, requested: dict[int, int]) -> RefundPlan:
    """The refund plan over the stored sale; a refusal names the item, not only its line."""
    lines = _sale_lines(s, sale_id)
    sold = [
        SoldLine(
            ln.line_no,
            ln.qty,
            ln.net,
            ln.points_earned,
            ln.points_redeemed,
            ln.points_discount,
            ln.coupon_discount,
        )
        for ln in lines
    ]
    done = refunded_qty(s, sale_id)
    try:
        return plan_refund(sold, done, requested)
    except RefundError as exc:
        line = next((ln for ln in lines if ln.line_no == exc.line_no), None)
        if exc.reason == "qty_exceeds_remaining" and line is not None:
            left = line.qty - done.get(line.line_no, 0)
            asked = requested.get(line.line_no, 0)
            raise OverRefund(line.name, line.line_no, left, asked, line.qty) from exc
        raise Invalid(str(exc), code=f"refund_{exc.reason}") from exc


def _returning_coupons(
    s: Session, sale_id: SaleId, full: bool, now: datetime
) -> list[tuple[str, tuple[orm.CouponRedemption, orm.Coupon]]]:
    """The coupons a refund would give back: on a full refund, those still valid."""
    if not full:
        return []
    return [
        (coupon.code, (red, coupon))
        for red, coupon in s.execute(
            select(orm.CouponRedemption, orm.Coupon)
            .join(orm.Coupon, orm.Coupon.id == orm.CouponRedemption.coupon_id)
            .where(orm.CouponRedemption.sale_id == sale_id, orm.CouponRedemption.returned.is_(False))
        ).all()
        if coupon_returns(True, now, coupon.valid_to)
    ]


def refunded_qty(s: Session, sale_id: SaleId) -> dict[int, int]:
    done: dict[int, int] = defaultdict(int)
    rows = s.execute(
        select(orm.RefundLine.line_no, orm.RefundLine.qty)
        .join(orm.Refund, orm.Refund.id == orm.RefundLine.refund_id)
        .where(orm.Refund.sale_id == sale_id)
    )
    for line_no, qty in rows:
        done[line_no] += qty
    return dict(done)


def refund_sale(ctx: TillContext, cmd: RefundSale) -> RefundDone:
    """Refund some or all of a sale's lines: money back by what each unit really cost, the
    points those units earned taken back, the points that paid for them given back; a
    coupon comes back only on a full refund within its validity. One transaction, with the
    audit entry (both staff ids) and the outbox event. Idempotent on `refund_id`."""
    with ctx.uow(write=False) as uow:
        done = uow.session.get(orm.Refund, cmd.refund_id)
        if done is not None:
            return _result(uow.session, done, duplicate=True)
    try:
        reason, reason_note = normalize_reason(cmd.reason, cmd.reason_note)
    except ValueError as exc:
        raise Invalid(f"Refund reason: {exc}.", code="refund_bad_reason") from exc
    ctx.require_allowed_offline("refunds")
    approver = require_approval(ctx, cmd.cashier_id, cmd.approver_id, cmd.approver_pin, Action.REFUND)
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        sale = find_sale(s, cmd.sale_ref, ctx.terminal_id)
        sale_id = SaleId(sale.id)
        plan = _plan(s, sale_id, cmd.lines)
        refund = orm.Refund(
            id=cmd.refund_id,
            sale_id=sale_id,
            at=now,
            cashier_id=cmd.cashier_id,
            approver_id=approver,
            shift_id=cmd.shift_id,
            money=plan.money_fen,
            points_reversed=plan.points_reversed,
            points_given_back=plan.points_given_back,
            full=plan.full,
            reason=reason,
            reason_note=reason_note,
        )
        s.add(refund)
        s.flush()
        for rl in plan.lines:
            s.add(
                orm.RefundLine(
                    refund_id=cmd.refund_id,
                    line_no=rl.line_no,
                    qty=rl.qty,
                    money=rl.money_fen,
                    points_reversed=rl.points_reversed,
                    points_given_back=rl.points_given_back,
                )
            )
        returned: list[str] = []
        if sale.member_id is not None:
            member_id = MemberId(sale.member_id)
            program = ctx.program_at(now)
            entries: list[ledger.LedgerEntry] = []
            if plan.points_reversed:
                entries.append(
                    ledger.reverse(
                        member_id,
                        plan.points_reversed,
                        now,
                        sale_id=sale_id,
                        refund_id=cmd.refund_id,
                        note="refund",
                    )
                )
            if plan.points_given_back:
                entries.append(
                    ledger.give_back(
                        member_id,
                        plan.points_given_back,
                        now,
                        sale_id=sale_id,
                        refund_id=cmd.refund_id,
                        note="refund",
                        expires_at=program.expires_at(now, ctx.tz),
                    )
                )
            s.add_all(ledger_row(e) for e in entries)
            member = s.get_one(orm.Member, member_id)
            s.flush()
            member.tier = str(program.tier_for_spend(rolling_spend(s, member_id, now)))
        for code, (red, coupon) in _returning_coupons(s, sale_id, plan.full, now):
            coupon.status = "issued"
            coupon.redeemed_sale_id = None
            red.returned = True
            returned.append(code)
        details: dict[str, Any] = {
            "sale_id": str(sale_id),
            "money": plan.money_fen,
            "full": plan.full,
            "points_reversed": plan.points_reversed,
            "points_given_back": plan.points_given_back,
            "lines": {str(k): v for k, v in cmd.lines.items() if v},
            "reason": reason,
        }
        append_audit(s, ctx, cmd.cashier_id, approver, "sale.refund", str(cmd.refund_id), details, now)
        record_event(
            s,
            ctx.terminal_id,
            "refund.completed",
            {
                **details,
                "refund_id": str(cmd.refund_id),
                "receipt_no": sale.receipt_no,
                "member_id": str(sale.member_id) if sale.member_id else None,
                "at": now.isoformat(),
                "cashier_id": str(cmd.cashier_id),
                "approver_id": str(approver),
                "coupons_returned": returned,
                "reason_note": reason_note,
                "refund_lines": [
                    {
                        "line_no": rl.line_no,
                        "qty": rl.qty,
                        "money": rl.money_fen,
                        "points_reversed": rl.points_reversed,
                        "points_given_back": rl.points_given_back,
                    }
                    for rl in plan.lines
                ],
            },
            now,
        )
        uow.commit()
        return RefundDone(
            RefundId(cmd.refund_id),
            sale_id,
            plan.money_fen,
            plan.points_reversed,
            plan.points_given_back,
            plan.full,
            tuple(returned),
        )


def _result(s: Session, row: orm.Refund, duplicate: bool) -> RefundDone:
    returned = (
        tuple(
            code
            for (code,) in s.execute(
                select(orm.Coupon.code)
                .join(orm.CouponRedemption, orm.Coupon.id == orm.CouponRedemption.coupon_id)
                .where(orm.CouponRedemption.sale_id == row.sale_id, orm.CouponRedemption.returned)
            )
        )
        if row.full
        else ()
    )
    return RefundDone(
        RefundId(row.id),
        SaleId(row.sale_id),
        row.money,
        row.points_reversed,
        row.points_given_back,
        row.full,
        returned,
        duplicate,
    )

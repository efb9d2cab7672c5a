"""Shifts: open with a cash float, X report (mid-shift), close with a Z report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.clock import local_time
from app.domain.ids import ShiftId, StaffId, new_id
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import NotFound, Refused
from app.services.outbox import record_event
from app.store import orm
from app.store.counters import next_value


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """The X (so far) or Z (closing) report of a shift. All money in fen."""

    kind: str  # "X" or "Z"
    shift_id: ShiftId
    terminal_id: str
    cashier_id: StaffId
    opened_at: datetime
    closed_at: datetime | None
    z_no: int | None
    sales: int
    gross: int  # sum of what the sales charged in money
    by_tender: dict[str, int]  # what each tender kept (cash: handed over minus change)
    refunds: int
    refunded: int
    points_earned: int
    points_redeemed: int
    coupon_discount: int
    member_sales: int
    opening_float: int
    expected_cash: int
    counted_cash: int | None

    @property
    def over_short(self) -> int | None:
        return None if self.counted_cash is None else self.counted_cash - self.expected_cash


def open_shift(ctx: TillContext, cashier_id: StaffId, opening_float: int = 0) -> ShiftId:
    if opening_float < 0:
        raise Refused("The float cannot be negative.", code="bad_float")
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        if current_shift_in(s, ctx.terminal_id) is not None:
            raise Refused("A shift is already open on this till; close it first.", code="shift_open")
        shift_id = ShiftId(new_id())
        s.add(
            orm.Shift(
                id=shift_id,
                terminal_id=ctx.terminal_id,
                cashier_id=cashier_id,
                opened_at=now,
                opening_float=opening_float,
                closed_at=None,
                counted_cash=None,
                z_no=None,
            )
        )
        append_audit(
            s, ctx, cashier_id, None, "shift.open", str(shift_id), {"opening_float": opening_float}, now
        )
        uow.commit()
        return shift_id


def current_shift_in(s: Session, terminal_id: str) -> orm.Shift | None:
    return s.execute(
        select(orm.Shift).where(orm.Shift.terminal_id == terminal_id, orm.Shift.closed_at.is_(None))
    ).scalar_one_or_none()


def current_shift(ctx: TillContext) -> ShiftId | None:
    with ctx.uow(write=False) as uow:
        row = current_shift_in(uow.session, ctx.terminal_id)
        return ShiftId(row.id) if row else None


def _report(ctx: TillContext, s: Session, shift: orm.Shift, kind: str) -> ShiftReport:
    """The report; its times are the store's wall-clock times (as printed and shown)."""
    sid = shift.id
    sales = s.execute(
        select(
            func.count(orm.Sale.id),
            func.coalesce(func.sum(orm.Sale.total_due), 0),
            func.coalesce(func.sum(orm.Sale.points_earned), 0),
            func.coalesce(func.sum(orm.Sale.points_redeemed), 0),
            func.coalesce(func.sum(orm.Sale.coupon_discount), 0),
            func.count(orm.Sale.member_id),
            func.coalesce(func.sum(orm.Sale.change_due), 0),
        ).where(orm.Sale.shift_id == sid)
    ).one()
    by_tender = {
        tender: int(amount)
        for tender, amount in s.execute(
            select(orm.Payment.tender, func.sum(orm.Payment.amount))
            .join(orm.Sale, orm.Sale.id == orm.Payment.sale_id)
            .where(orm.Sale.shift_id == sid)
            .group_by(orm.Payment.tender)
        )
    }
    refunds, refunded = s.execute(
        select(func.count(orm.Refund.id), func.coalesce(func.sum(orm.Refund.money), 0)).where(
            orm.Refund.shift_id == sid
        )
    ).one()
    count, gross, earned, redeemed, coupons, members, change = (int(v) for v in sales)
    # What each tender kept: the change went back out of the cash handed over (only cash
    # gives change), so the tenders add up to what the sales charged.
    if change:
        by_tender["cash"] = by_tender.get("cash", 0) - change
    # Refunds are paid out in cash at this till.
    expected = shift.opening_float + by_tender.get("cash", 0) - int(refunded)
    return ShiftReport(
        kind=kind,
        shift_id=ShiftId(sid),
        terminal_id=shift.terminal_id,
        cashier_id=StaffId(shift.cashier_id),
        opened_at=local_time(shift.opened_at, ctx.tz),
        closed_at=None if shift.closed_at is None else local_time(shift.closed_at, ctx.tz),
        z_no=shift.z_no,
        sales=count,
        gross=gross,
        by_tender=by_tender,
        refunds=int(refunds),
        refunded=int(refunded),
        points_earned=earned,
        points_redeemed=redeemed,
        coupon_discount=coupons,
        member_sales=members,
        opening_float=shift.opening_float,
        expected_cash=expected,
        counted_cash=shift.counted_cash,
    )


def x_report(ctx: TillContext, shift_id: ShiftId) -> ShiftReport:
    with ctx.uow(write=False) as uow:
        shift = uow.session.get(orm.Shift, shift_id)
        if shift is None:
            raise NotFound("No such shift.", code="no_shift")
        return _report(ctx, uow.session, shift, "X")


def close_shift(ctx: TillContext, shift_id: ShiftId, staff_id: StaffId, counted_cash: int) -> ShiftReport:
    """Close the shift with the cash counted in the drawer and return its Z report."""
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        shift = s.get(orm.Shift, shift_id)
        if shift is None:
            raise NotFound("No such shift.", code="no_shift")
        if shift.closed_at is not None:
            return _report(ctx, s, shift, "Z")
        shift.closed_at = now
        shift.counted_cash = counted_cash
        shift.z_no = next_value(s, f"z:{ctx.terminal_id}")
        report = _report(ctx, s, shift, "Z")
        details = {
            "z_no": report.z_no,
            "sales": report.sales,
            "gross": report.gross,
            "expected_cash": report.expected_cash,
            "counted_cash": counted_cash,
        }
        append_audit(s, ctx, staff_id, None, "shift.close", str(shift_id), details, now)
        record_event(
            s,
            ctx.terminal_id,
            "shift.closed",
            {
                "shift_id": str(shift_id),
                "at": now.isoformat(),
                **details,
                "by_tender": report.by_tender,
                "refunded": report.refunded,
            },
            now,
        )
        uow.commit()
        return report

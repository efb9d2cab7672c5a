"""Printed slips that are not sale receipts: the refund slip and the X/Z shift reports.

Each is a `Receipt` document (kind "refund" or "report") with its figures as `SlipRow`s; the
printer words every label in the store's language profile, and every time on it is the
store's wall-clock time (`[store] timezone`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import local_time
from app.domain.ids import RefundId
from app.domain.members import mask_phone
from app.domain.receipt import Receipt, ReceiptLine, ReceiptTotals, SlipRow
from app.services.context import TillContext
from app.services.errors import NotFound
from app.services.shifts import ShiftReport
from app.store import orm

_NO_TOTALS = ReceiptTotals(0, 0, 0, 0, 0, 0, 0, ())


def _store_name(ctx: TillContext, zh: bool) -> str:
    return ctx.config.store.name_zh if zh else ctx.config.store.name_en


def _names(s: Session, lines: list[orm.SaleLine], zh: bool) -> dict[str, str]:
    names = {ln.sku: ln.name for ln in lines}  # as sold
    if not zh:
        names.update(
            (sku, en)
            for sku, en in s.execute(
                select(orm.Product.sku, orm.Product.name_en).where(orm.Product.sku.in_(names))
            )
            if en
        )
    return names


def refund_no(refund_id: RefundId) -> str:
    """The number a refund slip carries: "R-" and the end of the refund's id (its random part,
    unique enough to find the refund and never a sale's receipt number)."""
    return "R-" + str(refund_id).replace("-", "")[-12:].upper()


def last_refund_id(ctx: TillContext) -> RefundId | None:
    """The newest refund made at this till, if any (for a reprint of its slip)."""
    with ctx.uow(write=False) as uow:
        row = uow.session.execute(select(orm.Refund.id).order_by(orm.Refund.at.desc()).limit(1)).first()
        return None if row is None else RefundId(row[0])


def looks_like_refund_ref(ref: str) -> bool:
    """A refund slip's number (`R-…`) or `last-refund`, as `till receipt` takes them."""
    ref = ref.strip()
    return ref == "last-refund" or ref.upper().startswith("R-")


def find_refund(ctx: TillContext, ref: str) -> RefundId:
    """The refund behind its slip's number (`R-` and 12 hex digits, any case), its id, or
    `last-refund` (the newest at this till). Raises NotFound."""
    ref = ref.strip()
    if ref == "last-refund":
        found = last_refund_id(ctx)
        if found is None:
            raise NotFound("No refund has been made at this till yet.", code="no_refund")
        return found
    try:
        return RefundId(uuid.UUID(ref))
    except ValueError:
        pass
    tail = ref.upper().removeprefix("R-")
    if len(tail) == 12 and all(c in "0123456789ABCDEF" for c in tail):
        with ctx.uow(write=False) as uow:  # a till's refunds are few: read their ids
            for (rid,) in uow.session.execute(select(orm.Refund.id)):
                if rid.hex.upper().endswith(tail):
                    return RefundId(rid)
    raise NotFound(f"No refund {ref[:40]} at this till.", code="no_refund")


def refund_slip(ctx: TillContext, refund_id: RefundId, language: str | None = None) -> Receipt:
    """The slip of a stored refund: the units that came back at what they cost, the money given
    back, the points taken back or returned, the coupons returned, the reason, the approver,
    and a line for the customer's signature. Raises NotFound."""
    lang = language or ctx.config.terminal.language
    zh = lang == "zh_CN"
    with ctx.uow(write=False) as uow:
        s = uow.session
        refund = s.get(orm.Refund, uuid.UUID(str(refund_id)))
        if refund is None:
            raise NotFound("No such refund.", code="no_refund")
        sale = s.get_one(orm.Sale, refund.sale_id)
        back = {
            rl.line_no: rl
            for rl in s.execute(select(orm.RefundLine).where(orm.RefundLine.refund_id == refund.id)).scalars()
        }
        sold = [
            ln
            for ln in s.execute(
                select(orm.SaleLine).where(orm.SaleLine.sale_id == sale.id).order_by(orm.SaleLine.line_no)
            ).scalars()
            if ln.line_no in back
        ]
        names = _names(s, sold, zh)
        cashier = s.get(orm.Staff, refund.cashier_id)
        approver = s.get(orm.Staff, refund.approver_id)
        coupons = (
            [
                code
                for (code,) in s.execute(
                    select(orm.Coupon.code)
                    .join(orm.CouponRedemption, orm.Coupon.id == orm.CouponRedemption.coupon_id)
                    .where(orm.CouponRedemption.sale_id == sale.id, orm.CouponRedemption.returned)
                )
            ]
            if refund.full
            else []
        )
        member = s.get(orm.Member, sale.member_id) if sale.member_id is not None else None
        rows: list[SlipRow] = [
            SlipRow("refund_of", sale.receipt_no, "text"),
            SlipRow("rule", ""),
            SlipRow("refund_total", refund.money, bold=True),
            SlipRow("cash_back", refund.money),
        ]
        if refund.points_reversed:
            rows.append(SlipRow("points_reversed", -refund.points_reversed, "points"))
        if refund.points_given_back:
            rows.append(SlipRow("points_given_back", refund.points_given_back, "points"))
        rows += [SlipRow("coupon_returned", code, "text") for code in coupons]
        rows.append(SlipRow("rule", ""))
        if refund.reason:
            rows.append(SlipRow("reason", refund.reason, "reason"))
        if refund.reason_note:
            rows.append(SlipRow("reason_note", refund.reason_note, "text"))
        rows.append(SlipRow("approver", approver.name if approver else "", "text"))
        return Receipt(
            store_name=_store_name(ctx, zh),
            store_address=ctx.config.store.address,
            store_phone=ctx.config.store.phone,
            terminal_id=sale.terminal_id,
            receipt_no=refund_no(RefundId(refund.id)),
            sale_id=str(sale.id),
            at=local_time(refund.at, ctx.tz),
            cashier=cashier.name if cashier else "",
            lines=tuple(
                ReceiptLine(
                    names[ln.sku],
                    ln.sku,
                    back[ln.line_no].qty,
                    # what each unit came back at (its share of the net: after coupons and points)
                    back[ln.line_no].money // back[ln.line_no].qty,
                    back[ln.line_no].money,
                    0,
                    back[ln.line_no].money,
                )
                for ln in sold
            ),
            totals=_NO_TOTALS,
            coupons=(),
            member=mask_phone(member.phone) if member is not None else None,
            points=None,
            feedback_url="",
            language=lang,
            kind="refund",
            rows=tuple(rows),
        )


def report_slip(
    ctx: TillContext, report: ShiftReport, cashier: str = "", language: str | None = None
) -> Receipt:
    """The X or Z report as printed: the figures of `report` (app.services.shifts), the shift's
    times in the store's zone, printed now; `cashier` defaults to the shift's cashier's name."""
    lang = language or ctx.config.terminal.language
    if not cashier:
        with ctx.uow(write=False) as uow:
            row = uow.session.get(orm.Staff, report.cashier_id)
            cashier = row.name if row is not None else ""
    zh = lang == "zh_CN"
    rows: list[SlipRow] = [
        SlipRow("opened", _when(report.opened_at), "text"),
    ]
    if report.closed_at is not None:
        rows.append(SlipRow("closed", _when(report.closed_at), "text"))
    rows += [
        SlipRow("rule", ""),
        SlipRow("sales", report.sales, "count"),
        SlipRow("gross", report.gross, bold=True),
        *([SlipRow("by_tender", "", "text")] if report.by_tender else []),
        *[SlipRow("by_tender", v, arg=k) for k, v in sorted(report.by_tender.items())],
        SlipRow("refunds", report.refunds, "count"),
        SlipRow("refunded", report.refunded),
        SlipRow("member_sales", report.member_sales, "count"),
        SlipRow("coupon_discount", report.coupon_discount),
        SlipRow("points_earned", report.points_earned, "points"),
        SlipRow("points_redeemed", report.points_redeemed, "points"),
        SlipRow("rule", ""),
        SlipRow("opening_float", report.opening_float),
        SlipRow("expected_cash", report.expected_cash, bold=True),
    ]
    if report.counted_cash is not None:
        rows.append(SlipRow("counted_cash", report.counted_cash))
        rows.append(SlipRow("over_short", report.over_short or 0, bold=True))
    now = local_time(ctx.now(), ctx.tz)
    number = f"Z{report.z_no:04d}" if report.kind == "Z" and report.z_no else f"X-{now:%Y%m%d-%H%M%S}"
    return Receipt(
        store_name=_store_name(ctx, zh),
        store_address=ctx.config.store.address,
        store_phone=ctx.config.store.phone,
        terminal_id=report.terminal_id,
        receipt_no=number,
        sale_id=str(report.shift_id),
        at=now,
        cashier=cashier,
        lines=(),
        totals=_NO_TOTALS,
        coupons=(),
        member=None,
        points=None,
        feedback_url="",
        language=lang,
        kind="report",
        rows=tuple(rows),
        title="z_report" if report.kind == "Z" else "x_report",
    )


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M}"

"""Building the receipt document of a stored sale (for printing, reprint and preview)."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.clock import local_time
from app.domain.ids import MemberId
from app.domain.members import mask_phone
from app.domain.money import format_fen
from app.domain.receipt import Receipt, ReceiptLine, ReceiptPoints, ReceiptTotals
from app.domain.tiers import describe, progress
from app.services.checkout import receipt_feedback_url
from app.services.context import TillContext
from app.services.errors import NotFound
from app.services.members import effective_entries, ledger_entries, rolling_spend
from app.services.refunds import find_sale
from app.store import orm

_REASONS_ZH = {
    "Damaged packaging": "包装破损",
    "Close to its expiry date": "临近保质期",
    "Shelf price differs": "货架价格不符",
    "Customer complaint": "顾客投诉",
    "Other": "其他",
}


def line_note(ln: orm.SaleLine, zh: bool) -> str:
    """What the receipt prints under a line: the weight at the price per kg, and a manual
    discount or price with its reason (the printed amounts are the changed ones)."""
    parts = []
    if ln.grams is not None:
        weight = f"{ln.grams // 1000}.{ln.grams % 1000:03d} kg"
        parts.append(weight + (f" × {format_fen(ln.per_kg)}/kg" if ln.per_kg is not None else ""))
    if ln.manual_kind is not None:
        reason = ln.manual_reason or ""
        reason = _REASONS_ZH.get(reason, reason) if zh else reason
        if ln.manual_kind == "discount":
            what = ("手工折扣 " if zh else "Manual discount ") + f"-{ln.manual_value}%"
        else:
            what = ("改价 " if zh else "Price changed to ") + format_fen(ln.manual_value or 0)
        saved = (
            ("，优惠 " if zh else ", saving ") + format_fen(ln.manual_discount)
            if ln.manual_discount > 0
            else ""
        )
        parts.append(f"{what}{saved} ({reason})")
    return "; ".join(parts)


def receipt_for(ctx: TillContext, sale_ref: str, language: str | None = None) -> Receipt:
    """The receipt of a sale by id, receipt number, or `last` (the newest sale)."""
    from app.domain import points as ledger

    lang = language or ctx.config.terminal.language
    zh = lang == "zh_CN"
    with ctx.uow(write=False) as uow:
        s = uow.session
        if sale_ref == "last":
            sale = s.execute(select(orm.Sale).order_by(orm.Sale.at.desc()).limit(1)).scalar_one_or_none()
            if sale is None:
                raise NotFound("No sale has been made yet.", code="no_sale")
        else:
            sale = find_sale(s, sale_ref, ctx.terminal_id)
        lines = (
            s.execute(
                select(orm.SaleLine).where(orm.SaleLine.sale_id == sale.id).order_by(orm.SaleLine.line_no)
            )
            .scalars()
            .all()
        )
        payments = s.execute(select(orm.Payment).where(orm.Payment.sale_id == sale.id)).scalars().all()
        coupons = s.execute(
            select(orm.Coupon.code, orm.CouponRedemption.discount)
            .join(orm.CouponRedemption, orm.Coupon.id == orm.CouponRedemption.coupon_id)
            .where(orm.CouponRedemption.sale_id == sale.id)
        ).all()
        cashier = s.get(orm.Staff, sale.cashier_id)
        member_text = None
        pts = None
        if sale.member_id is not None:
            member = s.get_one(orm.Member, sale.member_id)
            member_text = mask_phone(member.phone)
            mid = MemberId(member.id)
            # Balance as of this sale: what the ledger held once the sale's own entries landed.
            entries = [e for e in ledger_entries(s, mid) if e.at <= sale.at]
            entries = effective_entries(entries, mid, sale.at)
            program = ctx.program_at(sale.at)
            prog = progress(rolling_spend(s, mid, sale.at), program.tier_table())
            pts = ReceiptPoints(
                earned=sale.points_earned,
                redeemed=sale.points_redeemed,
                balance=ledger.balance(entries),
                expiring_soon=ledger.expiring_total(entries, sale.at, program.expiry.expiring_soon_days),
                tier=str(prog.tier),
                tier_progress=describe(prog, "zh" if zh else "en"),
            )
        store = ctx.config.store
        names = {ln.sku: ln.name for ln in lines}  # as sold
        if not zh:  # an English receipt names the items in English where the catalogue can
            names.update(
                (sku, en)
                for sku, en in s.execute(
                    select(orm.Product.sku, orm.Product.name_en).where(orm.Product.sku.in_(names))
                )
                if en
            )
        return Receipt(
            store_name=store.name_zh if zh else store.name_en,
            store_address=store.address,
            store_phone=store.phone,
            terminal_id=sale.terminal_id,
            receipt_no=sale.receipt_no,
            sale_id=str(sale.id),
            at=local_time(sale.at, ctx.tz),
            cashier=cashier.name if cashier else "",
            lines=tuple(
                ReceiptLine(
                    names[ln.sku],
                    ln.sku,
                    ln.qty,
                    ln.unit_price,
                    ln.line_total,
                    ln.coupon_discount + ln.points_discount,
                    ln.net,
                    line_note(ln, zh),
                )
                for ln in lines
            ),
            totals=ReceiptTotals(
                subtotal=sale.subtotal,
                member_savings=sale.member_savings,
                coupon_discount=sale.coupon_discount,
                points_value=sale.points_value,
                total_due=sale.total_due,
                paid=sale.paid,
                change_due=sale.change_due,
                payments=tuple((p.tender, p.amount) for p in payments),
            ),
            coupons=tuple((code, int(d)) for code, d in coupons),
            member=member_text,
            points=pts,
            feedback_url=receipt_feedback_url(ctx, sale.feedback_token),
            member_code=sale.new_member_code,
            footer=("谢谢惠顾，欢迎再次光临" if zh else "Thank you for shopping with us",),
            language=lang,
        )

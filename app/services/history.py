"""A member's recent purchases as this till knows them (its own sales, under the member's
id and every id merged into it), newest first, each with its lines. For the member panel's
history; reads only, never the server (DOMAIN.md: the till never waits on the network)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.domain.ids import MemberId, SaleId
from app.services.context import TillContext
from app.services.errors import NotFound
from app.services.members import resolve_member
from app.store import orm

MAX_VISITS = 50


@dataclass(frozen=True, slots=True)
class VisitLine:
    name: str
    qty: int
    line_total: int  # fen, after member price and manual changes
    net: int  # fen, what was paid for it after coupons and points
    grams: int | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    sale_id: SaleId
    receipt_no: str
    at: datetime
    total_due: int
    items: int
    points_earned: int
    points_redeemed: int
    refunded: int  # fen refunded since (0: none)
    lines: tuple[VisitLine, ...]


def member_history(ctx: TillContext, member_id: MemberId, limit: int = 10) -> list[Visit]:
    """The member's last `limit` sales at this till (at most MAX_VISITS), newest first.
    Raises NotFound for an id that names no member here."""
    limit = max(1, min(limit, MAX_VISITS))
    with ctx.uow(write=False) as uow:
        s = uow.session
        member = resolve_member(s, member_id)
        if member is None:
            raise NotFound("No such member.", code="no_member")
        ids: set[uuid.UUID] = {member.id}
        ids.update(
            s.execute(
                select(orm.MemberAlias.alias_id).where(orm.MemberAlias.member_id == member.id)
            ).scalars()
        )
        ids.update(s.execute(select(orm.Member.id).where(orm.Member.merged_into == member.id)).scalars())
        sales = list(
            s.execute(
                select(orm.Sale)
                .where(orm.Sale.member_id.in_(ids))
                .order_by(orm.Sale.at.desc(), orm.Sale.id.desc())
                .limit(limit)
            ).scalars()
        )
        if not sales:
            return []
        sale_ids = [sale.id for sale in sales]
        lines: dict[uuid.UUID, list[VisitLine]] = {sid: [] for sid in sale_ids}
        for ln in s.execute(
            select(orm.SaleLine).where(orm.SaleLine.sale_id.in_(sale_ids)).order_by(orm.SaleLine.line_no)
        ).scalars():
            lines[ln.sale_id].append(VisitLine(ln.name, ln.qty, ln.line_total, ln.net, ln.grams))
        refunded = {
            sid: int(total or 0)
            for sid, total in s.execute(
                select(orm.Refund.sale_id, func.sum(orm.Refund.money))
                .where(orm.Refund.sale_id.in_(sale_ids))
                .group_by(orm.Refund.sale_id)
            )
        }
        return [
            Visit(
                SaleId(sale.id),
                sale.receipt_no,
                sale.at,
                sale.total_due,
                sum(ln.qty for ln in lines[sale.id]),
                sale.points_earned,
                sale.points_redeemed,
                refunded.get(sale.id, 0),
                tuple(lines[sale.id]),
            )
            for sale in sales
        ]

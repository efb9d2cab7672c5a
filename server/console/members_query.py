"""What the member screens read: search by phone, card or name within the user's stores, and
everything the member's page shows (balance and lots from the domain's ledger rules, tier
progress from the domain's tier table)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.ids import EntryId, MemberId
from app.domain.members import InvalidPhone, is_phone_like, normalize_phone
from app.domain.tiers import TierProgress, progress, window_start
from server.feedback.models import Feedback, Ticket
from server.models import Coupon, LedgerEntry, Member, MemberAlias, MemberStore, Refund, Sale

SEARCH_LIMIT: Final = 50


def _scoped(q: Any, stores: list[str] | None) -> Any:
    if stores is None:
        return q
    return q.where(exists().where(MemberStore.member_id == Member.id, MemberStore.store_id.in_(stores)))


def search(s: Session, query: str, stores: list[str] | None) -> tuple[str, list[Member]]:
    """(how the query was read: phone | card | name | bad_phone | empty, the members found)."""
    query = query.strip()[:80]
    if not query:
        return "empty", []
    base = select(Member).where(Member.merged_into.is_(None), Member.stub.is_(False))
    if is_phone_like(query):
        try:
            e164 = normalize_phone(query)
        except InvalidPhone:
            return "bad_phone", []
        return "phone", list(s.execute(_scoped(base.where(Member.phone == e164), stores)).scalars())
    if query.isdigit():
        return "card", list(s.execute(_scoped(base.where(Member.card_no == query), stores)).scalars())
    pattern = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    q = base.where(func.lower(Member.name).like(pattern, escape="\\")).order_by(Member.name, Member.id)
    return "name", list(s.execute(_scoped(q, stores).limit(SEARCH_LIMIT)).scalars())


def may_see(s: Session, member_id: uuid.UUID, stores: list[str] | None) -> bool:
    if stores is None:
        return True
    return (
        s.execute(
            select(MemberStore.member_id)
            .where(MemberStore.member_id == member_id, MemberStore.store_id.in_(stores))
            .limit(1)
        ).first()
        is not None
    )


def domain_entries(rows: list[LedgerEntry]) -> list[ledger.LedgerEntry]:
    out = []
    for e in rows:
        if e.points == 0:
            continue
        try:
            out.append(
                ledger.LedgerEntry(
                    id=EntryId(e.id),
                    member_id=MemberId(e.member_id),
                    kind=ledger.EntryKind(e.kind),
                    points=e.points,
                    at=e.at,
                    expires_at=e.expires_at if e.points > 0 else None,
                    note=e.note,
                )
            )
        except (ValueError, TypeError):
            continue  # a row the domain would not make; shown in the ledger, not counted
    return out


def spend_12m(s: Session, member_id: uuid.UUID, now: datetime) -> int:
    since = window_start(now)
    sales = s.execute(
        select(func.coalesce(func.sum(Sale.total_due), 0)).where(
            Sale.member_id == member_id, Sale.at >= since, Sale.at <= now
        )
    ).scalar_one()
    refunds = s.execute(
        select(func.coalesce(func.sum(Refund.money), 0)).where(
            Refund.member_id == member_id, Refund.at >= since, Refund.at <= now
        )
    ).scalar_one()
    return max(int(sales) - int(refunds), 0)


@dataclass
class MemberView:
    member: Member
    balance: int
    available: int
    expiring_60d: int
    lots: list[ledger.Lot]
    entries: list[LedgerEntry]
    coupons: list[Coupon]
    sales: list[Sale]
    sales_count: int
    feedback: Sequence[tuple[Feedback, Ticket | None]]
    aliases: list[MemberAlias]
    stores: list[str]
    tier: TierProgress


def member_view(s: Session, member: Member, now: datetime) -> MemberView:
    mid = member.id
    rows = list(
        s.execute(
            select(LedgerEntry)
            .where(LedgerEntry.member_id == mid)
            .order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc())
        ).scalars()
    )
    entries = domain_entries(rows)
    coupons = list(
        s.execute(
            select(Coupon).where(Coupon.member_id == mid).order_by(Coupon.issued_at.desc()).limit(100)
        ).scalars()
    )
    sales = list(
        s.execute(select(Sale).where(Sale.member_id == mid).order_by(Sale.at.desc()).limit(30)).scalars()
    )
    count = int(s.execute(select(func.count()).select_from(Sale).where(Sale.member_id == mid)).scalar_one())
    fbs = list(
        s.execute(
            select(Feedback, Ticket)
            .outerjoin(Ticket, Ticket.feedback_id == Feedback.id)
            .where(Feedback.member_id == mid)
            .order_by(Feedback.submitted_at.desc())
            .limit(50)
        ).tuples()
    )
    aliases = list(s.execute(select(MemberAlias).where(MemberAlias.member_id == mid)).scalars())
    stores = sorted(s.execute(select(MemberStore.store_id).where(MemberStore.member_id == mid)).scalars())
    return MemberView(
        member=member,
        balance=ledger.balance(entries),
        available=ledger.available(entries, now),
        expiring_60d=ledger.expiring_total(entries, now, 60),
        lots=ledger.lots(entries, now),
        entries=rows[:200],
        coupons=coupons,
        sales=sales,
        sales_count=count,
        feedback=fbs,
        aliases=aliases,
        stores=stores,
        tier=progress(spend_12m(s, mid, now)),
    )

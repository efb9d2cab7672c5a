"""The conflict rules of server/README.md ("Conflict rules"), one named function each.

A rule decides what happens when what two tills did offline cannot both stand as they said;
nothing is dropped: each case that needs a person's eyes is a row in `conflicts`.

| README case                                        | function                |
|----------------------------------------------------|-------------------------|
| points redeemed offline at two tills past balance  | `flag_overdraft`        |
| a single-use coupon redeemed at two tills          | `redeem_coupon`         |
| a coupon code the server has never seen            | `redeem_coupon`         |
| same phone registered offline at two stores        | `registered_earlier`    |
| profile fields                                     | `take_later_profile`    |
| till clock off by more than MAX_CLOCK_SKEW_S       | `flag_clock_skew`       |
| two tills expire the same lot                      | `expirable_points`      |
| a sale before its member's registration            | `member_or_stub`        |
| a till's audit log no longer holds a head it sent  | `server.audit.check_audit` |
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.domain import points as ledger
from app.domain.ids import EntryId, MemberId
from server.models import Coupon, LedgerEntry, Member, MemberAlias, Terminal
from server.pull import coupon_changed
from server.push.context import Batch, Rejected, balance, record_conflict, resolve_member


def flag_overdraft(b: Batch, member: Member, sale_id: uuid.UUID | None) -> dict[str, Any] | None:
    """Points redeemed offline past the balance: applied anyway; the balance goes negative, the
    member is flagged and a `points_overdraft` conflict recorded."""
    bal = balance(b, member.id)
    if bal >= 0:
        return None
    member.overdraft_flagged_at = b.now
    return record_conflict(b, "points_overdraft", {"member_id": str(member.id), "balance": bal},
                           member_id=member.id, sale_id=sale_id)


def redeem_coupon(b: Batch, row: Coupon | None, code: str, discount: int, sale_id: uuid.UUID,
                  member_id: uuid.UUID | None) -> dict[str, Any] | None:
    """A coupon redeemed by a sale: the first redemption in server order wins; a second one
    keeps its sale and becomes a `coupon_reused` conflict naming the first sale; a code the
    server never saw is a `coupon_unknown` conflict. Returns the conflict (the sale is then
    flagged), or None."""
    if row is None:
        return record_conflict(b, "coupon_unknown", {"code": code, "discount": discount},
                               member_id=member_id, sale_id=sale_id)
    if row.status == "issued":
        row.status = "redeemed"
        row.redeemed_sale_id = sale_id
        coupon_changed(b.s, row, b.now, origin=b.terminal.id)
        return None
    if row.redeemed_sale_id == sale_id:
        return None
    return record_conflict(
        b, "coupon_reused",
        {"code": code, "discount": discount, "status": row.status,
         "first_sale_id": str(row.redeemed_sale_id) if row.redeemed_sale_id else None},
        member_id=member_id, sale_id=sale_id)


def registered_earlier(mine: tuple[datetime, uuid.UUID], theirs: tuple[datetime, uuid.UUID]) -> bool:
    """The same phone registered at two stores: the earlier `registered_at` survives, then the
    lower id. Each side is (registered_at, member id)."""
    return (mine[0], str(mine[1])) < (theirs[0], str(theirs[1]))


def take_later_profile(survivor: Member, profile: dict[str, Any]) -> None:
    """Profile fields: last write by server receipt order; a merge keeps the later-received
    non-empty fields (the registration being applied arrived last)."""
    for key, value in profile.items():
        if value is not None:
            setattr(survivor, key, value)


def flag_clock_skew(terminal: Terminal, skew_s: int, limit_s: int, now: datetime) -> bool:
    """A till clock further off than `limit_s`: the terminal is flagged with its skew (and the
    answer says so); a flagged terminal's skew is kept current until it is cleared."""
    if abs(skew_s) > limit_s:
        terminal.clock_skew_s = skew_s
        terminal.clock_flagged_at = now
        return True
    if terminal.clock_skew_s is not None:
        terminal.clock_skew_s = skew_s
    return False


def expirable_points(b: Batch, member_id: uuid.UUID, asked: int, at: datetime) -> int:
    """Two tills may both expire the same lot: expire only what the server's ledger still has
    due at `at`, so points never expire twice. `asked` and the answer are negative (or 0)."""
    b.s.flush()
    entries = [domain_entry(e) for e in b.s.execute(
        select(LedgerEntry).where(LedgerEntry.member_id == member_id)).scalars()]
    due = -sum(e.points for e in ledger.due_expiries(entries, at, MemberId(member_id)))
    return -min(-asked, due)


def domain_entry(e: LedgerEntry) -> ledger.LedgerEntry:
    return ledger.LedgerEntry(
        id=EntryId(e.id), member_id=MemberId(e.member_id), kind=ledger.EntryKind(e.kind), points=e.points,
        at=e.at, expires_at=e.expires_at, note=e.note)


def member_or_stub(b: Batch, member_id: uuid.UUID) -> Member:
    """The surviving member for an id; a sale (or entry) that reached the server before the
    registration that made the member (another till's event still queued) gets a stub that the
    registration fills in later."""
    member = b.members.get(member_id)
    if member is not None and member.merged_into is not None:
        member = None
    if member is None:
        b.s.flush()
        member = resolve_member(b.s, member_id)
    if member is None and (b.s.get(Member, member_id) is not None
                           or b.s.get(MemberAlias, member_id) is not None):
        raise Rejected("member_merges_broken")  # known, but its merges lead nowhere: for HQ
    if member is None:
        member = Member(id=member_id, stub=True, favourite_categories=[], marketing_opt_in=False,
                        tier="basic", updated_at=b.now, store_id=b.store_id)
        b.s.add(member)
        b.s.flush()
        b.members[member_id] = member
        b.balance[member_id] = 0
        b.spend[member_id] = 0
    return member

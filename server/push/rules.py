"""The conflict rules of server/README.md ("Conflict rules"), one named function each.

A rule decides what happens when what two tills did offline cannot both stand as they said;
nothing is dropped: each case that needs a person's eyes is a row in `conflicts`.

| README case                                        | function                |
|----------------------------------------------------|-------------------------|
| points redeemed offline at two tills past balance  | `flag_overdraft`        |
| a single-use coupon redeemed at two tills          | `redeem_coupon`         |
| a coupon code the server has never seen            | `redeem_coupon`         |
| someone else's coupon, another store's bearer one  | `coupon_scope_fault`    |
| a sale's points the server cannot justify          | `points_mismatch`       |
| a sale naming a member it did not identify         | `may_spread`            |
| same phone registered offline at two stores        | `registered_earlier`    |
| a registration time far from its receipt           | `registration_time`     |
| profile fields                                     | `take_later_profile`    |
| till clock off by more than MAX_CLOCK_SKEW_S       | `flag_clock_skew`       |
| two tills expire the same lot                      | `expirable_points`      |
| a sale before its member's registration            | `member_or_stub`        |
| a till's audit log no longer holds a head it sent  | `server.audit.check_audit` |
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.domain import points as ledger
from app.domain.codes import CodeError, verify_member_code
from app.domain.events import SaleCompletedP
from app.domain.ids import EntryId, MemberId
from server.models import ConflictKind, Coupon, LedgerEntry, Member, MemberAlias, Terminal
from server.pull import coupon_changed
from server.push.context import (
    Batch,
    Rejected,
    balance,
    no_spend,
    record_conflict,
    resolve_member,
    stores_of,
)
from server.push.pricing import Figure, mismatch_details


def flag_overdraft(b: Batch, member: Member, sale_id: uuid.UUID | None) -> dict[str, Any] | None:
    """Points redeemed offline past the balance: applied anyway; the balance goes negative, the
    member is flagged and a `points_overdraft` conflict recorded."""
    bal = balance(b, member.id)
    if bal >= 0:
        return None
    member.overdraft_flagged_at = b.now
    return record_conflict(
        b,
        "points_overdraft",
        {"member_id": str(member.id), "balance": bal},
        member_id=member.id,
        sale_id=sale_id,
    )


def redeem_coupon(
    b: Batch, row: Coupon | None, code: str, discount: int, sale_id: uuid.UUID, member_id: uuid.UUID | None
) -> dict[str, Any] | None:
    """A coupon redeemed by a sale. It must exist (else `coupon_unknown`), belong to the sale's
    member or be a bearer coupon (else `coupon_other_member`), and a bearer coupon for one
    store only counts there (else `coupon_out_of_scope`); such a coupon is not redeemed. The
    first redemption in server order wins; a second one keeps its sale and becomes a
    `coupon_reused` conflict naming the first sale. Returns the conflict (the sale is then
    flagged and the coupon's discount not counted when the server prices it), or None."""
    if row is None:
        return record_conflict(
            b, "coupon_unknown", {"code": code, "discount": discount}, member_id=member_id, sale_id=sale_id
        )
    scope = coupon_scope_fault(b, row, member_id)
    if scope is not None:
        return record_conflict(
            b, scope, {"code": code, "discount": discount}, member_id=member_id, sale_id=sale_id
        )
    if row.status == "issued":
        row.status = "redeemed"
        row.redeemed_sale_id = sale_id
        coupon_changed(b.s, row, b.now, origin=b.terminal.id)
        return None
    if row.redeemed_sale_id == sale_id:
        return None
    return record_conflict(
        b,
        "coupon_reused",
        {
            "code": code,
            "discount": discount,
            "status": row.status,
            "first_sale_id": str(row.redeemed_sale_id) if row.redeemed_sale_id else None,
        },
        member_id=member_id,
        sale_id=sale_id,
    )


def coupon_scope_fault(b: Batch, row: Coupon, member_id: uuid.UUID | None) -> ConflictKind | None:
    if row.member_id is not None:
        return None if row.member_id == member_id else "coupon_other_member"
    if row.store_id is not None and row.store_id != b.store_id:
        return "coupon_out_of_scope"
    return None


def registered_earlier(mine: tuple[datetime, uuid.UUID], theirs: tuple[datetime, uuid.UUID]) -> bool:
    """The same phone registered at two stores: the earlier `registered_at` survives, then the
    lower id. Each side is (registered_at, member id)."""
    return (mine[0], str(mine[1])) < (theirs[0], str(theirs[1]))


def registration_time(b: Batch, claimed: datetime) -> datetime:
    """The registration time a merge orders by: the till's, unless it lies further than the
    program's registration window before the receipt (or more than the clock skew allowed
    after it); then the receipt time. An old date cannot make a till's member the survivor."""
    earliest = b.now - timedelta(seconds=b.trust.registration_window_s)
    latest = b.now + timedelta(seconds=b.max_clock_skew_s)
    return claimed if earliest <= claimed <= latest else b.now


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
    entries = [
        domain_entry(e)
        for e in b.s.execute(select(LedgerEntry).where(LedgerEntry.member_id == member_id)).scalars()
    ]
    due = -sum(e.points for e in ledger.due_expiries(entries, at, MemberId(member_id)))
    return -min(-asked, due)


def domain_entry(e: LedgerEntry) -> ledger.LedgerEntry:
    return ledger.LedgerEntry(
        id=EntryId(e.id),
        member_id=MemberId(e.member_id),
        kind=ledger.EntryKind(e.kind),
        points=e.points,
        at=e.at,
        expires_at=e.expires_at,
        note=e.note,
    )


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
    if member is None and (
        b.s.get(Member, member_id) is not None or b.s.get(MemberAlias, member_id) is not None
    ):
        raise Rejected("member_merges_broken")  # known, but its merges lead nowhere: for HQ
    if member is None:
        member = Member(
            id=member_id,
            stub=True,
            favourite_categories=[],
            marketing_opt_in=False,
            tier="basic",
            updated_at=b.now,
            store_id=b.store_id,
        )
        b.s.add(member)
        b.s.flush()
        b.members[member_id] = member
        b.balance[member_id] = 0
        no_spend(b, member_id)
    return member


def points_mismatch(b: Batch, p: SaleCompletedP, member: Member, fig: Figure) -> dict[str, Any] | None:
    """A sale's points are the server's: priced again (`pricing.points_figure`), it posts its
    own figure (or the till's, when the till gave less); any difference is a `points_mismatch`
    conflict with both figures. The sale itself always stands."""
    if fig.claimed == fig.computed:
        return None
    return record_conflict(
        b, "points_mismatch", mismatch_details(p, member.id, fig), member_id=member.id, sale_id=p.sale_id
    )


# A code is shown at the start of a checkout; the sale is completed (and timed) later.
CODE_AT_SALE_LEEWAY = timedelta(hours=1)


def may_spread(b: Batch, member: Member, p: SaleCompletedP) -> bool:
    """A store's tills receive a member's profile only once one of them identified the member:
    registered there, looked up there (phone, card, code), or a sale there with a member code
    that verifies for this member. A sale merely naming a member id (member codes carry it in
    clear) does not send the member to the store; nor does a code signed by a key of the
    pushing store's own tills (a till that holds its key could sign one for anybody, and an
    honest one only issues codes for members its store already has). A dynamic code counts
    when it was valid within `CODE_AT_SALE_LEEWAY` of the sale's time."""
    if b.store_id in stores_of(b, member.id):
        return True
    if not p.member_code:
        return False
    from server.lookup import keyring, revocations  # (server.lookup imports this package)

    if b.keyring is None:
        b.keyring = keyring(b.s)
    try:
        claims = verify_member_code(p.member_code, b.keyring, p.at, revocations(b.s), CODE_AT_SALE_LEEWAY)
    except CodeError:
        return False
    signer = b.s.execute(select(Terminal.store_id).where(Terminal.key_id == claims.key_id)).scalar()
    if signer is None or signer == b.store_id:
        return False
    survivor = resolve_member(b.s, uuid.UUID(str(claims.member_id)))
    return survivor is not None and survivor.id == member.id

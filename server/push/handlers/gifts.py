"""`gift.redeemed`, `gift.reversed`: points for gifts (server/gifts). A till is trusted to
record that it handed a gift over, not that the member could afford it: the redemption is
always posted as the till took it (a `redeem` ledger entry naming the gift, the store's stock
down by one), and each thing the server's own figures do not back is a conflict with both
figures for HQ: `gift_unknown`, `gift_inactive`, `gift_out_of_stock` (stock, after),
`gift_points_mismatch` (claimed, catalogue) and `gift_points_short` (points, balance before).
A reversal gives back what the redemption took (the server's figure; a different claim is a
`gift_reversal_mismatch`) and the gift to the stock; one not approved by someone HQ knows as
a supervisor or manager of the store is applied all the same (the gift came back) and is a
`gift_reversal_unapproved` conflict; one of a redemption the server does not hold, or one
already reversed, is refused and parked."""

from __future__ import annotations

from typing import Any

from app.domain.events import GiftRedeemedP, GiftReversedP
from server.gifts.models import Gift, GiftRedemption, GiftStock
from server.gifts.service import send
from server.models import ConflictKind, LedgerEntry
from server.push.context import Batch, Rejected, add_entry, balance, record_conflict
from server.push.points_rules import approver_role
from server.push.rules import member_or_stub
from sync.protocol import WireEvent


def _stock(b: Batch, gift_id: str, delta: int) -> GiftStock:
    store_id = b.terminal.store_id
    row = b.s.get(GiftStock, (gift_id, store_id))
    if row is None:
        row = GiftStock(gift_id=gift_id, store_id=store_id, stock=0, updated_at=b.now)
        b.s.add(row)
    row.stock += delta
    row.updated_at = b.now
    return row


def gift_redeemed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = GiftRedeemedP.model_validate(ev.payload)
    s = b.s
    s.flush()
    if s.get(GiftRedemption, p.redemption_id) is not None or s.get(LedgerEntry, p.entry_id) is not None:
        return {"redemption_id": str(p.redemption_id), "already_recorded": True}
    member = member_or_stub(b, p.member_id)
    before = balance(b, member.id)
    gift = s.get(Gift, p.gift_id)
    conflicts: list[dict[str, Any]] = []

    def conflict(kind: ConflictKind, **details: Any) -> None:
        base = {"redemption_id": str(p.redemption_id), "gift_id": p.gift_id}
        conflicts.append(record_conflict(b, kind, {**base, **details}, member_id=member.id))

    name = p.gift_name
    if gift is None:
        conflict("gift_unknown", claimed_points=p.points)
    else:
        name = gift.name_zh
        if not gift.active:
            conflict("gift_inactive", claimed_points=p.points)
        if p.points != gift.points:
            conflict("gift_points_mismatch", claimed=p.points, catalogue=gift.points)
    if before < p.points:
        conflict("gift_points_short", points=p.points, balance=before)
    add_entry(
        b,
        LedgerEntry(
            id=p.entry_id,
            member_id=member.id,
            kind="redeem",
            points=-p.points,
            at=p.at,
            expires_at=None,
            sale_id=None,
            refund_id=None,
            note=f"gift:{p.gift_id} {name}"[:200],
            terminal_id=b.terminal.id,
            event_id=ev.id,
        ),
    )
    s.add(
        GiftRedemption(
            id=p.redemption_id,
            gift_id=p.gift_id,
            member_id=member.id,
            store_id=b.terminal.store_id,
            terminal_id=b.terminal.id,
            points=p.points,
            entry_id=p.entry_id,
            at=p.at,
            reversed_at=None,
            reversal_entry_id=None,
        )
    )
    stock: int | None = None
    if gift is not None:
        row = _stock(b, gift.id, -1)
        stock = row.stock
        if row.stock < 0:
            conflict("gift_out_of_stock", stock=row.stock + 1, after=row.stock)
        s.flush()
        send(s, gift, b.terminal.store_id, b.now)  # the store's tills learn the server's count
    result: dict[str, Any] = {
        "redemption_id": str(p.redemption_id),
        "member_id": str(member.id),
        "points": -p.points,
        "points_balance": balance(b, member.id),
        "stock": stock,
    }
    if conflicts:
        result["conflicts"] = conflicts
    return result


def gift_reversed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = GiftReversedP.model_validate(ev.payload)
    s = b.s
    s.flush()
    if s.get(LedgerEntry, p.entry_id) is not None:
        return {"redemption_id": str(p.redemption_id), "already_recorded": True}
    red = s.get(GiftRedemption, p.redemption_id)
    if red is None:
        raise Rejected("gift_redemption_unknown")
    if red.reversed_at is not None:
        raise Rejected("gift_already_reversed")
    member = member_or_stub(b, red.member_id)
    conflicts: list[dict[str, Any]] = []
    if p.points != red.points:
        conflicts.append(
            record_conflict(
                b,
                "gift_reversal_mismatch",
                {"redemption_id": str(red.id), "claimed": p.points, "redeemed": red.points},
                member_id=member.id,
            )
        )
    if approver_role(b, p.approver_id) in (None, "cashier"):  # points returned need a supervisor
        conflicts.append(
            record_conflict(
                b,
                "gift_reversal_unapproved",
                {"redemption_id": str(red.id), "points": red.points, "approver_id": p.approver_id},
                member_id=member.id,
            )
        )
    gift = s.get(Gift, red.gift_id)
    add_entry(
        b,
        LedgerEntry(
            id=p.entry_id,
            member_id=member.id,
            kind="reverse",
            points=red.points,
            at=p.at,
            expires_at=b.programs.at(p.at).expires_at(p.at, b.tz),
            sale_id=None,
            refund_id=None,
            note=f"gift returned:{red.gift_id} {gift.name_zh if gift else ''}".strip()[:200],
            terminal_id=b.terminal.id,
            event_id=ev.id,
        ),
    )
    red.reversed_at, red.reversal_entry_id = p.at, p.entry_id
    stock: int | None = None
    if gift is not None:
        stock = _stock(b, gift.id, +1).stock
        s.flush()
        send(s, gift, b.terminal.store_id, b.now)
    result: dict[str, Any] = {
        "redemption_id": str(red.id),
        "member_id": str(member.id),
        "points": red.points,
        "points_balance": balance(b, member.id),
        "stock": stock,
    }
    if conflicts:
        result["conflicts"] = conflicts
    return result

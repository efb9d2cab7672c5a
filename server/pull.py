"""The change log tills pull, and how its sequence stays gap-safe.

Why a cursor never skips a row
------------------------------
A plain sequence is handed out when a row is *inserted*, but rows become visible when their
transaction *commits*, and the two orders differ: a reader could see seq 11 while seq 10 is
still in flight, move its cursor to 11 and never see 10. So changes are not inserted as they
happen: a transaction queues them (`record_change`, kept in ``session.info``) and they are
written just before COMMIT, after taking a transaction-scoped lock
(``pg_advisory_xact_lock``; SQLite has one writer at a time already). The lock is held from
the moment the seqs are drawn until the commit is visible, so seqs are handed out in commit
order: whatever seq a reader sees, every smaller seq has committed (or rolled back and left a
harmless gap). The watermark is therefore simply the largest seq visible to the reader's
snapshot, and a page ends at the last row it actually returns.

The lock serialises only the last step of a write (one multi-row INSERT and the COMMIT), not
the work of applying a batch, so concurrent pushes still overlap. A `pg_snapshot_xmin`-based
watermark would avoid even that, but it needs the xid stored on every row and still has to
hold back rows of finished transactions behind the oldest running one (a slow transaction
stalls every till's pull); the commit-ordered counter is simpler and never stalls readers.

Scope per store: a change has a `store_id` (one store), a `member_id` (the stores in
``member_stores`` for that member: registered there or seen there) or neither (every store).
Ledger entries and coupons a terminal itself reported are not sent back to it (it has its own
rows for them, under its own ids).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session

from server.models import ChangeRow, Coupon, LedgerEntry, Member
from sync.protocol import PullRequest, PullResponse

_QUEUE = "lt_changes"
_LOCK_KEY = 7_340_001  # pg_advisory_xact_lock key for drawing change seqs


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _plain_dict(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in value.items()}


def record_change(
    s: Session,
    entity: str,
    key: str,
    data: dict[str, Any],
    *,
    at: datetime,
    op: str = "upsert",
    store_id: str | None = None,
    member_id: uuid.UUID | None = None,
    origin: str | None = None,
) -> None:
    """Queue a change; it is written with its seq when the session commits."""
    queue: list[dict[str, Any]] = s.info.setdefault(_QUEUE, [])
    queue.append(
        {
            "entity": entity,
            "op": op,
            "key": key,
            "data": _plain(data),
            "store_id": store_id,
            "member_id": member_id,
            "origin_terminal": origin,
            "at": at,
        }
    )


def _publish(s: Session) -> None:
    queue: list[dict[str, Any]] | None = s.info.pop(_QUEUE, None)
    if not queue:
        return
    s.flush()
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    s.execute(insert(ChangeRow), queue)


@event.listens_for(Session, "before_commit")
def _before_commit(s: Session) -> None:
    _publish(s)


@event.listens_for(Session, "after_rollback")
def _after_rollback(s: Session) -> None:
    s.info.pop(_QUEUE, None)


def discard_changes(s: Session) -> None:
    s.info.pop(_QUEUE, None)


# ------------------------------------------------------------------ what rows look like on the till


def member_data(m: Member) -> dict[str, Any]:
    return _plain_dict(
        {
            "id": m.id,
            "phone": m.phone,
            "card_no": m.card_no,
            "name": m.name,
            "birthday": m.birthday,
            "family": m.family,
            "favourite_categories": list(m.favourite_categories or []),
            "consent_policy_version": m.consent_policy_version,
            "consent_at": m.consent_at,
            "marketing_opt_in": m.marketing_opt_in,
            "registered_at": m.registered_at,
            "store_id": m.store_id,
            "tier": m.tier,
            "last_purchase_at": m.last_purchase_at,
            "merged_into": m.merged_into,
        }
    )


# Profile a till does not need to sell to a member (household notes, favourite categories):
# kept at HQ and the member's registering store, not sent to a store that only identified
# the member (a look-up, a merge of its own registration into the member).
_NOT_FOR_TILLS = ("family", "favourite_categories", "merged_into")


def till_member_view(m: Member) -> dict[str, Any]:
    """The member as a store that identified it receives it: the till's columns it needs to
    sell, nothing else."""
    data = member_data(m)
    for key in _NOT_FOR_TILLS:
        data.pop(key, None)
    return data


def ledger_data(e: LedgerEntry) -> dict[str, Any]:
    # sale_id/refund_id name sales the pulling till does not hold (its store has foreign keys),
    # so they are left out; the server keeps them.
    return _plain_dict(
        {
            "id": e.id,
            "member_id": e.member_id,
            "kind": e.kind,
            "points": e.points,
            "at": e.at,
            "expires_at": e.expires_at,
            "sale_id": None,
            "refund_id": None,
            "note": e.note,
        }
    )


def coupon_data(c: Coupon) -> dict[str, Any]:
    return _plain_dict(
        {
            "id": c.id,
            "code": c.code,
            "name": c.name,
            "kind": c.kind,
            "amount": c.amount,
            "percent": c.percent,
            "cap": c.cap,
            "threshold": c.threshold,
            "multiplier": c.multiplier,
            "gift_sku": c.gift_sku,
            "categories": list(c.categories or []),
            "skus": list(c.skus or []),
            "stackable": c.stackable,
            "member_only": c.member_only,
            "member_id": c.member_id,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
            "status": c.status,
            "issued_reason": c.issued_reason,
            "issued_at": c.issued_at,
            "redeemed_sale_id": None,
        }
    )


def member_changed(s: Session, m: Member, at: datetime, origin: str | None = None) -> None:
    if not m.stub:
        record_change(s, "member", str(m.id), member_data(m), at=at, member_id=m.id, origin=origin)


def ledger_added(s: Session, e: LedgerEntry, at: datetime) -> None:
    record_change(
        s, "ledger_entry", str(e.id), ledger_data(e), at=at, member_id=e.member_id, origin=e.terminal_id
    )


def coupon_changed(s: Session, c: Coupon, at: datetime, origin: str | None = None) -> None:
    if c.member_id is None:
        record_change(s, "coupon", str(c.id), coupon_data(c), at=at, store_id=c.store_id, origin=origin)
    else:
        record_change(s, "coupon", str(c.id), coupon_data(c), at=at, member_id=c.member_id, origin=origin)


# ------------------------------------------------------------------ pull

_PULL = text("""
SELECT c.seq, c.entity, c.op, c.key, CAST(c.data AS TEXT)
FROM changes c
LEFT JOIN member_stores ms
       ON c.store_id IS NULL AND ms.member_id = c.member_id AND ms.store_id = :store
WHERE c.seq > :cursor
  AND (
        (c.store_id IS NULL AND c.member_id IS NULL)
     OR c.store_id = :store
     OR ms.member_id IS NOT NULL
  )
  AND NOT (c.origin_terminal IS NOT NULL AND c.origin_terminal = :terminal
           AND c.entity IN ('ledger_entry', 'coupon'))
ORDER BY c.seq
LIMIT :limit
""")


def pull_body(s: Session, req: PullRequest, store_id: str, terminal_id: str, epoch: str) -> bytes:
    """The `PullResponse` for `req`, as JSON. Each change's data is already JSON in the database:
    it is read as text and set into the answer as it is, not parsed into objects, validated and
    encoded again (a till's first pull is hundreds of pages of a thousand changes)."""
    reset = req.epoch is not None and req.epoch != epoch
    cursor = 0 if reset else req.cursor
    rows = s.execute(
        _PULL, {"cursor": cursor, "store": store_id, "terminal": terminal_id, "limit": req.limit + 1}
    ).all()
    more = len(rows) > req.limit
    rows = rows[: req.limit]
    dumps = json.dumps
    changes = ",".join(
        f'{{"seq":{int(seq)},"entity":{dumps(entity)},"op":{dumps(op)},"key":{dumps(key)},"data":{data}}}'
        for seq, entity, op, key, data in rows
    )
    new_cursor = int(rows[-1][0]) if rows else cursor
    return (
        f'{{"changes":[{changes}],"cursor":{new_cursor},"more":{dumps(more)},'
        f'"epoch":{dumps(epoch)},"reset":{dumps(reset)}}}'
    ).encode()


def pull(s: Session, req: PullRequest, store_id: str, terminal_id: str, epoch: str) -> PullResponse:
    return PullResponse.model_validate_json(pull_body(s, req, store_id, terminal_id, epoch))

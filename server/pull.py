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

First sight
-----------
A store starts seeing a member when one of its tills identifies it (a look-up, a sale with a
verified member code, a merge of its own registration into the member): `start_seeing`. From
then on the member's rows reach the store, but not the rows from before: those were written
while the store had no business with the member (its registration profile, earlier profiles,
used coupons), and many of them would still be above the store's cursors. Instead, at COMMIT
and under the same lock, the store's ``member_stores.since_seq`` is set to the largest seq
then committed (the *moment of sight*), and the member's current state as a till needs it is
written as rows scoped to that store (`_first_sight`): the member as a look-up answers it, its
aliases, its whole ledger (a balance is the ledger's sum and lots expire one by one: there is
no smaller honest form of it), its coupons still usable, its latest intel. A pull sends a
member-scoped row to the store only when its seq is above ``since_seq``.

Why nothing is lost: the lock is held from reading the moment of sight to the COMMIT, so no
other writer commits in between; every row at or below it had committed before the current
state was read (PostgreSQL READ COMMITTED: each statement sees what committed before it), so
the state includes it; every row above it commits after the sight is visible, so the store's
pull sends it. The state rows themselves get seqs above everything before them, so a cursor
anywhere (even past rows the store was not allowed then) still reaches them. Rows this same
transaction queued for the member reach the store anyway (their seqs are above the moment of
sight): the state leaves those keys out, so each arrives once. The member's own store
(`history=True`, its registration) receives all of its rows, as do rows of ``member_stores``
written before ``since_seq`` existed (NULL).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.models import ChangeRow, Coupon, LedgerEntry, Member, MemberAlias, MemberStore
from sync.protocol import PullRequest, PullResponse

_QUEUE = "lt_changes"
_SIGHTS = "lt_sights"  # (member_id, store_id) pairs a transaction started seeing
_LOCK_KEY = 7_340_001  # pg_advisory_xact_lock key for drawing change seqs
_MOMENT = text("SELECT coalesce(max(seq), 0) FROM changes")  # the largest seq committed


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or value is None or kind is bool or kind is float:
        return value  # most values (and all of a row's data already made plain): as they are
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
    queue.append(_change(entity, key, data, at, op, store_id, member_id, origin))


def _change(
    entity: str,
    key: str,
    data: dict[str, Any],
    at: datetime,
    op: str = "upsert",
    store_id: str | None = None,
    member_id: uuid.UUID | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    return {
        "entity": entity,
        "op": op,
        "key": key,
        "data": _plain(data),
        "store_id": store_id,
        "member_id": member_id,
        "origin_terminal": origin,
        "at": at,
    }


def start_seeing(
    s: Session, member_id: uuid.UUID, store_id: str, *, history: bool = False, caller_sends: bool = False
) -> bool:
    """The store sees the member from now on (its tills pull its changes); True when that is
    new. Any store but the member's own receives the member's current state at COMMIT and
    only the rows after it (see "First sight" above). `history`: the member's own store (it
    registered the member there), which receives all of the member's rows. `caller_sends`:
    the moment of sight is now and the caller queues the state itself (a merge, which holds
    both members locked, so nothing of them commits elsewhere before its COMMIT)."""
    ins = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    # Two transactions may both see the member new at a store (a look-up and a sale): the
    # second waits for the first's row, then inserts nothing and queues nothing.
    values: dict[str, Any] = {"member_id": member_id, "store_id": store_id}
    if caller_sends:
        values["since_seq"] = int(s.execute(_MOMENT).scalar_one())
    done = s.execute(ins(MemberStore).values(**values).on_conflict_do_nothing())
    if not getattr(done, "rowcount", 1):
        return False
    if not history and not caller_sends:
        s.info.setdefault(_SIGHTS, set()).add((member_id, store_id))
    return True


def _publish(s: Session) -> None:
    queue: list[dict[str, Any]] = s.info.pop(_QUEUE, None) or []
    sights: set[tuple[uuid.UUID, str]] = s.info.pop(_SIGHTS, None) or set()
    if not queue and not sights:
        return
    s.flush()
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    if sights:
        queue = queue + _first_sight(s, sights, queue)
    if queue:
        s.execute(insert(ChangeRow), queue)


@event.listens_for(Session, "before_commit")
def _before_commit(s: Session) -> None:
    _publish(s)


@event.listens_for(Session, "after_rollback")
def _after_rollback(s: Session) -> None:
    s.info.pop(_QUEUE, None)
    s.info.pop(_SIGHTS, None)


def discard_changes(s: Session) -> None:
    s.info.pop(_QUEUE, None)
    s.info.pop(_SIGHTS, None)


def _first_sight(
    s: Session, sights: set[tuple[uuid.UUID, str]], queue: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Under the seq lock, before COMMIT: each store's moment of sight, and the rows of the
    member's current state for it (see "First sight" above)."""
    moment = int(s.execute(_MOMENT).scalar_one())
    pairs: list[tuple[uuid.UUID, str]] = []
    for member_id, store_id in sorted(sights, key=lambda p: (str(p[0]), p[1])):
        hit = s.execute(
            update(MemberStore)
            .where(MemberStore.member_id == member_id, MemberStore.store_id == store_id)
            .values(since_seq=moment)
            .execution_options(synchronize_session=False)
        )
        if getattr(hit, "rowcount", 1):  # 0: its event's savepoint was rolled back
            pairs.append((member_id, store_id))
    if not pairs:
        return []
    now = datetime.now(UTC)
    state = _current_state(s, sorted({m for m, _ in pairs}, key=str), now)
    out: list[dict[str, Any]] = []
    for member_id, store_id in pairs:
        # What this transaction queued for the member reaches the store anyway (seq above the
        # moment of sight): those keys are left out here, so each arrives once. The member
        # itself always comes: the last word on its profile at that store.
        queued = {
            (q["entity"], q["key"])
            for q in queue
            if q["member_id"] == member_id or (q["store_id"] == store_id and q["member_id"] is None)
        }
        for i, row in enumerate(state.get(member_id, [])):
            if i == 0 or (row["entity"], row["key"]) not in queued:
                out.append({**row, "store_id": store_id})
    return out


def _current_state(s: Session, ids: list[uuid.UUID], now: datetime) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per member (not merged away, not a stub): its row as a look-up answers it first, then
    its aliases, its whole ledger, its usable coupons and its latest intel, as change rows
    without a scope. Read from what has committed (and this transaction's own rows)."""
    fresh = {"populate_existing": True}  # what committed, not what this session read earlier
    members = s.execute(select(Member).where(Member.id.in_(ids)).execution_options(**fresh)).scalars()
    out = {
        m.id: [_change("member", str(m.id), till_member_view(m), now)]
        for m in members
        if m.merged_into is None and not m.stub
    }
    for a in s.execute(select(MemberAlias).where(MemberAlias.member_id.in_(list(out)))).scalars():
        data = {"alias_id": a.alias_id, "member_id": a.member_id, "merged_at": a.merged_at}
        out[a.member_id].append(_change("member_alias", str(a.alias_id), data, now))
    for e in s.execute(
        select(LedgerEntry)
        .where(LedgerEntry.member_id.in_(list(out)))
        .order_by(LedgerEntry.at, LedgerEntry.id)
    ).scalars():
        out[e.member_id].append(_change("ledger_entry", str(e.id), ledger_data(e), now, origin=e.terminal_id))
    for c in s.execute(
        select(Coupon)
        .where(Coupon.member_id.in_(list(out)), Coupon.status == "issued", Coupon.valid_to >= now)
        .order_by(Coupon.issued_at, Coupon.id)
        .execution_options(**fresh)
    ).scalars():
        if c.member_id is not None:
            out[c.member_id].append(_change("coupon", str(c.id), coupon_data(c), now, origin=c.terminal_id))
    for member_id, rows in out.items():
        intel = s.execute(
            select(ChangeRow.data)
            .where(ChangeRow.member_id == member_id, ChangeRow.entity == "member_intel")
            .order_by(ChangeRow.seq.desc())
            .limit(1)
        ).scalar()
        if intel is not None:
            rows.append(_change("member_intel", str(member_id), dict(intel), now))
    return out


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
# kept at HQ (and on the till that registered the member), never in a change row or a
# look-up answer; `merged_into` is left out of what a store that identified a member gets.
_HQ_ONLY = ("family", "favourite_categories")
_NOT_FOR_TILLS = (*_HQ_ONLY, "merged_into")


def till_member_view(m: Member) -> dict[str, Any]:
    """The member as a store that identified it receives it: the till's columns it needs to
    sell, nothing else."""
    data = member_data(m)
    for key in _NOT_FOR_TILLS:
        data.pop(key, None)
    return data


def member_change_data(m: Member) -> dict[str, Any]:
    """A member's change row, to every store that sees it: the till's columns but the
    profile kept at HQ (`_HQ_ONLY`)."""
    data = member_data(m)
    for key in _HQ_ONLY:
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
        record_change(s, "member", str(m.id), member_change_data(m), at=at, member_id=m.id, origin=origin)


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
      AND (ms.since_seq IS NULL OR c.seq > ms.since_seq)
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

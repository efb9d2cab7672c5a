"""After a batch committed: the tier and last purchase of members its sales only held FOR
SHARE, brought up to date in a short transaction of their own."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.domain.tiers import window_start
from server.db import Database
from server.models import Member, Refund, Sale
from server.program import Programs
from server.pull import member_changed

log = logging.getLogger("server.push")

RETRYABLE = ("40001", "40P01")  # serialization_failure, deadlock_detected

# A member's stored last purchase moves on only in steps this long (the till uses it for
# 30/90-day lifecycle stages), so a regular's every sale does not rewrite the member row and
# send it to every till again. Sales keep their exact times.
LAST_PURCHASE_STEP = timedelta(hours=1)


def sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def purchase_changes(member: Member, tier: str, at: datetime) -> bool:
    last = member.last_purchase_at
    return member.tier != tier or last is None or at - last >= LAST_PURCHASE_STEP


def touch(db: Database, ids: set[uuid.UUID], now: datetime, programs: Programs) -> None:
    """Bring the tier and last purchase of members a batch sold to (held FOR SHARE, so not
    written in the batch) up to date. Only for members whose tier or last purchase the batch saw
    change; the row is locked and both are recomputed from the committed sales, so concurrent
    batches never write stale values. A row another batch holds is skipped, not waited for:
    that batch updates it after its own commit. (A change seen only by a skipped batch, or a
    tier crossed only by the sum of two sales applied side by side, is written at the member's
    next sale.)"""
    if not ids:
        return
    for attempt in range(1, 6):
        try:
            with db.sessions() as s:
                for m, tier, last in _stale(s, sorted(ids), now, programs, lock=True):
                    m.tier = tier
                    if last is not None and (m.last_purchase_at is None or m.last_purchase_at < last):
                        m.last_purchase_at = last
                    m.updated_at = now
                    member_changed(s, m, now)
                s.commit()
                return
        except DBAPIError as exc:
            if sqlstate(exc) in RETRYABLE and attempt < 5:
                time.sleep(0.01 * attempt)
                continue
            log.exception("member tier/last purchase update failed (the next sale redoes it)")
            return


def _stale(
    s: Session, ids: list[uuid.UUID], now: datetime, programs: Programs, lock: bool
) -> list[tuple[Member, str, datetime | None]]:
    q = select(Member).where(Member.id.in_(ids), Member.merged_into.is_(None)).order_by(Member.id)
    # SKIP LOCKED: a member another batch still holds is left to that batch, whose own update
    # after its commit sees this batch's sales too; waiting here would queue new FOR SHARE
    # requests behind this one and make every till selling to a busy regular wait.
    members = list(s.execute(q.with_for_update(skip_locked=True) if lock else q).scalars())
    if not members:
        return []
    live = [m.id for m in members]
    since = window_start(now)
    spend = dict.fromkeys(live, 0)
    last: dict[uuid.UUID, datetime] = {}
    for smid, total, sold_at in s.execute(
        select(Sale.member_id, func.sum(Sale.total_due), func.max(Sale.at))
        .where(Sale.member_id.in_(live), Sale.at >= since)
        .group_by(Sale.member_id)
    ):
        if smid is not None:
            spend[smid] += int(total)
            last[smid] = sold_at
    for rmid, total in s.execute(
        select(Refund.member_id, func.sum(Refund.money))
        .where(Refund.member_id.in_(live), Refund.at >= since)
        .group_by(Refund.member_id)
    ):
        if rmid is not None:
            spend[rmid] -= int(total)
    out: list[tuple[Member, str, datetime | None]] = []
    for m in members:
        at: datetime | None = last.get(m.id)
        # With the version in force at the member's last sale, as that sale's till tiered it.
        tier = str(programs.at(at or now).tier_for_spend(spend[m.id]))
        moved = at is not None and (
            m.last_purchase_at is None or at - m.last_purchase_at >= LAST_PURCHASE_STEP
        )
        if not m.stub and (tier != m.tier or moved):
            out.append((m, tier, at))
    return out

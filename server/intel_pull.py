"""Member intel to the tills: after a recompute, each member whose figures the run touched is
sent as a `member_intel` change (segment, lifecycle, top tags, "often bought with"
suggestions with the products' names), to the stores in `member_stores` (so the member panel
shows them offline). Only what changed since the member's last change is sent:
`intel_pull_sent` keeps a digest of what the member's tills hold. Reads intel's tables and
`server.intel.baskets.suggestions_for`; changes nothing of intel."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.models import Base, Member, Product
from server.pull import record_change

TOP_TAGS = 5
TOP_SUGGESTIONS = 3


class IntelPullSent(Base):
    """What the last `member_intel` change of a member said (a digest), and the intel run
    (`as_of`) it was sent after."""

    __tablename__ = "intel_pull_sent"
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime]


def _digest(data: dict[str, Any]) -> str:
    body = {k: v for k, v in data.items() if k != "as_of"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _intel_rows(s: Session, cfg: Any, scores: list[Any], as_of: datetime) -> dict[uuid.UUID, dict[str, Any]]:
    """The `member_intel` rows of these members (`scores`: rows with member_id, segment,
    lifecycle, tags): one suggestions statement and one product-names statement for all."""
    from server.intel import baskets

    found = baskets.suggestions_for(s, cfg, [x.member_id for x in scores], as_of, limit=TOP_SUGGESTIONS)
    skus = sorted({str(f["sku"]) for fs in found.values() for f in fs})
    names: dict[str, tuple[str, str]] = {}
    if skus:
        names = {
            sku: (zh, en)
            for sku, zh, en in s.execute(
                select(Product.sku, Product.name_zh, Product.name_en).where(Product.sku.in_(skus))
            )
        }
    out: dict[uuid.UUID, dict[str, Any]] = {}
    for score in scores:
        mine = [str(f["sku"]) for f in found.get(score.member_id, [])]
        out[score.member_id] = {
            "id": str(score.member_id),
            "segment": score.segment,
            "lifecycle": score.lifecycle,
            "tags": list(score.tags or [])[:TOP_TAGS],
            "suggestions": [
                {
                    "sku": sku,
                    "name_zh": names.get(sku, (sku, sku))[0],
                    "name_en": names.get(sku, (sku, sku))[1],
                }
                for sku in mine
            ],
            "as_of": as_of.isoformat(),
        }
    return out


def publish_member_intel(s: Session, cfg: Any, now: datetime, *, full: bool = False) -> int:
    """Queue a `member_intel` change for each member whose scores changed, or who bought, since
    the intel run last published (every scored member when `full`), and whose intel differs
    from what was sent; returns how many. The caller commits.

    Set-based: the members, their suggestions, the products' names and what was last sent are
    each one statement, and `intel_pull_sent` is brought up to date by one UPDATE and one
    INSERT ... ON CONFLICT, however many members (the changes are one multi-row insert at
    commit, `server.pull`)."""
    from server.intel.models import IntelLine, IntelScore
    from server.intel.service import last_as_of

    as_of = last_as_of(s)
    if as_of is None:
        return 0
    s.flush()
    since = None if full else s.execute(select(func.max(IntelPullSent.sent_at))).scalar_one()
    q = (
        select(IntelScore.member_id, IntelScore.segment, IntelScore.lifecycle, IntelScore.tags)
        .join(Member, Member.id == IntelScore.member_id)
        .where(Member.merged_into.is_(None), Member.stub.is_(False))
        .order_by(IntelScore.member_id)
    )
    if since is not None:
        bought = select(IntelLine.member_id).where(IntelLine.at >= since)
        q = q.where((IntelScore.computed_at >= since) | IntelScore.member_id.in_(bought))
    scores = list(s.execute(q).all())
    if not scores:
        return 0
    rows = _intel_rows(s, cfg, scores, as_of)
    ids = [x.member_id for x in scores]
    held: dict[uuid.UUID, str] = dict(
        s.execute(
            text("SELECT member_id, digest FROM intel_pull_sent WHERE member_id = ANY(:ids)"), {"ids": ids}
        ).all()
    )
    same: list[uuid.UUID] = []
    changed: list[tuple[uuid.UUID, str]] = []
    for member_id in ids:
        data = rows[member_id]
        digest = _digest(data)
        if held.get(member_id) == digest:
            same.append(member_id)
            continue
        changed.append((member_id, digest))
        record_change(s, "member_intel", str(member_id), data, at=now, member_id=member_id)
    if same:
        s.execute(
            text("UPDATE intel_pull_sent SET sent_at = :at WHERE member_id = ANY(:ids)"),
            {"at": as_of, "ids": same},
        )
    if changed:
        s.execute(
            text("""
            INSERT INTO intel_pull_sent (member_id, digest, sent_at)
            SELECT m, d, :at FROM unnest(CAST(:ids AS uuid[]), CAST(:digests AS text[])) AS x(m, d)
            ON CONFLICT (member_id) DO UPDATE SET digest = excluded.digest, sent_at = excluded.sent_at"""),
            {"at": as_of, "ids": [m for m, _ in changed], "digests": [d for _, d in changed]},
        )
    return len(changed)

"""Member intel to the tills: after a recompute, each member whose figures the run touched is
sent as a `member_intel` change (segment, lifecycle, top tags, "often bought with"
suggestions with the products' names), to the stores in `member_stores` (so the member panel
shows them offline). Only what changed since the member's last change is sent:
`intel_pull_sent` keeps a digest of what the member's tills hold. Reads intel's tables and
`server.intel.baskets.suggestions`; changes nothing of intel."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, func, select
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


def member_intel_data(
    s: Session, cfg: Any, member_id: uuid.UUID, score: Any, as_of: datetime
) -> dict[str, Any]:
    """The till's `member_intel` row for a member (`score`: its `intel_scores` row)."""
    from server.intel import baskets

    found = baskets.suggestions(s, cfg, member_id, as_of, limit=TOP_SUGGESTIONS)
    skus = [str(f["sku"]) for f in found]
    names = {
        sku: (zh, en)
        for sku, zh, en in s.execute(
            select(Product.sku, Product.name_zh, Product.name_en).where(Product.sku.in_(skus))
        )
    }
    return {
        "id": str(member_id),
        "segment": score.segment,
        "lifecycle": score.lifecycle,
        "tags": list(score.tags or [])[:TOP_TAGS],
        "suggestions": [
            {"sku": sku, "name_zh": names.get(sku, (sku, sku))[0], "name_en": names.get(sku, (sku, sku))[1]}
            for sku in skus
        ],
        "as_of": as_of.isoformat(),
    }


def publish_member_intel(s: Session, cfg: Any, now: datetime, *, full: bool = False) -> int:
    """Queue a `member_intel` change for each member whose scores changed, or who bought, since
    the intel run last published (every scored member when `full`), and whose intel differs
    from what was sent; returns how many. The caller commits."""
    from server.intel.models import IntelLine, IntelScore
    from server.intel.service import last_as_of

    as_of = last_as_of(s)
    if as_of is None:
        return 0
    since = None if full else s.execute(select(func.max(IntelPullSent.sent_at))).scalar_one()
    q = (
        select(IntelScore)
        .join(Member, Member.id == IntelScore.member_id)
        .where(Member.merged_into.is_(None), Member.stub.is_(False))
        .order_by(IntelScore.member_id)
    )
    if since is not None:
        bought = select(IntelLine.member_id).where(IntelLine.at >= since)
        q = q.where((IntelScore.computed_at >= since) | IntelScore.member_id.in_(bought))
    sent = 0
    for score in s.execute(q).scalars():
        data = member_intel_data(s, cfg, score.member_id, score, as_of)
        digest = _digest(data)
        row = s.get(IntelPullSent, score.member_id)
        if row is not None and row.digest == digest:
            row.sent_at = as_of
            continue
        if row is None:
            s.add(IntelPullSent(member_id=score.member_id, digest=digest, sent_at=as_of))
        else:
            row.digest, row.sent_at = digest, as_of
        record_change(s, "member_intel", str(score.member_id), data, at=now, member_id=score.member_id)
        sent += 1
    s.flush()
    return sent

"""What the CLI and the HQ API do with intel: store zones (`stores.timezone`), HQ segments, a member's view.
Nothing here commits; the caller does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from server.intel import baskets
from server.intel.config import IntelConfig
from server.intel.models import IntelMemberStats, IntelScore, IntelSegment, IntelState
from server.intel.segments import SegmentRule
from server.models import Store


class ZoneError(ValueError):
    pass


class UnknownStore(ZoneError):
    pass


class SegmentError(ValueError):
    pass


def set_zone(s: Session, store_id: str, tz: str) -> None:
    """Set a known store's zone: `stores.timezone`, the one home of a store's zone (the
    program's calendar rules read it too; `till-server store add --timezone` sets the same).
    The next recompute sees the change and runs full (server/intel/recompute.py)."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ZoneError(f"unknown time zone {tz!r} (an IANA name such as Asia/Shanghai)") from exc
    if not store_id or len(store_id) > 40:
        raise ZoneError("a store id is 1-40 characters")
    s.flush()
    store = s.get(Store, store_id)
    if store is None:
        raise UnknownStore(f"no store {store_id!r} (till-server store add)")
    store.timezone = tz


def segment_json(seg: IntelSegment) -> dict[str, Any]:
    return {"id": seg.id, "name": seg.name, "rule": seg.rule, "created_at": seg.created_at.isoformat()}


def list_segments(s: Session) -> list[dict[str, Any]]:
    return [segment_json(x) for x in s.execute(select(IntelSegment).order_by(IntelSegment.id)).scalars()]


def save_segment(s: Session, segment_id: str, name: str, rule: Any) -> dict[str, Any]:
    """Add or replace a segment. Raises SegmentError naming what is wrong with the rule."""
    if not segment_id or len(segment_id) > 40 or not segment_id.replace("_", "").replace("-", "").isalnum():
        raise SegmentError("a segment id is 1-40 letters, digits, '-' or '_'")
    if segment_id in ("core", "potential", "dormant", "lost"):
        raise SegmentError(f"{segment_id!r} is a built-in segment")
    if not name or len(name) > 120:
        raise SegmentError("a segment name is 1-120 characters")
    try:
        parsed = SegmentRule.model_validate(rule)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "rule"
        raise SegmentError(f"{where}: {first['msg']}") from exc
    stored = parsed.model_dump(exclude_none=True)
    row = s.get(IntelSegment, segment_id)
    if row is None:
        row = IntelSegment(id=segment_id, name=name, rule=stored, created_at=datetime.now(UTC))
        s.add(row)
    else:
        row.name, row.rule = name, stored
    s.flush()
    return segment_json(row)


def remove_segment(s: Session, segment_id: str) -> bool:
    row = s.get(IntelSegment, segment_id)
    if row is None:
        return False
    s.delete(row)
    return True


def segment_members(s: Session, segment_id: str, limit: int, offset: int) -> list[str]:
    """Member ids in a built-in (`core`, ...) or HQ segment, by id."""
    if segment_id in ("core", "potential", "dormant", "lost"):
        q = text(
            "SELECT member_id FROM intel_scores WHERE segment = :g ORDER BY member_id LIMIT :l OFFSET :o"
        )
    else:
        q = text(
            "SELECT member_id FROM intel_scores WHERE segments ? :g ORDER BY member_id LIMIT :l OFFSET :o"
        )
    return [str(x) for x in s.execute(q, {"g": segment_id, "l": limit, "o": offset}).scalars()]


def last_as_of(s: Session, key: str = "as_of") -> datetime | None:
    """When the last recompute (`as_of`) or the last full one (`cohorts_as_of`) was as of."""
    row = s.get(IntelState, key)
    return datetime.fromisoformat(row.value) if row is not None else None


def member_view(s: Session, cfg: IntelConfig, member_id: uuid.UUID) -> dict[str, Any] | None:
    """Scores, segments, tags, 12-month figures and suggestions, as of the last recompute."""
    score = s.get(IntelScore, member_id)
    as_of = last_as_of(s)
    if score is None or as_of is None:
        return None
    st = s.get(IntelMemberStats, member_id)
    return {
        "member_id": str(member_id),
        "as_of": as_of.isoformat(),
        "rfm": {"r": score.r, "f": score.f, "m": score.m},
        "lifecycle": score.lifecycle,
        "segment": score.segment,
        "segments": score.segments,
        "tags": score.tags,
        "window": {
            "visits": st.visits if st else 0,
            "spend": st.spend if st else 0,
            "last_purchase_at": st.last_at.isoformat() if st and st.last_at else None,
            "stores": st.stores if st else [],
            "categories": st.categories if st else [],
        },
        "suggestions": baskets.suggestions(s, cfg, member_id, as_of),
    }

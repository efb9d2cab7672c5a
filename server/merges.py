"""The server's way to a merged member's survivor: `app.domain.merges.follow_merges` over the
server's member rows (`merged_into`) and aliases. Used by push, lookup and feedback."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.domain.merges import UNKNOWN, MergeChainTooLong, Unknown, follow_merges
from server.models import Member, MemberAlias

__all__ = ["MergeChainTooLong", "resolve_member"]


def resolve_member(s: Session, member_id: uuid.UUID) -> Member | None:
    """The surviving member for an id, following `merged_into` and aliases; None when the id
    names no member. Raises MergeChainTooLong for links that do not end (damaged data)."""

    def next_id(mid: uuid.UUID) -> uuid.UUID | Unknown | None:
        row = s.get(Member, mid)
        if row is None:
            alias = s.get(MemberAlias, mid)
            return UNKNOWN if alias is None else alias.member_id
        return row.merged_into

    survivor = follow_merges(member_id, next_id)
    return None if survivor is None else s.get(Member, survivor)

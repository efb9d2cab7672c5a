"""The sync worker's state (pull cursor, server epoch, acknowledged audit head): kept in the
till's store by `app.store.sync_state`, read and written in the caller's transaction; here the
audit anchor a push carries is made from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.store.sync_state import (
    adopt_epoch,
    audit_heads,
    get_cursor,
    get_epoch,
    get_state,
    set_audit_ack,
    set_cursor,
    set_state,
)
from sync.protocol import AuditAnchor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "adopt_epoch",
    "audit_anchor",
    "get_cursor",
    "get_epoch",
    "get_state",
    "set_audit_ack",
    "set_cursor",
    "set_state",
]


def audit_anchor(s: Session) -> AuditAnchor:
    """The audit log's head, and this till's hash at the seq the server acknowledged last
    (empty when that record is gone)."""
    head_seq, head_hash, check_seq, check_hash = audit_heads(s)
    return AuditAnchor(head_seq=head_seq, head_hash=head_hash, check_seq=check_seq, check_hash=check_hash)

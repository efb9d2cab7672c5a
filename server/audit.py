"""Anchoring each till's hash-chained audit log (app/domain/audit.py) on the server.

Every push carries the log's head and the till's hash at the head the server acknowledged last
(`sync.protocol.AuditAnchor`). The server keeps the heads it was sent (`audit_anchors`); a log
that no longer holds one of them (a record edited or deleted, the log cut short) is recorded
once, as an open `audit_mismatch` conflict for HQ. The events of the push are applied anyway:
the sales happened; what is in question is the till's record of who did what.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.ids import new_id
from server.models import AuditAnchor, Conflict
from sync.protocol import AuditAnchor as WireAuditAnchor

log = logging.getLogger("server.audit")


def check_audit(s: Session, terminal_id: str, anchor: WireAuditAnchor | None, now: datetime) -> int | None:
    """Hold the till's audit head against the heads it sent before; keep the new one. A head
    the till's log no longer holds (edited, deleted, cut short) is recorded once as an
    `audit_mismatch` conflict for HQ. Returns the head now held (the till checks it next time)."""
    if anchor is None:
        return None
    problems: list[dict[str, Any]] = []
    if anchor.check_seq is not None:
        held = s.get(AuditAnchor, (terminal_id, anchor.check_seq))
        if held is not None and held.hash != anchor.check_hash:
            problems.append(
                {
                    "problem": "record_changed_or_gone",
                    "seq": held.seq,
                    "held_hash": held.hash,
                    "till_hash": anchor.check_hash or None,
                }
            )
    latest = s.execute(
        select(func.max(AuditAnchor.seq)).where(AuditAnchor.terminal_id == terminal_id)
    ).scalar()
    if latest is not None and anchor.head_seq < latest:
        problems.append({"problem": "log_cut_short", "held_seq": int(latest), "till_seq": anchor.head_seq})
    same = s.get(AuditAnchor, (terminal_id, anchor.head_seq)) if anchor.head_seq else None
    if same is not None and same.hash != anchor.head_hash:
        problems.append(
            {
                "problem": "record_changed",
                "seq": same.seq,
                "held_hash": same.hash,
                "till_hash": anchor.head_hash,
            }
        )
    if problems:
        open_one = s.execute(
            select(Conflict.id)
            .where(
                Conflict.kind == "audit_mismatch",
                Conflict.terminal_id == terminal_id,
                Conflict.resolved_at.is_(None),
            )
            .limit(1)
        ).first()
        if open_one is None:  # one open conflict per till, not one per push
            s.add(
                Conflict(
                    id=new_id(),
                    kind="audit_mismatch",
                    at=now,
                    member_id=None,
                    sale_id=None,
                    terminal_id=terminal_id,
                    details={"problems": problems},
                )
            )
        log.warning(
            "till %s: its audit log no longer matches what it sent before (%s)",
            terminal_id,
            ", ".join(p["problem"] for p in problems),
        )
    if anchor.head_seq and same is None:
        s.add(AuditAnchor(terminal_id=terminal_id, seq=anchor.head_seq, hash=anchor.head_hash, at=now))
    return anchor.head_seq

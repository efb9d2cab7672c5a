"""`cart.voided` and `shift.closed`: kept as they came (`till_records`), once."""

from __future__ import annotations

from typing import Any

from app.domain.events import ShiftClosedP, VoidedP
from server.models import TillRecord
from server.push.context import Batch
from sync.protocol import WireEvent


def _keep(b: Batch, ev: WireEvent, key: str, at: Any) -> None:
    b.s.flush()
    if b.s.get(TillRecord, key) is None:
        b.s.add(TillRecord(id=key, type=ev.type, terminal_id=b.terminal.id, at=at, data=ev.payload))


def voided(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = VoidedP.model_validate(ev.payload)
    _keep(b, ev, f"void:{p.void_id}", p.at)
    return {"void_id": p.void_id}


def shift_closed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = ShiftClosedP.model_validate(ev.payload)
    _keep(b, ev, f"shift:{p.shift_id}", p.at)
    return {"shift_id": str(p.shift_id)}

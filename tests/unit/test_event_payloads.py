"""The till's outbox writer checks each payload with the model the server reads it with."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.domain.events import EVENT_PAYLOADS, SaleCompletedP
from app.services.context import TillContext
from app.services.outbox import record_event
from app.store.orm import OutboxEvent
from sync.protocol import EVENT_TYPES

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _outbox_rows(till: TillContext) -> int:
    with till.uow(write=False) as uow:
        return int(uow.session.execute(select(func.count()).select_from(OutboxEvent)).scalar_one())


def test_every_protocol_event_type_has_one_payload_model() -> None:
    assert tuple(EVENT_PAYLOADS) == EVENT_TYPES


def test_a_payload_the_server_would_refuse_is_not_written(till: TillContext) -> None:
    before = _outbox_rows(till)
    with till.uow() as uow, pytest.raises(ValueError, match="member_id"):
        record_event(
            uow.session,
            till.terminal_id,
            "points.adjusted",
            {"entry_id": str(uuid.uuid4()), "points": 5, "at": AT.isoformat()},
            AT,
        )
    with till.uow() as uow, pytest.raises(ValueError, match="no such event type"):
        record_event(uow.session, till.terminal_id, "points.minted", {}, AT)
    assert _outbox_rows(till) == before


def test_a_payload_the_server_reads_is_written(till: TillContext) -> None:
    payload = {
        "entry_id": str(uuid.uuid4()),
        "member_id": str(uuid.uuid4()),
        "points": 5,
        "at": AT.isoformat(),
    }
    with till.uow() as uow:
        record_event(uow.session, till.terminal_id, "points.adjusted", payload, AT)
        uow.commit()
    with till.uow(write=False) as uow:
        row = uow.session.execute(select(OutboxEvent).order_by(OutboxEvent.seq.desc())).scalars().first()
        assert row is not None and row.payload == payload


def test_sale_payload_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="at"):
        SaleCompletedP.model_validate(
            {
                "sale_id": str(uuid.uuid4()),
                "receipt_no": "R1",
                "store_id": "S1",
                "terminal_id": "T1",
                "cashier_id": "c",
                "at": "2026-03-01T12:00:00",
                "subtotal": 100,
                "total_due": 100,
                "paid": 100,
            }
        )

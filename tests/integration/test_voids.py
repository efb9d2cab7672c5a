from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services.checkout import CartLine
from app.services.errors import Refused
from app.services.staff import PinRejected
from app.services.voids import VoidLines, void_lines
from app.store import orm


def _audit_and_events(till):  # type: ignore[no-untyped-def]
    """(subject, actor, approver, details) of void audit entries, and the void events' payloads."""
    with till.uow(write=False) as uow:
        s = uow.session
        audits = [
            (a.subject, a.actor_id, a.approver_id, a.details)
            for a in s.execute(select(orm.AuditRow).where(orm.AuditRow.action == "cart.void")).scalars()
        ]
        events = [
            e.payload
            for e in s.execute(select(orm.OutboxEvent).where(orm.OutboxEvent.type == "cart.voided")).scalars()
        ]
        return audits, events


def test_an_approved_void_is_audited_with_both_staff_and_sent(till, staff) -> None:  # type: ignore[no-untyped-def]
    cashier, sup = staff["cashier"], staff["supervisor"]
    lines = (CartLine("6901234567892", 2), CartLine("6904567890123", 1))
    void_id = void_lines(till, VoidLines(cashier.id, lines, True, sup.id, "5678", "customer left"))
    audits, events = _audit_and_events(till)
    assert len(audits) == 1
    subject, actor, approver, details = audits[0]
    assert subject == void_id and actor == cashier.id and approver == sup.id
    assert details["lines"] == [{"sku": "6901234567892", "qty": 2}, {"sku": "6904567890123", "qty": 1}]
    assert len(events) == 1 and events[0]["approver_id"] == str(sup.id)


@pytest.mark.parametrize(
    ("approver", "pin", "error"),
    [
        (None, None, Refused),
        ("cashier", "1234", Refused),
        ("supervisor", "0000", PinRejected),
    ],
)
def test_a_void_without_a_valid_approval_records_nothing(till, staff, approver, pin, error) -> None:  # type: ignore[no-untyped-def]
    cashier = staff["cashier"]
    approver_id = staff[approver].id if approver else None
    with pytest.raises(error):
        void_lines(till, VoidLines(cashier.id, (CartLine("6901234567892", 1),), False, approver_id, pin))
    audits, events = _audit_and_events(till)
    assert audits == [] and events == []

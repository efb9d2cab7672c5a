from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.staff import Action
from app.services.errors import Refused
from app.services.staff import LockedOut, PinRejected, authorize
from app.store import orm


def _actions(till):  # type: ignore[no-untyped-def]
    with till.uow(write=False) as uow:
        return [
            (a.action, a.details)
            for a in uow.session.execute(
                select(orm.AuditRow).where(orm.AuditRow.action == "staff.authorize")
            ).scalars()
        ]


def test_a_supervisor_opens_the_settings_and_it_is_audited(till, staff) -> None:  # type: ignore[no-untyped-def]
    who = authorize(till, " 2001 ", "5678", Action.SETTINGS)
    assert who.id == staff["supervisor"].id
    assert _actions(till) == [("staff.authorize", {"action": "settings"})]


def test_a_cashier_cannot_open_the_settings(till, staff) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as err:
        authorize(till, "1001", "1234", Action.SETTINGS)
    assert err.value.code == "cannot_approve"
    assert _actions(till) == []


def test_wrong_pins_count_towards_the_lock_out(till, staff) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        with pytest.raises(PinRejected):
            authorize(till, "2001", "0000", Action.SETTINGS)
    with pytest.raises(LockedOut):
        authorize(till, "2001", "0000", Action.SETTINGS)
    with pytest.raises(LockedOut):  # the right PIN does not open a locked account
        authorize(till, "2001", "5678", Action.SETTINGS)

"""Staff rules on a real store: an inactive manager unlocks nothing, an inactive staff member
is not unlocked, and adding staff needs a manager once the till has one."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from app.domain.staff import Role
from app.services.context import TillContext
from app.services.errors import Refused
from app.services.staff import LockedOut, PinRejected, add_staff, sign_in, unlock
from app.store import orm


def _lock(till: TillContext, login: str) -> None:
    for _ in range(till.config.staff.max_pin_failures):
        with pytest.raises((PinRejected, LockedOut)):
            sign_in(till, login, "0000")


def _set_active(till: TillContext, login: str, active: bool) -> None:
    with till.uow() as uow:
        row = uow.session.query(orm.Staff).filter_by(login=login).one()
        row.active = active
        uow.commit()


def test_an_inactive_manager_unlocks_nothing(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    _lock(till, "1001")
    _set_active(till, "3001", False)
    with pytest.raises(Refused) as err:
        unlock(till, "1001", "3001", "9999")
    assert err.value.code == "not_manager"
    assert raw.execute("SELECT locked FROM staff WHERE login = '1001'").fetchone()[0] == 1
    assert raw.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.unlock'").fetchone()[0] == 0
    _set_active(till, "3001", True)
    unlock(till, "1001", "3001", "9999")
    assert raw.execute("SELECT locked FROM staff WHERE login = '1001'").fetchone()[0] == 0


def test_an_inactive_staff_member_is_not_unlocked(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    _lock(till, "1001")
    _set_active(till, "1001", False)
    with pytest.raises(Refused) as err:
        unlock(till, "1001", "3001", "9999")
    assert err.value.code == "staff_inactive"
    assert raw.execute("SELECT locked FROM staff WHERE login = '1001'").fetchone()[0] == 1


def test_adding_staff_needs_a_manager(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    for actor in (None, staff["cashier"].id, staff["supervisor"].id):
        with pytest.raises(Refused) as err:
            add_staff(till, "1009", "New Hire", Role.CASHIER, "4321", actor_id=actor)
        assert err.value.code == "not_manager"
    _set_active(till, "3001", False)
    with pytest.raises(Refused):  # an inactive manager adds no one; no other manager is active
        add_staff(till, "1009", "New Hire", Role.MANAGER, "4321", actor_id=staff["manager"].id)
    _set_active(till, "3001", True)
    assert raw.execute("SELECT COUNT(*) FROM staff WHERE login = '1009'").fetchone()[0] == 0
    added = add_staff(till, "1009", "New Hire", Role.CASHIER, "4321", actor_id=staff["manager"].id)
    assert added.login == "1009"
    audit = raw.execute(
        "SELECT actor_id FROM audit_log WHERE action = 'staff.add' AND subject = ?", (str(added.id),)
    ).fetchone()
    assert audit is not None and audit[0] is not None


def test_a_new_till_is_set_up_without_a_manager_first(till: TillContext) -> None:
    cashier = add_staff(till, "1001", "Li Na", Role.CASHIER, "1234")  # no manager yet: setting up
    manager = add_staff(till, "3001", "Zhao Min", Role.MANAGER, "9999")
    with pytest.raises(Refused):
        add_staff(till, "1002", "Sun Li", Role.CASHIER, "4321", actor_id=cashier.id)
    assert add_staff(till, "1002", "Sun Li", Role.CASHIER, "4321", actor_id=manager.id).login == "1002"

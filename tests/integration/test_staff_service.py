"""Staff on a real store: Argon2 PIN hashes, lock-out after 5 wrong PINs, supervisor approvals."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.domain.staff import Action, Role
from app.services.context import TillContext, open_till
from app.services.errors import Invalid, NotFound, Refused
from app.services.staff import (
    LockedOut,
    PinRejected,
    add_staff,
    find_staff,
    require_approval,
    sign_in,
    unlock,
)
from app.store import orm
from tests.conftest import FAST_HASHER, FrozenClock
from tests.integration.conftest import uuid_hex

LOCK_AFTER = 5  # the issue: "lock-out after 5 wrong PINs"


def _row(raw: sqlite3.Connection, login: str) -> sqlite3.Row:
    return raw.execute("SELECT * FROM staff WHERE login = ?", (login,)).fetchone()


def test_pins_are_stored_as_salted_argon2_hashes(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    other = add_staff(
        till,
        "1002",
        "Sun Li",
        Role.CASHIER,
        "1234",  # same PIN as 1001
        actor_id=staff["manager"].id,
    )
    a, b = _row(raw, "1001"), _row(raw, "1002")
    assert a["pin_hash"].startswith("$argon2id$")
    assert "1234" not in a["pin_hash"]
    assert a["pin_hash"] != b["pin_hash"]
    assert till.hasher.verify(a["pin_hash"], "1234")
    assert not till.hasher.verify(a["pin_hash"], "1235")
    assert sign_in(till, "1002", "1234").id == other.id


@pytest.mark.parametrize("pin", ["12", "123456789", "12a4", "", "１２３４"])
def test_bad_pins_are_refused(till: TillContext, raw: sqlite3.Connection, pin: str) -> None:
    with pytest.raises(Invalid):
        add_staff(till, "1009", "X", Role.CASHIER, pin)
    assert _row(raw, "1009") is None


def test_a_login_is_unique(till: TillContext, staff: dict[str, Any]) -> None:
    with pytest.raises(Refused) as exc:
        add_staff(till, "1001", "Another", Role.CASHIER, "4321", actor_id=staff["manager"].id)
    assert exc.value.code == "login_taken"


def test_sign_in(till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection) -> None:
    me = sign_in(till, "2001", "5678")
    assert me.id == staff["supervisor"].id and me.role is Role.SUPERVISOR
    assert raw.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in'").fetchone()[0] == 1
    with pytest.raises(NotFound):
        sign_in(till, "4040", "1234")


def test_five_wrong_pins_lock_the_account(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    for attempt in range(1, LOCK_AFTER):
        with pytest.raises(PinRejected) as exc:
            sign_in(till, "1001", "0000")
        assert exc.value.attempts_left == LOCK_AFTER - attempt
        assert _row(raw, "1001")["failed_attempts"] == attempt
        assert not _row(raw, "1001")["locked"]
    with pytest.raises(LockedOut):
        sign_in(till, "1001", "0000")
    assert _row(raw, "1001")["locked"]
    # Now even the right PIN is refused, and the lock is in the audit log.
    with pytest.raises(LockedOut):
        sign_in(till, "1001", "1234")
    locked = raw.execute("SELECT * FROM audit_log WHERE action = 'staff.locked'").fetchall()
    assert len(locked) == 1
    assert locked[0]["subject"] == str(staff["cashier"].id)


def test_the_lock_survives_a_restart(tmp_path: Path, clock: FrozenClock) -> None:
    home = tmp_path / "home"
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    add_staff(ctx, "1001", "Li", Role.CASHIER, "1234")
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(PinRejected):
            sign_in(ctx, "1001", "9999")
    ctx.close()
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        with pytest.raises(LockedOut):  # the count was kept across the restart
            sign_in(ctx, "1001", "9999")
        with pytest.raises(LockedOut):
            sign_in(ctx, "1001", "1234")
    finally:
        ctx.close()


def test_a_right_pin_resets_the_count(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(PinRejected):
            sign_in(till, "1001", "0000")
    sign_in(till, "1001", "1234")
    assert _row(raw, "1001")["failed_attempts"] == 0
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(PinRejected):
            sign_in(till, "1001", "0000")
    assert not _row(raw, "1001")["locked"]


def test_only_a_manager_unlocks(till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection) -> None:
    for _ in range(LOCK_AFTER):
        with pytest.raises(Refused):
            sign_in(till, "1001", "0000")
    with pytest.raises(Refused) as exc:
        unlock(till, "1001", "2001", "5678")
    assert exc.value.code == "not_manager"
    with pytest.raises(PinRejected):
        unlock(till, "1001", "3001", "0000")
    assert _row(raw, "3001")["failed_attempts"] == 1  # the manager's own failure is counted
    assert _row(raw, "1001")["locked"]
    unlock(till, "1001", "3001", "9999")
    row = _row(raw, "1001")
    assert not row["locked"] and row["failed_attempts"] == 0
    assert sign_in(till, "1001", "1234").id == staff["cashier"].id
    audit = raw.execute("SELECT * FROM audit_log WHERE action = 'staff.unlock'").fetchone()
    assert audit["actor_id"] == uuid_hex(staff["manager"].id)


def test_an_inactive_staff_member_cannot_sign_in(till: TillContext, staff: dict[str, Any]) -> None:
    with till.uow() as uow:
        uow.session.get_one(orm.Staff, staff["cashier"].id).active = False
        uow.commit()
    with pytest.raises(NotFound):
        sign_in(till, "1001", "1234")
    with pytest.raises(NotFound):
        require_approval(till, staff["manager"].id, staff["cashier"].id, "1234", Action.REFUND)


@pytest.mark.parametrize("action", [Action.REFUND, Action.VOID, Action.PRICE_OVERRIDE, Action.POINTS_ADJUST])
def test_supervisor_actions_need_a_supervisor(
    till: TillContext, staff: dict[str, Any], action: Action
) -> None:
    cashier, supervisor, manager = staff["cashier"], staff["supervisor"], staff["manager"]
    assert require_approval(till, cashier.id, supervisor.id, "5678", action) == supervisor.id
    assert require_approval(till, cashier.id, manager.id, "9999", action) == manager.id
    other = add_staff(till, "1002", "Sun Li", Role.CASHIER, "4321", actor_id=staff["manager"].id)
    with pytest.raises(Refused) as exc:
        require_approval(till, cashier.id, other.id, "4321", action)
    assert exc.value.code == "cannot_approve"
    with pytest.raises(Refused) as exc:
        require_approval(till, supervisor.id, supervisor.id, "5678", action)
    assert exc.value.code == "self_approval"


def test_actions_without_approval_cannot_be_approved(till: TillContext, staff: dict[str, Any]) -> None:
    with pytest.raises(Refused) as exc:
        require_approval(till, staff["cashier"].id, staff["supervisor"].id, "5678", Action.SELL)
    assert exc.value.code == "cannot_approve"


def test_wrong_approval_pins_lock_the_supervisor(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    cashier, supervisor = staff["cashier"], staff["supervisor"]
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(PinRejected):
            require_approval(till, cashier.id, supervisor.id, "0000", Action.REFUND)
    with pytest.raises(LockedOut):
        require_approval(till, cashier.id, supervisor.id, "0000", Action.REFUND)
    with pytest.raises(LockedOut):
        require_approval(till, cashier.id, supervisor.id, "5678", Action.REFUND)
    assert _row(raw, "2001")["locked"]
    with pytest.raises(LockedOut):
        sign_in(till, "2001", "5678")


def test_find_staff(till: TillContext, staff: dict[str, Any]) -> None:
    assert find_staff(till, "3001").role is Role.MANAGER
    with pytest.raises(NotFound):
        find_staff(till, "0000")


def test_a_pin_hashed_with_older_parameters_is_rehashed_at_sign_in(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """The till's Argon2 parameters went up: a good sign-in stores the PIN's hash again with
    the new ones (a wrong PIN changes nothing)."""
    from app.domain.staff import PinHasher

    home = tmp_path / "home"
    old = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        add_staff(old, "1001", "Li Na", Role.CASHIER, "1234")
        with old.uow(write=False) as uow:
            before = uow.session.execute(select_hash()).scalar_one()
    finally:
        old.close()
    stronger = PinHasher(time_cost=2, memory_cost=8, parallelism=1)
    assert stronger.needs_rehash(before)
    new = open_till(home, clock=clock, hasher=stronger)
    try:
        with pytest.raises(PinRejected):
            sign_in(new, "1001", "9999")
        with new.uow(write=False) as uow:
            assert uow.session.execute(select_hash()).scalar_one() == before
        sign_in(new, "1001", "1234")
        with new.uow(write=False) as uow:
            after = uow.session.execute(select_hash()).scalar_one()
    finally:
        new.close()
    assert after != before and not stronger.needs_rehash(after) and stronger.verify(after, "1234")


def select_hash() -> Any:
    from sqlalchemy import select

    return select(orm.Staff.pin_hash).where(orm.Staff.login == "1001")

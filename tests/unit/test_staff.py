"""Staff roles, approvals, PIN hashing and lock-out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.ids import StaffId
from app.domain.staff import (
    PIN_RULE_MESSAGE,
    Action,
    Approval,
    LockoutPolicy,
    PinHasher,
    Role,
    StaffAuthState,
    StaffLockedError,
    approval_required,
    can_approve,
    may_perform,
    needs_approval,
    validate_pin,
)

T0 = datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC)
CASHIER_ID = StaffId(uuid.UUID(int=1))
SUPERVISOR_ID = StaffId(uuid.UUID(int=2))
HASHER = PinHasher(time_cost=1, memory_cost=8192, parallelism=1)
APPROVAL = {Action.REFUND, Action.VOID, Action.PRICE_OVERRIDE, Action.POINTS_ADJUST}


# ---------------------------------------------------------------- roles and permissions


def test_roles_are_ordered() -> None:
    assert Role.MANAGER >= Role.SUPERVISOR >= Role.CASHIER
    assert Role.CASHIER < Role.SUPERVISOR < Role.MANAGER
    assert Role.MANAGER > Role.CASHIER
    assert Role.CASHIER <= Role.CASHIER
    assert sorted([Role.MANAGER, Role.CASHIER, Role.SUPERVISOR]) == [
        Role.CASHIER,
        Role.SUPERVISOR,
        Role.MANAGER,
    ]
    with pytest.raises(TypeError):
        _ = Role.CASHIER < "manager"  # type: ignore[operator]


def test_str_of_role_and_action_is_the_stored_value() -> None:
    for role in Role:
        assert Role(str(role)) is role
    assert str(Action.PRICE_OVERRIDE) == "price_override"


def test_needs_approval() -> None:
    for action in Action:
        assert needs_approval(action) == (action in APPROVAL)


def test_can_approve() -> None:
    for action in Action:
        assert not can_approve(Role.CASHIER, action)
        assert can_approve(Role.SUPERVISOR, action) == (action in APPROVAL)
        assert can_approve(Role.MANAGER, action) == (action in APPROVAL)


def test_may_perform() -> None:
    for action in Action:
        assert may_perform(Role.MANAGER, action)
        assert may_perform(Role.SUPERVISOR, action)
        assert may_perform(Role.CASHIER, action) == (action is not Action.SETTINGS)


def test_approval_required_per_person() -> None:
    assert approval_required(Role.CASHIER, Action.REFUND)
    assert not approval_required(Role.SUPERVISOR, Action.REFUND)
    assert approval_required(Role.SUPERVISOR, Action.REFUND, four_eyes=True)
    assert approval_required(Role.MANAGER, Action.VOID, four_eyes=True)
    assert not approval_required(Role.CASHIER, Action.SELL)
    assert not approval_required(Role.CASHIER, Action.SELL, four_eyes=True)


def _approval(**kw: object) -> Approval:
    args: dict[str, object] = {
        "action": Action.REFUND,
        "staff_id": CASHIER_ID,
        "approver_id": SUPERVISOR_ID,
        "approver_role": Role.SUPERVISOR,
        "at": T0,
        "reason": "damaged packaging",
    }
    args.update(kw)
    return Approval(**args)  # type: ignore[arg-type]


def test_valid_approval() -> None:
    a = _approval()
    assert a.approver_id == SUPERVISOR_ID
    b = _approval(approver_role=Role.MANAGER, action=Action.POINTS_ADJUST)
    assert b.action is Action.POINTS_ADJUST


def test_approval_refuses_self_approval() -> None:
    with pytest.raises(ValueError, match="own action"):
        _approval(approver_id=CASHIER_ID)


def test_approval_refuses_a_cashier_approver() -> None:
    with pytest.raises(ValueError, match="cannot approve"):
        _approval(approver_role=Role.CASHIER)


def test_approval_refuses_actions_that_need_none() -> None:
    with pytest.raises(ValueError, match="does not need"):
        _approval(action=Action.SELL)


def test_approval_refuses_naive_time_and_blank_reason() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _approval(at=datetime(2025, 3, 1))
    with pytest.raises(ValueError, match="reason"):
        _approval(reason="   ")


# ---------------------------------------------------------------- PINs


@pytest.mark.parametrize("pin", ["0000", "1234", "12345678", "007007"])
def test_valid_pins(pin: str) -> None:
    assert validate_pin(pin) == pin


@pytest.mark.parametrize(
    "pin", ["", "123", "123456789", "12a4", " 1234", "1234\n", "١٢٣٤", "１２３４", "12.4"]
)
def test_invalid_pins(pin: str) -> None:
    with pytest.raises(ValueError) as info:
        validate_pin(pin)
    assert str(info.value) == PIN_RULE_MESSAGE
    assert "4 to 8 digits" in str(info.value)


def test_pin_hash_and_verify() -> None:
    h = HASHER.hash("2468")
    assert h.startswith("$argon2id$")
    assert "2468" not in h
    assert HASHER.verify(h, "2468")
    assert not HASHER.verify(h, "2469")
    assert not HASHER.verify(h, "24680")
    assert not HASHER.verify(h, "")
    assert not HASHER.verify("not a hash", "2468")


def test_pin_hashes_are_salted() -> None:
    assert HASHER.hash("2468") != HASHER.hash("2468")


def test_hash_refuses_invalid_pin() -> None:
    with pytest.raises(ValueError, match="4 to 8 digits"):
        HASHER.hash("12")


def test_needs_rehash_when_parameters_change() -> None:
    h = HASHER.hash("2468")
    assert not HASHER.needs_rehash(h)
    stronger = PinHasher(time_cost=2, memory_cost=8192, parallelism=1)
    assert stronger.needs_rehash(h)
    assert stronger.verify(h, "2468")  # old hashes still verify
    assert HASHER.needs_rehash("garbage")


# ---------------------------------------------------------------- lock-out

POLICY = LockoutPolicy()


def _fail(state: StaffAuthState, times: int, policy: LockoutPolicy = POLICY) -> StaffAuthState:
    for i in range(times):
        state = state.register_failure(T0 + timedelta(seconds=i), policy)
    return state


def test_four_failures_do_not_lock_the_fifth_does() -> None:
    state = _fail(StaffAuthState(), 4)
    assert state.failed_attempts == 4
    assert not state.is_locked(T0)
    assert state.remaining_attempts(POLICY, T0) == 1
    state = state.register_failure(T0, POLICY)
    assert state.failed_attempts == 5
    assert state.is_locked(T0)
    assert state.is_locked(T0 + timedelta(days=365))  # until a manager unlocks
    assert state.locked_until is None
    assert state.remaining_attempts(POLICY, T0) == 0


def test_success_resets_the_count() -> None:
    state = _fail(StaffAuthState(), 4).register_success(T0)
    assert state == StaffAuthState()
    state = _fail(state, 4)
    assert not state.is_locked(T0)  # 4 + 4 failures with a success between: not locked


def test_a_correct_pin_never_unlocks() -> None:
    state = _fail(StaffAuthState(), 5)
    with pytest.raises(StaffLockedError):
        state.register_success(T0)


def test_failures_while_locked_change_nothing() -> None:
    state = _fail(StaffAuthState(), 5)
    assert state.register_failure(T0 + timedelta(minutes=1), POLICY) == state


def test_manager_unlock() -> None:
    state = _fail(StaffAuthState(), 5).unlock()
    assert not state.is_locked(T0)
    assert state.failed_attempts == 0
    assert state.register_success(T0) == StaffAuthState()


def test_timed_lock() -> None:
    policy = LockoutPolicy(max_failures=5, lock_for=timedelta(minutes=15))
    state = StaffAuthState()
    for _ in range(5):
        state = state.register_failure(T0, policy)
    assert state.locked_until == T0 + timedelta(minutes=15)
    assert state.is_locked(T0 + timedelta(minutes=14, seconds=59))
    assert not state.is_locked(T0 + timedelta(minutes=15))
    later = T0 + timedelta(minutes=16)
    assert state.remaining_attempts(policy, later) == 5
    # after the lock runs out the count starts again
    again = state.register_failure(later, policy)
    assert again.failed_attempts == 1 and not again.is_locked(later)
    assert state.register_success(later) == StaffAuthState()


def test_custom_max_failures() -> None:
    policy = LockoutPolicy(max_failures=3)
    assert not _fail(StaffAuthState(), 2, policy).is_locked(T0)
    assert _fail(StaffAuthState(), 3, policy).is_locked(T0)


def test_policy_and_state_validation() -> None:
    with pytest.raises(ValueError):
        LockoutPolicy(max_failures=0)
    with pytest.raises(ValueError):
        LockoutPolicy(lock_for=timedelta(0))
    with pytest.raises(ValueError):
        StaffAuthState(failed_attempts=-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        StaffAuthState(locked=True, locked_until=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        StaffAuthState().is_locked(datetime(2025, 1, 1))


@given(st.lists(st.booleans(), max_size=40))
def test_lock_happens_exactly_at_five_consecutive_failures(outcomes: list[bool]) -> None:
    """Model: a run of 5 wrong PINs with no success between locks for good."""
    state = StaffAuthState()
    run = 0
    locked = False
    for ok in outcomes:
        if locked:
            break
        if ok:
            state = state.register_success(T0)
            run = 0
        else:
            state = state.register_failure(T0, POLICY)
            run += 1
            locked = run >= 5
        assert state.is_locked(T0) == locked
        assert state.failed_attempts == run

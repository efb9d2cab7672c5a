"""Staff: roles and permissions, approvals, PIN hashing and PIN lock-out. Pure rules.

Permissions
    Every role may *perform* the till's everyday actions; ``settings`` needs a supervisor.
    Refunds, voids, price overrides and points adjustments additionally *need approval* by a
    supervisor or manager who is not the person performing the action (:class:`Approval`).
    Whether a supervisor doing such an action still needs a second person is a store policy:
    :func:`approval_required` with ``four_eyes``.

PINs
    4-8 ASCII digits, hashed with Argon2id. A 4-digit PIN has only 10,000 values, so the hash
    does not protect a stolen database against an offline search; what protects the till is
    the lock-out (:class:`LockoutPolicy`, :class:`StaffAuthState`) and the database's own
    protection. Never log PINs.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from app.domain.clock import require_aware
from app.domain.ids import StaffId

__all__ = [
    "APPROVAL_ACTIONS",
    "APPROVER_MIN_ROLE",
    "MIN_ROLE",
    "PIN_RULE_MESSAGE",
    "Action",
    "Approval",
    "LockoutPolicy",
    "PinHasher",
    "Role",
    "StaffAuthState",
    "StaffLockedError",
    "approval_required",
    "can_approve",
    "may_perform",
    "needs_approval",
    "validate_pin",
]


if TYPE_CHECKING:
    from argon2 import PasswordHasher

# ---------------------------------------------------------------- roles and actions


class Role(enum.Enum):
    """Staff roles, ordered: ``MANAGER >= SUPERVISOR >= CASHIER``."""

    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank >= other.rank


_RANK: Final[dict[Role, int]] = {Role.CASHIER: 0, Role.SUPERVISOR: 1, Role.MANAGER: 2}


class Action(enum.Enum):
    SELL = "sell"
    REFUND = "refund"
    VOID = "void"
    PRICE_OVERRIDE = "price_override"
    POINTS_ADJUST = "points_adjust"
    OPEN_SHIFT = "open_shift"
    CLOSE_SHIFT = "close_shift"
    SETTINGS = "settings"
    REGISTER_MEMBER = "register_member"

    def __str__(self) -> str:
        return self.value


APPROVAL_ACTIONS: Final[frozenset[Action]] = frozenset(
    {Action.REFUND, Action.VOID, Action.PRICE_OVERRIDE, Action.POINTS_ADJUST}
)
"""Actions that need a supervisor's approval."""

APPROVER_MIN_ROLE: Final = Role.SUPERVISOR

MIN_ROLE: Final[dict[Action, Role]] = {
    Action.SELL: Role.CASHIER,
    Action.REFUND: Role.CASHIER,
    Action.VOID: Role.CASHIER,
    Action.PRICE_OVERRIDE: Role.CASHIER,
    Action.POINTS_ADJUST: Role.CASHIER,
    Action.OPEN_SHIFT: Role.CASHIER,
    Action.CLOSE_SHIFT: Role.CASHIER,
    Action.REGISTER_MEMBER: Role.CASHIER,
    Action.SETTINGS: Role.SUPERVISOR,
}
"""The lowest role that may perform (start) each action; approval is a separate rule."""


def needs_approval(action: Action) -> bool:
    """Refunds, voids, price overrides and points adjustments need a supervisor's approval."""
    return action in APPROVAL_ACTIONS


def can_approve(role: Role, action: Action) -> bool:
    """True if ``role`` may approve ``action``. Actions that need no approval cannot be
    approved (there is nothing to approve)."""
    return needs_approval(action) and role >= APPROVER_MIN_ROLE


def may_perform(role: Role, action: Action) -> bool:
    """True if ``role`` may perform ``action`` (subject to approval where needed)."""
    return role >= MIN_ROLE[action]


def approval_required(role: Role, action: Action, *, four_eyes: bool = False) -> bool:
    """Does *this* person need someone else's :class:`Approval` before doing ``action``?

    By default a supervisor or manager acts under their own authority (the audit log names
    them as the actor); with ``four_eyes=True`` every approval action needs a second person.
    """
    if not needs_approval(action):
        return False
    return four_eyes or not can_approve(role, action)


@dataclass(frozen=True, slots=True)
class Approval:
    """A supervisor's approval of an action performed by another staff member.

    Refuses (``ValueError``): an action that needs no approval, the approver approving their
    own action, an approver whose role cannot approve, a naive time, or a blank reason.
    Checking the approver's PIN is the caller's job, before building this.
    """

    action: Action
    staff_id: StaffId
    approver_id: StaffId
    approver_role: Role
    at: datetime
    reason: str

    def __post_init__(self) -> None:
        if not needs_approval(self.action):
            raise ValueError(f"{self.action.value} does not need an approval")
        if self.approver_id == self.staff_id:
            raise ValueError("staff cannot approve their own action; ask another supervisor")
        if not can_approve(self.approver_role, self.action):
            raise ValueError(
                f"a {self.approver_role.value} cannot approve {self.action.value}; "
                "ask a supervisor or manager"
            )
        require_aware(self.at, "approval time")
        if not self.reason.strip():
            raise ValueError("an approval needs a reason")


# ---------------------------------------------------------------- PINs

PIN_MIN_DIGITS: Final = 4
PIN_MAX_DIGITS: Final = 8
PIN_RULE_MESSAGE: Final = "A PIN must be 4 to 8 digits (0-9), with nothing else."
_PIN_RE: Final = re.compile(r"[0-9]{4,8}")


def validate_pin(pin: str) -> str:
    """Return ``pin`` if it is 4-8 ASCII digits, else raise ``ValueError(PIN_RULE_MESSAGE)``.
    Never echoes the PIN in the error."""
    if not isinstance(pin, str) or not _PIN_RE.fullmatch(pin):
        raise ValueError(PIN_RULE_MESSAGE)
    return pin


class PinHasher:
    """Argon2id PIN hashes (argon2-cffi). Defaults are argon2-cffi's (RFC 9106 low-memory
    profile: t=3, 64 MiB, p=4); tests and demos pass cheaper parameters."""

    __slots__ = ("_hasher", "_params")

    def __init__(
        self,
        time_cost: int = 3,
        memory_cost: int = 65536,
        parallelism: int = 4,
        hash_len: int = 32,
        salt_len: int = 16,
    ) -> None:
        self._params = (time_cost, memory_cost, parallelism, hash_len, salt_len)
        self._hasher: PasswordHasher | None = None

    def _argon2(self) -> PasswordHasher:
        # argon2-cffi is loaded on the first PIN, not when the till starts (start-up time).
        if self._hasher is None:
            from argon2 import PasswordHasher

            time_cost, memory_cost, parallelism, hash_len, salt_len = self._params
            self._hasher = PasswordHasher(
                time_cost=time_cost,
                memory_cost=memory_cost,
                parallelism=parallelism,
                hash_len=hash_len,
                salt_len=salt_len,
            )
        return self._hasher

    def hash(self, pin: str) -> str:
        """Validate and hash a PIN (salted; two calls give different hashes)."""
        return self._argon2().hash(validate_pin(pin))

    def verify(self, pin_hash: str, pin: str) -> bool:
        """True if ``pin`` matches; False for a wrong PIN, a malformed PIN or a corrupt hash."""
        if not isinstance(pin, str) or not _PIN_RE.fullmatch(pin):
            return False
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self._argon2().verify(pin_hash, pin)
        except (VerificationError, InvalidHashError):  # VerifyMismatchError is a VerificationError
            return False

    def needs_rehash(self, pin_hash: str) -> bool:
        """True if the hash was made with other parameters; rehash after a good login."""
        from argon2.exceptions import InvalidHashError

        try:
            return self._argon2().check_needs_rehash(pin_hash)
        except (InvalidHashError, ValueError):
            return True


# ---------------------------------------------------------------- lock-out


class StaffLockedError(ValueError):
    """A locked staff member cannot sign in until unlocked (or the lock runs out)."""


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """``max_failures`` consecutive wrong PINs lock the staff member: until a manager unlocks
    (``lock_for=None``, the default) or for ``lock_for``."""

    max_failures: int = 5
    lock_for: timedelta | None = None

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if self.lock_for is not None and self.lock_for <= timedelta(0):
            raise ValueError("lock_for must be positive, or None to lock until unlocked")


@dataclass(frozen=True, slots=True)
class StaffAuthState:
    """PIN sign-in state of one staff member. Immutable: every method returns a new state.

    ``locked`` with ``locked_until=None`` means locked until a manager unlocks;
    with ``locked_until`` set the lock ends by itself at that time.
    """

    failed_attempts: int = 0
    locked: bool = False
    locked_until: datetime | None = None
    last_failure_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.failed_attempts < 0:
            raise ValueError("failed_attempts cannot be negative")
        if self.locked_until is not None:
            require_aware(self.locked_until, "locked_until")
            if not self.locked:
                raise ValueError("locked_until is only meaningful when locked")
        if self.last_failure_at is not None:
            require_aware(self.last_failure_at, "last_failure_at")

    def is_locked(self, now: datetime) -> bool:
        require_aware(now, "now")
        if not self.locked:
            return False
        return self.locked_until is None or now < self.locked_until

    def register_failure(self, now: datetime, policy: LockoutPolicy) -> StaffAuthState:
        """A wrong PIN. Locks on exactly the ``policy.max_failures``-th consecutive failure.

        While locked, a failure changes nothing (callers should not check PINs of a locked
        member at all). After a timed lock has run out the count starts again from zero.
        """
        if self.is_locked(now):
            return self
        base = self if not self.locked else StaffAuthState()
        attempts = base.failed_attempts + 1
        if attempts >= policy.max_failures:
            until = None if policy.lock_for is None else now + policy.lock_for
            return StaffAuthState(attempts, True, until, now)
        return StaffAuthState(attempts, False, None, now)

    def register_success(self, now: datetime) -> StaffAuthState:
        """A correct PIN resets the count. Refused with :class:`StaffLockedError` while locked:
        a correct PIN never unlocks (only a manager, or the timed lock running out)."""
        if self.is_locked(now):
            raise StaffLockedError("this staff member is locked; a manager must unlock")
        return StaffAuthState()

    def unlock(self) -> StaffAuthState:
        """A manager's unlock: clears the lock and the failure count. The caller checks that
        the unlocking person is a manager and records it in the audit log."""
        return replace(self, failed_attempts=0, locked=False, locked_until=None)

    def remaining_attempts(self, policy: LockoutPolicy, now: datetime) -> int:
        if self.is_locked(now):
            return 0
        used = 0 if self.locked else self.failed_attempts
        return max(policy.max_failures - used, 0)

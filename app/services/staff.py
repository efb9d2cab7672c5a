"""Staff: signing in with a PIN (lock-out after repeated failures) and supervisor approvals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.ids import StaffId, new_id
from app.domain.staff import (
    Action,
    LockoutPolicy,
    Role,
    StaffAuthState,
    can_approve,
    may_perform,
    validate_pin,
)
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.store.orm import Staff


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: StaffId
    login: str
    name: str
    role: Role


class PinRejected(Refused):
    code = "wrong_pin"

    def __init__(self, attempts_left: int) -> None:
        msg = "Wrong PIN." + (f" {attempts_left} tries left." if attempts_left else "")
        super().__init__(msg)
        self.attempts_left = attempts_left


class LockedOut(Refused):
    code = "locked_out"

    def __init__(self) -> None:
        super().__init__("This staff member is locked after too many wrong PINs; a manager must unlock.")


def _member(row: Staff) -> StaffMember:
    return StaffMember(StaffId(row.id), row.login, row.name, Role(row.role))


def _require_manager(s: Session, actor_id: StaffId | None) -> None:
    """Adding staff is a manager's job: ``actor_id`` must be an active manager, except on a
    till that has never had a manager (setting it up: the first staff are added then; a
    manager made inactive later does not open that door again)."""
    has_manager = (
        s.execute(select(Staff.id).where(Staff.role == str(Role.MANAGER)).limit(1)).first() is not None
    )
    if not has_manager:
        return
    actor = s.get(Staff, actor_id) if actor_id is not None else None
    if actor is None or not actor.active or Role(actor.role) is not Role.MANAGER:
        raise Refused("Only a manager can add a staff member.", code="not_manager")


def add_staff(
    ctx: TillContext, login: str, name: str, role: Role, pin: str, actor_id: StaffId | None = None
) -> StaffMember:
    """Add a staff member. ``actor_id`` is the signed-in manager adding them (needed once the
    till has a manager; Refused ``not_manager`` otherwise); Invalid ``bad_pin``, Refused
    ``login_taken``."""
    try:
        validate_pin(pin)
    except ValueError as exc:
        raise Invalid(str(exc), code="bad_pin") from exc
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        _require_manager(s, actor_id)
        if s.execute(select(Staff).where(Staff.login == login)).first() is not None:
            raise Refused(f"Staff login {login} is taken.", code="login_taken")
        row = Staff(
            id=new_id(),
            login=login,
            name=name,
            role=str(role),
            pin_hash=ctx.hasher.hash(pin),
            failed_attempts=0,
            locked=False,
            active=True,
        )
        s.add(row)
        append_audit(s, ctx, actor_id, None, "staff.add", str(row.id), {"role": str(role)}, now)
        uow.commit()
        return _member(row)


def _check_pin(ctx: TillContext, s: Session, row: Staff, pin: str) -> None:
    """Verify a PIN against a staff row under the lock-out policy (app.domain.staff), storing
    the new failure count; the caller commits either way."""
    now = ctx.now()
    policy = LockoutPolicy(max_failures=ctx.config.staff.max_pin_failures)
    state = StaffAuthState(failed_attempts=row.failed_attempts, locked=row.locked)
    if state.is_locked(now):
        raise LockedOut()
    if ctx.hasher.verify(row.pin_hash, pin):
        state = state.register_success(now)
        if ctx.hasher.needs_rehash(row.pin_hash):  # hashed with older Argon2 parameters
            row.pin_hash = ctx.hasher.hash(pin)
    else:
        state = state.register_failure(now, policy)
    row.failed_attempts, row.locked = state.failed_attempts, state.locked
    if state.locked:
        append_audit(
            s,
            ctx,
            StaffId(row.id),
            None,
            "staff.locked",
            str(row.id),
            {"failed_attempts": row.failed_attempts},
            now,
        )
        raise LockedOut()
    if state.failed_attempts:
        raise PinRejected(state.remaining_attempts(policy, now))


def sign_in(ctx: TillContext, login: str, pin: str) -> StaffMember:
    """Check a login and PIN. Wrong PINs are counted; the fifth in a row locks the account.
    Raises NotFound, PinRejected or LockedOut."""
    with ctx.uow() as uow:
        s = uow.session
        row = s.execute(select(Staff).where(Staff.login == login, Staff.active)).scalar_one_or_none()
        if row is None:
            raise NotFound("No staff member with this number.", code="no_staff")
        try:
            _check_pin(ctx, s, row, pin)
        finally:
            uow.commit()  # the failure count must survive the refusal
        append_audit(s, ctx, StaffId(row.id), None, "staff.sign_in", str(row.id), {}, ctx.now())
        uow.commit()
        return _member(row)


def authorize(ctx: TillContext, login: str, pin: str, action: Action) -> StaffMember:
    """A staff member proves, with their number and PIN, that they may do `action` now (e.g. a
    supervisor opening the settings). Wrong PINs count towards the lock-out as at sign-in;
    the audit log records who was let in for what. Raises NotFound, PinRejected, LockedOut,
    or Refused when the role may not do it."""
    with ctx.uow() as uow:
        s = uow.session
        row = s.execute(select(Staff).where(Staff.login == login.strip(), Staff.active)).scalar_one_or_none()
        if row is None:
            raise NotFound("No staff member with this number.", code="no_staff")
        try:
            _check_pin(ctx, s, row, pin)
        finally:
            uow.commit()
        member = _member(row)
        if not may_perform(member.role, action):
            raise Refused("This staff member may not do that.", code="cannot_approve")
        append_audit(
            s, ctx, member.id, None, "staff.authorize", str(row.id), {"action": action.value}, ctx.now()
        )
        uow.commit()
        return member


def unlock(ctx: TillContext, staff_login: str, manager_login: str, manager_pin: str) -> None:
    """A manager (active, with their PIN) unlocks a locked-out staff member. Refused
    ``not_manager`` for anyone else (an inactive manager unlocks nothing), Refused
    ``staff_inactive`` for a staff member who no longer works here."""
    with ctx.uow() as uow:
        s = uow.session
        manager = s.execute(select(Staff).where(Staff.login == manager_login)).scalar_one_or_none()
        if manager is None or not manager.active or Role(manager.role) is not Role.MANAGER:
            raise Refused("Only a manager can unlock a staff member.", code="not_manager")
        try:
            _check_pin(ctx, s, manager, manager_pin)
        except Refused:
            uow.commit()
            raise
        row = s.execute(select(Staff).where(Staff.login == staff_login)).scalar_one_or_none()
        if row is None:
            raise NotFound("No staff member with this number.", code="no_staff")
        if not row.active:
            raise Refused("This staff member is no longer active; nothing to unlock.", code="staff_inactive")
        row.locked = False
        row.failed_attempts = 0
        append_audit(s, ctx, StaffId(manager.id), None, "staff.unlock", str(row.id), {}, ctx.now())
        uow.commit()


def require_approval(
    ctx: TillContext,
    staff_id: uuid.UUID,
    approver_id: uuid.UUID | None,
    approver_pin: str | None,
    action: Action,
) -> StaffId:
    """Check that `approver_id` may approve `action` for `staff_id` and that the PIN is right.

    Runs its own transaction, before the use case's, so that a wrong PIN is counted even
    though the use case is refused (and the slow PIN hash runs outside the write lock).
    Raises Refused (or PinRejected/LockedOut) and NotFound."""
    if approver_id is None or approver_pin is None:
        raise Refused("A supervisor must approve this.", code="approval_required")
    if approver_id == staff_id:
        raise Refused("Another staff member must approve this.", code="self_approval")
    with ctx.uow() as uow:
        row = uow.session.get(Staff, approver_id)
        if row is None or not row.active:
            raise NotFound("No such supervisor.", code="no_staff")
        if not can_approve(Role(row.role), action):
            raise Refused("This staff member cannot approve that.", code="cannot_approve")
        try:
            _check_pin(ctx, uow.session, row, approver_pin)
        finally:
            uow.commit()
        return StaffId(row.id)


def staff_id_for_login(ctx: TillContext, login: str) -> StaffId:
    return find_staff(ctx, login).id


def find_staff(ctx: TillContext, login: str) -> StaffMember:
    with ctx.uow(write=False) as uow:
        row = uow.session.execute(select(Staff).where(Staff.login == login)).scalar_one_or_none()
        if row is None:
            raise NotFound("No staff member with this number.", code="no_staff")
        return _member(row)

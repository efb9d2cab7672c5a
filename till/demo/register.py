"""Writing the demo's members and coupons in bulk. Each member's rows are built by the same
builder as the `register_member` use case (`app.services.registration`): the member, the
welcome coupon and the `member.registered` event (checked as `record_event` checks it), plus
a `member.register` audit entry chained to the log; many members per transaction, because
2000 calls to `register_member` (one transaction and one fsync each, plus the member panel it
returns) take longer than a demo should."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.domain.audit import AuditRecord, next_record
from app.domain.events import check_payload
from app.domain.ids import StaffId, new_id
from app.domain.members import Consent
from app.services.context import TillContext
from app.services.outbox import SCHEMA_VERSION
from app.services.registration import NewMember, RegistrationRows, coupon_row, registration_rows
from app.store import orm
from till.demo.plan import CouponPlan, PlannedMember


def _last_audit(s: Session) -> AuditRecord | None:
    last = s.execute(select(orm.AuditRow).order_by(orm.AuditRow.seq.desc()).limit(1)).scalar_one_or_none()
    if last is None:
        return None
    return AuditRecord(
        seq=last.seq,
        id=last.id,
        at=last.at,
        terminal_id=last.terminal_id,
        actor_id=last.actor_id,
        approver_id=last.approver_id,
        action=last.action,
        subject=last.subject,
        details=last.details,
        prev_hash=last.prev_hash,
        hash=last.hash,
    )


def _rows(ctx: TillContext, m: PlannedMember) -> RegistrationRows:
    program = ctx.program_at(m.registered_at)
    new = NewMember(
        member_id=m.id,
        phone=m.phone,
        card_no=m.card_no,
        consent=Consent(program.consent_policy_version, m.registered_at, m.marketing),
        registered_at=m.registered_at,
        store_id=ctx.store_id,
        name=m.name,
        birthday=m.birthday,
        family=m.family,
        favourite_categories=m.favourites,
    )
    welcome = program.welcome_coupon.terms(m.registered_at) if program.welcome_coupon.issued else None
    rows = registration_rows(new, welcome, m.welcome_code)
    check_payload(RegistrationRows.EVENT_TYPE, rows.event)
    return rows


def register_batch(ctx: TillContext, batch: Sequence[PlannedMember], staff: dict[str, StaffId]) -> None:
    """Write what `register_member` writes for each member of `batch`, in one transaction."""
    terminal = ctx.terminal_id
    members: list[dict[str, Any]] = []
    coupons: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    with ctx.uow() as uow:
        s = uow.session
        prev = _last_audit(s)
        counter_name = f"outbox:{terminal}"
        stored_seq = s.execute(
            select(orm.Counter.value).where(orm.Counter.name == counter_name)
        ).scalar_one_or_none()
        seq = stored_seq or 0
        for m in batch:
            rows = _rows(ctx, m)
            members.append(rows.member)
            if rows.coupon is not None:
                coupons.append(rows.coupon)
            prev = next_record(
                prev,
                id=new_id(),
                at=m.registered_at,
                terminal_id=terminal,
                actor_id=staff[m.staff_login],
                approver_id=None,
                action=RegistrationRows.AUDIT_ACTION,
                subject=str(m.id),
                details={},
            )
            audit.append(
                {
                    k: getattr(prev, k)
                    for k in (
                        "seq",
                        "id",
                        "at",
                        "terminal_id",
                        "actor_id",
                        "approver_id",
                        "action",
                        "subject",
                        "details",
                        "prev_hash",
                        "hash",
                    )
                }
            )
            seq += 1
            outbox.append(
                {
                    "id": new_id(),
                    "terminal_id": terminal,
                    "seq": seq,
                    "type": RegistrationRows.EVENT_TYPE,
                    "schema_version": SCHEMA_VERSION,
                    "created_at": m.registered_at,
                    "sent_at": None,
                    "result": None,
                    "payload": rows.event,
                }
            )
        s.execute(insert(orm.Member), members)
        if coupons:
            s.execute(insert(orm.Coupon), coupons)
        s.execute(insert(orm.AuditRow), audit)
        s.execute(insert(orm.OutboxEvent), outbox)
        if stored_seq is not None:
            s.execute(update(orm.Counter).where(orm.Counter.name == counter_name).values(value=seq))
        else:
            s.execute(insert(orm.Counter), [{"name": counter_name, "value": seq}])
        uow.commit()


def issue_coupons(ctx: TillContext, plan: CouponPlan) -> None:
    """A campaign's coupons, as the server's sync would write them."""
    with ctx.uow() as uow:
        rows = [coupon_row(at=plan.at, **r) for r in plan.rows]
        if rows:
            uow.session.execute(insert(orm.Coupon), rows)
        uow.commit()

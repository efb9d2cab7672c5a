"""Registering and identifying members, and manual points adjustments, on a real store."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from typing import Any

import pytest

from app.domain.codes import DEFAULT_LEEWAY, SigningKey, issue_member_code
from app.domain.ids import MemberId, new_id
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.services.members import (
    ConsentRequired,
    DuplicatePhone,
    RegisterMember,
    identify,
    member_code,
    register_member,
)
from app.services.points import AdjustPoints, adjust_points
from app.services.staff import PinRejected
from app.store import orm
from tests.conftest import FrozenClock
from tests.integration.conftest import outbox_types, points_sum, register, uuid_hex

PHONE = "138 0013 8000"
E164 = "+8613800138000"


def _count(raw: sqlite3.Connection, table: str) -> int:
    return int(raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


# ------------------------------------------------------------------------------ register


def test_register_stores_the_member_coupon_audit_and_event(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection, clock: FrozenClock
) -> None:
    reg = register(till, staff, PHONE, name="Chen Jing", birthday=date(1990, 11, 3), marketing_opt_in=True)
    mid = uuid_hex(reg.member.id)

    row = raw.execute("SELECT * FROM members WHERE id = ?", (mid,)).fetchone()
    assert row["phone"] == E164
    assert row["consent_policy_version"] == till.config.loyalty.consent_policy_version
    assert row["marketing_opt_in"] == 1
    assert row["store_id"] == till.store_id
    assert reg.member.masked_phone == "138****8000"
    assert reg.member.tier == "basic"
    assert reg.member.points_balance == 0

    # The welcome coupon, as configured, belongs to the new member and is offered on the view.
    welcome = till.program_at(clock.at).welcome_coupon
    coupon = raw.execute("SELECT * FROM coupons WHERE code = ?", (reg.welcome_coupon,)).fetchone()
    assert coupon["member_id"] == mid
    assert coupon["amount"] == welcome.amount_fen
    assert coupon["threshold"] == welcome.threshold_fen
    assert coupon["status"] == "issued"
    assert [c.code for c in reg.member.coupons] == [reg.welcome_coupon]
    assert reg.member.coupons[0].valid_to == clock.at + timedelta(days=welcome.valid_days)

    # Audit entry (no phone, no name in it) and outbox event, in the same transaction.
    audit = raw.execute("SELECT * FROM audit_log WHERE action = 'member.register'").fetchall()
    assert len(audit) == 1
    assert audit[0]["subject"] == str(reg.member.id)
    assert uuid_hex(staff["cashier"].id) == audit[0]["actor_id"]
    assert "13800138000" not in audit[0]["details"] and "Chen" not in audit[0]["details"]

    events = raw.execute("SELECT * FROM outbox WHERE type = 'member.registered'").fetchall()
    assert len(events) == 1
    payload = json.loads(events[0]["payload"])
    assert payload["member_id"] == str(reg.member.id)
    assert payload["phone"] == E164
    assert payload["welcome_coupon"] == reg.welcome_coupon
    assert payload["consent"]["marketing_opt_in"] is True
    assert events[0]["schema_version"] >= 1
    assert events[0]["seq"] >= 1
    assert events[0]["sent_at"] is None


def test_no_consent_no_member(till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection) -> None:
    with pytest.raises(ConsentRequired):
        register_member(till, RegisterMember(phone=PHONE, consent_given=False, staff_id=staff["cashier"].id))
    assert _count(raw, "members") == 0
    assert _count(raw, "coupons") == 0
    assert _count(raw, "outbox") == 0


def test_invalid_phone_is_refused(till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection) -> None:
    with pytest.raises(Invalid):
        register(till, staff, "12345")
    assert _count(raw, "members") == 0


def test_duplicate_phone_is_refused_with_the_existing_member_offered(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    first = register(till, staff, PHONE)
    events_before = _count(raw, "outbox")
    with pytest.raises(DuplicatePhone) as exc:
        register(till, staff, "+86 138-0013-8000")  # the same number, typed differently
    assert exc.value.existing.id == first.member.id
    assert exc.value.existing.card_no == first.member.card_no
    assert exc.value.code == "duplicate_phone"
    assert _count(raw, "members") == 1
    assert _count(raw, "coupons") == 1
    assert _count(raw, "outbox") == events_before


def test_registration_retried_with_the_same_member_id_is_stored_once(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    mid = MemberId(new_id())
    a = register(till, staff, PHONE, member_id=mid)
    b = register(till, staff, PHONE, member_id=mid)
    assert a.member.id == b.member.id == mid
    assert b.welcome_coupon is None  # the retry issues nothing new
    assert _count(raw, "members") == 1
    assert _count(raw, "coupons") == 1
    assert outbox_types(raw) == ["member.registered"]


def test_two_members_get_distinct_valid_card_numbers(till: TillContext, staff: dict[str, Any]) -> None:
    from app.domain.members import is_valid_card_number

    a = register(till, staff, "13800138000")
    b = register(till, staff, "13900139000")
    assert a.member.card_no != b.member.card_no
    assert is_valid_card_number(a.member.card_no) and is_valid_card_number(b.member.card_no)


def test_registration_works_with_the_welcome_coupon_switched_off(tmp_path: Any, clock: FrozenClock) -> None:
    from app.services.context import open_till
    from app.services.staff import add_staff
    from tests.conftest import FAST_HASHER

    home = tmp_path / "h"
    home.mkdir()
    (home / "program.json").write_text('{"welcome_coupon": {"amount_fen": 0}}', encoding="utf-8")
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        from app.domain.staff import Role

        cashier = add_staff(ctx, "1001", "Li", Role.CASHIER, "1234")
        reg = register_member(ctx, RegisterMember(phone=PHONE, consent_given=True, staff_id=cashier.id))
        assert reg.welcome_coupon is None
        assert reg.member.coupons == ()
    finally:
        ctx.close()


# ------------------------------------------------------------------------------ identify


@pytest.mark.parametrize(
    "typed", ["13800138000", "138 0013 8000", "+86 138 0013 8000", "0086-138-0013-8000", " 138.0013.8000 "]
)
def test_identify_by_phone_in_any_format(till: TillContext, staff: dict[str, Any], typed: str) -> None:
    reg = register(till, staff, PHONE)
    assert identify(till, typed).id == reg.member.id


def test_identify_by_card_number(till: TillContext, staff: dict[str, Any]) -> None:
    reg = register(till, staff, PHONE)
    register(till, staff, "13900139000")
    view = identify(till, reg.member.card_no)
    assert view.id == reg.member.id
    assert view.masked_phone == "138****8000"


def test_identify_by_static_and_dynamic_member_code(
    till: TillContext, staff: dict[str, Any], clock: FrozenClock
) -> None:
    reg = register(till, staff, PHONE)
    assert identify(till, reg.member_code).id == reg.member.id
    dynamic = member_code(till, reg.member.id)
    assert dynamic != reg.member_code
    assert identify(till, dynamic).id == reg.member.id
    # Still good within the time to live (and the leeway for clock drift)...
    clock.advance(seconds=till.program_at(clock.at).member_code_ttl_s)
    assert identify(till, dynamic).id == reg.member.id
    # ...the static code keeps working; the dynamic one expires once both have passed.
    clock.advance(seconds=DEFAULT_LEEWAY.total_seconds() + 1)
    assert identify(till, reg.member_code).id == reg.member.id
    with pytest.raises(Refused) as exc:
        identify(till, dynamic)
    assert exc.value.code == "code_expired"


def test_a_code_signed_by_an_unknown_key_is_refused(
    till: TillContext, staff: dict[str, Any], clock: FrozenClock
) -> None:
    reg = register(till, staff, PHONE)
    stranger = SigningKey.generate("S999.T99.abcdef")
    code = issue_member_code(reg.member.id, stranger, clock.at, ttl=None)
    with pytest.raises(Refused) as exc:
        identify(till, code)
    assert exc.value.code == "code_unknown_key"


def test_a_tampered_code_is_refused(till: TillContext, staff: dict[str, Any]) -> None:
    reg = register(till, staff, PHONE)
    body, sig = reg.member_code.rsplit(".", 1)
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    with pytest.raises(Refused) as exc:
        identify(till, f"{body}.{flipped}")
    assert exc.value.code in {"code_bad_signature", "code_malformed"}


def test_a_revoked_member_code_is_refused(
    till: TillContext, staff: dict[str, Any], clock: FrozenClock
) -> None:
    reg = register(till, staff, PHONE)
    with till.uow() as uow:
        uow.session.add(orm.Revocation(kind="member", value=str(reg.member.id), at=clock.at))
        uow.commit()
    with pytest.raises(Refused) as exc:
        identify(till, reg.member_code)
    assert exc.value.code == "code_revoked"
    assert identify(till, PHONE).id == reg.member.id  # the phone still finds the member


def test_identify_unknown_and_malformed(till: TillContext, staff: dict[str, Any]) -> None:
    register(till, staff, PHONE)
    with pytest.raises(NotFound):
        identify(till, "13900139000")
    with pytest.raises(Invalid):
        identify(till, "   ")
    with pytest.raises(Invalid):
        identify(till, "hello")


def test_identify_follows_a_merge_alias(till: TillContext, staff: dict[str, Any], clock: FrozenClock) -> None:
    survivor = register(till, staff, PHONE)
    merged = register(till, staff, "13900139000")
    with till.uow() as uow:
        row = uow.session.get_one(orm.Member, merged.member.id)
        row.merged_into = survivor.member.id
        uow.commit()
    assert identify(till, merged.member_code).id == survivor.member.id


# ------------------------------------------------------------------------------ adjust points


def test_points_adjustment_needs_a_supervisor_and_records_both_ids(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    reg = register(till, staff, PHONE)
    cashier, supervisor = staff["cashier"], staff["supervisor"]
    balance = adjust_points(
        till, AdjustPoints(reg.member.id, 500, "complaint 42", cashier.id, supervisor.id, "5678")
    )
    assert balance == 500
    balance = adjust_points(
        till, AdjustPoints(reg.member.id, -120, "typo", cashier.id, supervisor.id, "5678")
    )
    assert balance == 380
    assert points_sum(raw, reg.member.id) == 380
    assert identify(till, PHONE).points_balance == 380
    kinds = [r[0] for r in raw.execute("SELECT kind FROM ledger_entries ORDER BY at, id")]
    assert kinds == ["adjust", "adjust"]

    audits = raw.execute("SELECT * FROM audit_log WHERE action = 'points.adjust' ORDER BY seq").fetchall()
    assert len(audits) == 2
    for a in audits:
        assert a["actor_id"] == uuid_hex(cashier.id)
        assert a["approver_id"] == uuid_hex(supervisor.id)
    events = [
        json.loads(r[0])
        for r in raw.execute("SELECT payload FROM outbox WHERE type = 'points.adjusted' ORDER BY seq")
    ]
    assert [e["points"] for e in events] == [500, -120]
    assert all(e["approver_id"] == str(supervisor.id) for e in events)


@pytest.mark.parametrize(
    ("approver", "pin", "code"),
    [
        (None, None, "approval_required"),
        ("cashier", "1234", "self_approval"),
        ("supervisor", "0000", "wrong_pin"),
    ],
)
def test_points_adjustment_without_valid_approval_changes_nothing(
    till: TillContext,
    staff: dict[str, Any],
    raw: sqlite3.Connection,
    approver: str | None,
    pin: str | None,
    code: str,
) -> None:
    reg = register(till, staff, PHONE)
    events = _count(raw, "outbox")
    approver_id = staff[approver].id if approver else None
    with pytest.raises(Refused) as exc:
        adjust_points(
            till, AdjustPoints(reg.member.id, 500, "why not", staff["cashier"].id, approver_id, pin)
        )
    assert exc.value.code == code
    assert _count(raw, "ledger_entries") == 0
    assert _count(raw, "outbox") == events


def test_a_cashier_cannot_approve_a_points_adjustment(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection
) -> None:
    from app.domain.staff import Role
    from app.services.staff import add_staff

    reg = register(till, staff, PHONE)
    other = add_staff(till, "1002", "Sun Li", Role.CASHIER, "4321", actor_id=staff["manager"].id)
    with pytest.raises(Refused) as exc:
        adjust_points(till, AdjustPoints(reg.member.id, 500, "x", staff["cashier"].id, other.id, "4321"))
    assert exc.value.code == "cannot_approve"
    assert _count(raw, "ledger_entries") == 0


def test_points_adjustment_rules(till: TillContext, staff: dict[str, Any]) -> None:
    reg = register(till, staff, PHONE)
    sup = staff["supervisor"]
    with pytest.raises(Invalid):
        adjust_points(till, AdjustPoints(reg.member.id, 10, "  ", staff["cashier"].id, sup.id, "5678"))
    with pytest.raises(Invalid):
        adjust_points(till, AdjustPoints(reg.member.id, 0, "zero", staff["cashier"].id, sup.id, "5678"))
    with pytest.raises(NotFound):
        adjust_points(till, AdjustPoints(MemberId(new_id()), 10, "who", staff["cashier"].id, sup.id, "5678"))


def test_wrong_approver_pin_counts_towards_lock_out(till: TillContext, staff: dict[str, Any]) -> None:
    reg = register(till, staff, PHONE)
    with pytest.raises(PinRejected) as exc:
        adjust_points(
            till, AdjustPoints(reg.member.id, 10, "x", staff["cashier"].id, staff["supervisor"].id, "0000")
        )
    assert exc.value.attempts_left == till.config.staff.max_pin_failures - 1
    with till.uow(write=False) as uow:
        assert uow.session.get_one(orm.Staff, staff["supervisor"].id).failed_attempts == 1


# ------------------------------------------------------------------------------ expiry


def test_points_expire_at_the_end_of_the_next_calendar_year(
    till: TillContext, staff: dict[str, Any], raw: sqlite3.Connection, clock: FrozenClock
) -> None:
    from datetime import UTC, datetime

    from app.services.points import expire_due

    reg = register(till, staff, PHONE)
    adjust_points(
        till,
        AdjustPoints(reg.member.id, 500, "goodwill", staff["cashier"].id, staff["supervisor"].id, "5678"),
    )
    # Earned on 2026-11-22 in Shanghai: they expire at the end of 2027, Shanghai time.
    expiry = datetime(2027, 12, 31, 16, 0, tzinfo=UTC)
    clock.at = datetime(2027, 11, 15, tzinfo=UTC)  # within 60 days of the expiry
    view = identify(till, PHONE)
    assert (view.points_balance, view.expiring_soon) == (500, 500)
    assert expire_due(till) == 0  # nothing is due yet

    clock.at = expiry + timedelta(days=1)
    assert identify(till, PHONE).points_balance == 0  # the view counts due expiries at once
    events = _count(raw, "outbox")
    assert expire_due(till) == 500
    rows = raw.execute("SELECT points FROM ledger_entries WHERE kind = 'expire'").fetchall()
    assert [r[0] for r in rows] == [-500]
    assert points_sum(raw, reg.member.id) == 0
    assert outbox_types(raw)[events:] == ["points.expired"]
    assert expire_due(till) == 0  # written once
    assert _count(raw, "outbox") == events + 1


def test_adjustment_returns_the_balance_the_member_view_shows(
    till: TillContext, staff: dict[str, Any], clock: FrozenClock
) -> None:
    from datetime import UTC, datetime

    reg = register(till, staff, PHONE)
    cmd = AdjustPoints(reg.member.id, 500, "goodwill", staff["cashier"].id, staff["supervisor"].id, "5678")
    adjust_points(till, cmd)
    clock.at = datetime(2028, 1, 2, tzinfo=UTC)  # the 500 expired at the end of 2027
    balance = adjust_points(
        till, AdjustPoints(reg.member.id, 100, "another", staff["cashier"].id, staff["supervisor"].id, "5678")
    )
    assert balance == identify(till, PHONE).points_balance == 100

"""The demo store: seeded into a temporary home, checked through the real store and services."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.domain.ids import MemberId
from app.domain.members import normalize_phone
from app.domain.points import expiry_for
from app.services.audit import verify_audit
from app.services.context import TillContext, open_till
from app.services.members import member_view
from app.store import orm
from tests.conftest import FAST_HASHER, FrozenClock
from till.demo import (
    DEMO_STAFF,
    SeedSummary,
    StoreNotEmpty,
    catalogue,
    ean13_check_digit,
    is_valid_ean13,
    seed_demo,
    store_is_empty,
)

NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)
MEMBERS, SALES = 60, 30


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TillContext, SeedSummary]]:
    home = tmp_path_factory.mktemp("demo") / "home"
    ctx = open_till(home, clock=FrozenClock(NOW), hasher=FAST_HASHER)
    summary = seed_demo(ctx, members=MEMBERS, sales=SALES, seed=7)
    yield ctx, summary
    ctx.close()


def test_ean13_check_digit_known_codes() -> None:
    assert ean13_check_digit("690123456789") == 2  # 6901234567892, a textbook example
    assert is_valid_ean13("6901234567892")
    assert not is_valid_ean13("6901234567893")
    assert not is_valid_ean13("690123456789")


def test_products_have_valid_unique_chinese_barcodes(seeded: tuple[TillContext, SeedSummary]) -> None:
    ctx, summary = seeded
    with ctx.db.read_sessions() as s:  # closed without a rollback: rows stay loaded
        products = s.execute(select(orm.Product)).scalars().all()
    assert len(products) == summary.products == sum(len(c.products) for c in catalogue().categories)
    assert len(products) >= 280
    skus = [p.sku for p in products]
    assert len(set(skus)) == len(skus)
    for p in products:
        assert is_valid_ean13(p.sku), p.sku
        assert 690 <= int(p.sku[:3]) <= 699
        assert p.unit_price > 0 and p.name_zh and p.name_en and p.active
        if p.member_price is not None:
            assert 0 < p.member_price < p.unit_price
    assert {p.category for p in products} == set(catalogue().ids)
    assert sum(p.member_price is not None for p in products) > 50


def test_promotions_staff_and_members(seeded: tuple[TillContext, SeedSummary]) -> None:
    ctx, summary = seeded
    with ctx.db.read_sessions() as s:
        promos = s.execute(select(orm.Promotion)).scalars().all()
        staff = {r.login: r for r in s.execute(select(orm.Staff)).scalars()}
        members = s.execute(select(orm.Member)).scalars().all()
        registered = (
            s.execute(select(orm.AuditRow.subject).where(orm.AuditRow.action == "member.register"))
            .scalars()
            .all()
        )
        events = (
            s.execute(select(orm.OutboxEvent.payload).where(orm.OutboxEvent.type == "member.registered"))
            .scalars()
            .all()
        )
        welcome = (
            s.execute(select(orm.Coupon.member_id).where(orm.Coupon.issued_reason == "welcome"))
            .scalars()
            .all()
        )
        seqs = s.execute(select(orm.OutboxEvent.seq).order_by(orm.OutboxEvent.seq)).scalars().all()
        counter = s.get_one(orm.Counter, f"outbox:{ctx.terminal_id}").value
    assert len(promos) == summary.promotions >= 8
    assert {p.kind for p in promos} == {"points_multiplier", "birthday_multiplier"}
    assert any(p.skus for p in promos) and any(p.categories for p in promos)

    for login, _name, role, pin in DEMO_STAFF:
        assert staff[login].role == str(role)
        assert staff[login].pin_hash.startswith("$argon2")
        assert ctx.hasher.verify(staff[login].pin_hash, pin)

    assert len(members) == MEMBERS
    phones = [m.phone for m in members]
    assert len(set(phones)) == len(phones)
    assert all(normalize_phone(p) == p and p.startswith("+861") for p in phones)
    assert len({m.card_no for m in members}) == MEMBERS
    assert all(m.consent_policy_version and m.consent_at == m.registered_at for m in members)
    assert min(m.registered_at for m in members) > NOW.replace(year=NOW.year - 2)
    # What register_member writes, for every member: audit entry, outbox event, welcome coupon.
    ids = {str(m.id) for m in members}
    assert set(registered) == ids
    assert {e["member_id"] for e in events} == ids
    assert {str(w) for w in welcome} == ids
    assert seqs == list(range(1, len(seqs) + 1)) and counter == len(seqs)


def test_members_reach_several_tiers(seeded: tuple[TillContext, SeedSummary]) -> None:
    ctx, summary = seeded
    with ctx.uow(write=False) as uow:
        ids = uow.session.execute(select(orm.Member.id)).scalars().all()
    tiers = Counter(member_view(ctx, MemberId(i)).tier for i in ids)
    assert len(tiers) >= 3, tiers
    assert {"basic", "silver", "gold", "black"} <= set(tiers)
    assert dict(tiers) == {k: v for k, v in summary.members_by_tier.items() if v}


def test_every_sale_adds_up(seeded: tuple[TillContext, SeedSummary]) -> None:
    ctx, summary = seeded
    with ctx.db.read_sessions() as s:
        sales = s.execute(select(orm.Sale)).scalars().all()
        lines: dict[object, list[orm.SaleLine]] = {}
        for ln in s.execute(select(orm.SaleLine)).scalars():
            lines.setdefault(ln.sale_id, []).append(ln)
        paid = dict(
            s.execute(
                select(orm.Payment.sale_id, func.sum(orm.Payment.amount)).group_by(orm.Payment.sale_id)
            ).all()
        )
        earned = dict(
            s.execute(
                select(orm.LedgerEntry.sale_id, func.sum(orm.LedgerEntry.points))
                .where(orm.LedgerEntry.kind == "earn")
                .group_by(orm.LedgerEntry.sale_id)
            ).all()
        )
        earn_rows = s.execute(select(orm.LedgerEntry).where(orm.LedgerEntry.kind == "earn")).scalars().all()
        redemptions = s.execute(select(func.count()).select_from(orm.CouponRedemption)).scalar_one()
        refunds = s.execute(select(func.count()).select_from(orm.Refund)).scalar_one()
    assert len(sales) == summary.sales == SALES
    for sale in sales:
        ls = lines[sale.id]
        assert sum(x.list_total for x in ls) == sale.subtotal
        assert sum(x.line_total for x in ls) == sale.subtotal - sale.member_savings
        assert sum(x.coupon_discount for x in ls) == sale.coupon_discount
        assert sum(x.points_discount for x in ls) == sale.points_value
        assert sum(x.points_redeemed for x in ls) == sale.points_redeemed
        assert sum(x.net for x in ls) == sale.total_due
        assert sum(x.points_earned for x in ls) == sale.points_earned
        assert paid.get(sale.id, 0) == sale.paid and sale.paid - sale.change_due == sale.total_due
        assert earned.get(sale.id, 0) == sale.points_earned
        assert sale.at < NOW
    tz = ctx.tz
    assert all(r.expires_at == expiry_for(r.at, tz) for r in earn_rows)
    assert redemptions > 0 and refunds == summary.refunds > 0


def test_coupons_of_every_kind(seeded: tuple[TillContext, SeedSummary]) -> None:
    ctx, _ = seeded
    with ctx.db.read_sessions() as s:
        rows = s.execute(select(orm.Coupon)).scalars().all()
    kinds = {c.kind for c in rows}
    assert kinds == {"amount_off", "percent_off", "free_gift", "points_multiplier"}
    assert any(c.member_id is None for c in rows) and any(c.member_id for c in rows)
    assert any(c.kind == "percent_off" and c.cap for c in rows)
    assert any(c.categories for c in rows)
    assert any(c.status == "redeemed" for c in rows)


def test_audit_log_verifies(seeded: tuple[TillContext, SeedSummary]) -> None:
    ctx, summary = seeded
    report = verify_audit(ctx)
    assert report.ok, report.problems
    assert report.entries == summary.audit_entries
    with ctx.uow(write=False) as uow:
        times = uow.session.execute(select(orm.AuditRow.at).order_by(orm.AuditRow.seq)).scalars().all()
    assert times == sorted(times)  # written in the order things happened


def test_describe_names_pins_and_no_member(seeded: tuple[TillContext, SeedSummary]) -> None:
    ctx, summary = seeded
    text = summary.describe()
    for login, _name, _role, pin in DEMO_STAFF:
        assert re.search(rf"{login}\s+{pin}", text)
    assert not re.search(r"1[3-9]\d{9}", text)  # no full phone number
    with ctx.uow(write=False) as uow:
        names = [n for n in uow.session.execute(select(orm.Member.name)).scalars() if n]
    assert not any(n in text for n in names)


def test_seeding_twice_is_refused(seeded: tuple[TillContext, SeedSummary]) -> None:
    ctx, summary = seeded
    assert not store_is_empty(ctx)
    with pytest.raises(StoreNotEmpty):
        seed_demo(ctx, members=5, sales=5)
    with ctx.uow(write=False) as uow:
        count = uow.session.execute(select(func.count()).select_from(orm.Product)).scalar_one()
    assert count == summary.products


def test_same_seed_same_store(tmp_path: Path) -> None:
    def shape(home: Path) -> tuple[object, ...]:
        ctx = open_till(home, clock=FrozenClock(NOW), hasher=FAST_HASHER)
        try:
            assert store_is_empty(ctx)
            seed_demo(ctx, members=15, sales=8, seed=11)
            with ctx.uow(write=False) as uow:
                s = uow.session
                phones = sorted(s.execute(select(orm.Member.phone)).scalars())
                totals = s.execute(
                    select(orm.Sale.at, orm.Sale.total_due, orm.Sale.points_earned).order_by(orm.Sale.at)
                ).all()
                skus = sorted(s.execute(select(orm.Product.sku)).scalars())
            return phones, totals, skus
        finally:
            ctx.close()

    assert shape(tmp_path / "a") == shape(tmp_path / "b")


def _shape(value: object) -> object:
    """A JSON value's shape: the keys of objects (recursively) and the types of the rest."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def test_demo_registrations_write_what_the_use_case_writes(
    seeded: tuple[TillContext, SeedSummary], tmp_path: Path
) -> None:
    """The demo's bulk registration and `register_member` build their rows in one place: the
    `member.registered` events (welcome coupon terms included) and the member and welcome
    coupon rows have the same shape."""
    from app.domain.staff import Role
    from app.services.members import RegisterMember, register_member
    from app.services.staff import add_staff

    demo, _ = seeded
    ctx = open_till(tmp_path / "one", clock=FrozenClock(NOW), hasher=FAST_HASHER)
    try:
        cashier = add_staff(ctx, "1001", "Li Na", Role.CASHIER, "1234")
        register_member(
            ctx,
            RegisterMember(
                phone="13900139555",
                consent_given=True,
                staff_id=cashier.id,
                name="Chen",
                birthday=date(1990, 4, 1),
                family="单身",
                favourite_categories=("dairy",),
            ),
        )

        def registered(c: TillContext) -> list[tuple[object, object, object]]:
            with c.uow(write=False) as uow:
                s = uow.session
                out = []
                for e in s.execute(
                    select(orm.OutboxEvent).where(orm.OutboxEvent.type == "member.registered")
                ).scalars():
                    member = s.get_one(orm.Member, uuid.UUID(e.payload["member_id"]))
                    coupon = s.execute(
                        select(orm.Coupon).where(orm.Coupon.code == e.payload["welcome_coupon"])
                    ).scalar_one()
                    out.append((e.payload, _row(member), _row(coupon)))
                return out

        [(event, member, coupon)] = registered(ctx)
        demo_rows = [
            r
            for r in registered(demo)
            if r[0]["name"] and r[0]["birthday"] and r[0]["family"] and r[0]["favourite_categories"]
        ]
    finally:
        ctx.close()
    assert demo_rows, "the demo registers members with every field filled in"
    assert event["welcome_coupon_terms"] is not None
    for demo_event, demo_member, demo_coupon in demo_rows[:20]:
        assert _shape(demo_event) == _shape(event)
        assert _shape(demo_member) == _shape(member) and _shape(demo_coupon) == _shape(coupon)
        assert datetime.fromisoformat(
            demo_event["welcome_coupon_terms"]["valid_from"]
        ) == datetime.fromisoformat(demo_event["registered_at"])


# Columns that change after registration (the demo's members have shopped since).
_LATER = ("id", "last_purchase_at", "tier", "status", "redeemed_sale_id")


def _row(row: object) -> dict[str, object]:
    table = type(row).__table__  # type: ignore[attr-defined]
    return {c.key: getattr(row, c.key) for c in table.columns if c.key not in _LATER}

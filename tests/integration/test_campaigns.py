from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.domain.ids import MemberId, new_id
from app.services.campaigns import compensate, run_campaigns
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.members import RegisterMember, member_view, register_member
from app.store import orm


def _sale(till, cashier, member_id, sku="6902345678901", qty=1):  # type: ignore[no-untyped-def]
    cart = Cart((CartLine(sku, qty),), member_id=member_id)
    return complete_sale(till, CompleteSale(new_id(), cashier.id, cart, (Tender("cash", 100_000),)))


def _reasons(till, member_id):  # type: ignore[no-untyped-def]
    with till.uow(write=False) as uow:
        return sorted(
            uow.session.execute(
                select(orm.Coupon.issued_reason).where(orm.Coupon.member_id == member_id)
            ).scalars()
        )


def test_birthday_wakeup_frequency_and_cross_sell_are_issued_once(till, clock, staff, products) -> None:  # type: ignore[no-untyped-def]
    cashier = staff["cashier"]
    # Local date on the frozen clock is 2026-11-22 (Asia/Shanghai).
    bday = register_member(
        till,
        RegisterMember(
            phone="13800138001", consent_given=True, staff_id=cashier.id, birthday=date(1990, 11, 3)
        ),
    )
    other = register_member(
        till,
        RegisterMember(
            phone="13800138002", consent_given=True, staff_id=cashier.id, birthday=date(1990, 5, 3)
        ),
    )
    clock.advance(days=31)  # both now dormant (never bought), and it is December: no birthday
    first = run_campaigns(till)
    assert first.wakeup == 2 and first.birthday == 0
    assert run_campaigns(till).total == 0  # idempotent

    # Three visits in a week → double points; red wine bought? no: "meat" triggers wine coupon.
    with till.uow() as uow:
        uow.session.add(
            orm.Product(
                id=new_id(),
                sku="6905678901234",
                name_zh="牛排",
                name_en="Steak",
                category="meat",
                unit_price=8800,
                member_price=None,
                active=True,
            )
        )
        uow.commit()
    for _ in range(3):
        _sale(till, cashier, other.member.id)
    _sale(till, cashier, bday.member.id, sku="6905678901234")
    run = run_campaigns(till)
    assert run.frequent == 1 and run.cross_sell == 1
    assert any(r.startswith("frequent:") for r in _reasons(till, other.member.id))
    assert any(r.startswith("cross:") for r in _reasons(till, bday.member.id))
    assert run_campaigns(till).total == 0


def test_birthday_coupon_in_the_birthday_month(till, staff) -> None:  # type: ignore[no-untyped-def]
    m = register_member(
        till,
        RegisterMember(
            phone="13800138003", consent_given=True, staff_id=staff["cashier"].id, birthday=date(1988, 11, 30)
        ),
    )
    assert run_campaigns(till).birthday == 1
    assert "birthday:2026" in _reasons(till, m.member.id)
    assert run_campaigns(till).birthday == 0


def test_compensation_gives_points_and_a_coupon_once_per_ticket(till, staff) -> None:  # type: ignore[no-untyped-def]
    m = register_member(
        till, RegisterMember(phone="13800138004", consent_given=True, staff_id=staff["cashier"].id)
    )
    mid = MemberId(m.member.id)
    compensate(till, mid, "T-42", amount=1500, points=300)
    compensate(till, mid, "T-42", amount=1500, points=300)
    view = member_view(till, mid)
    assert view.points_balance == 300
    assert _reasons(till, mid).count("compensation:T-42") == 1

from __future__ import annotations

from app.domain.ids import MemberId, new_id
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.members import RegisterMember, identify, member_code, member_view, register_member
from app.services.merges import apply_merge


def test_merge_moves_points_and_coupons_and_the_alias_still_resolves(till, staff, products) -> None:  # type: ignore[no-untyped-def]
    cashier = staff["cashier"]
    a = register_member(till, RegisterMember(phone="13800138000", consent_given=True, staff_id=cashier.id))
    b = register_member(till, RegisterMember(phone="13900139000", consent_given=True, staff_id=cashier.id))
    sale = CompleteSale(
        new_id(),
        cashier.id,
        Cart((CartLine("6903456789012", 2),), member_id=b.member.id),
        (Tender("card", 9180),),
    )
    done = complete_sale(till, sale)
    assert done.points_earned > 0
    old_code = member_code(till, b.member.id)

    apply_merge(till, MemberId(a.member.id), MemberId(b.member.id))
    apply_merge(till, MemberId(a.member.id), MemberId(b.member.id))  # idempotent

    survivor = member_view(till, a.member.id)
    assert survivor.points_balance == done.points_earned
    # Both welcome coupons now belong to the survivor.
    assert {c.code for c in survivor.coupons} == {a.welcome_coupon, b.welcome_coupon}
    # The merged member's code and id still find the survivor.
    assert identify(till, old_code).id == a.member.id
    assert member_view(till, b.member.id).id == a.member.id

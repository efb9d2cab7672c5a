"""A member's purchase history at this till: newest first, with lines, refunds and the sales
of an id merged into the member; limited; an unknown id refused."""

from __future__ import annotations

import pytest

from app.domain.ids import MemberId, new_id
from app.services.errors import NotFound
from app.services.history import MAX_VISITS, member_history
from tests.integration.conftest import MILK, RICE, YOGURT, register, sell


def test_history_newest_first_with_lines(till, staff, products, clock) -> None:  # type: ignore[no-untyped-def]
    member = register(till, staff).member
    other = register(till, staff, phone="139 0013 9000").member
    first = sell(till, staff, ((MILK, 2),), member_id=member.id)
    clock.advance(hours=3)
    second = sell(till, staff, ((RICE, 1), (YOGURT, 3)), member_id=member.id)
    sell(till, staff, ((MILK, 1),), member_id=other.id)  # someone else's
    sell(till, staff, ((MILK, 1),))  # anonymous
    visits = member_history(till, member.id)
    assert [v.receipt_no for v in visits] == [second.receipt_no, first.receipt_no]
    assert visits[0].items == 4 and visits[0].total_due == second.total_due
    assert [(ln.name, ln.qty) for ln in visits[0].lines] == [("大米 5kg", 1), ("酸奶 Yogurt", 3)]
    assert visits[1].lines[0].line_total == 2 * 1190  # at the member price
    assert visits[0].points_earned == second.points_earned and visits[0].refunded == 0
    assert len(member_history(till, member.id, limit=1)) == 1
    assert member_history(till, other.id)[0].items == 1


def test_history_of_a_member_without_sales_and_of_nobody(till, staff) -> None:  # type: ignore[no-untyped-def]
    member = register(till, staff).member
    assert member_history(till, member.id) == []
    with pytest.raises(NotFound):
        member_history(till, MemberId(new_id()))
    assert MAX_VISITS == 50

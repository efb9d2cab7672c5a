"""Pulled `member_intel` and `gift` changes, on both paths (bulk and change by change): stored,
replaced whole, kept for the survivor of a merge, refused when unreadable; a gift's stock is
not overwritten while a redemption made here is unsent."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.domain.ids import MemberId, StaffId
from app.services import gifts
from app.services.context import TillContext
from app.store import orm
from sync.apply import apply_page
from sync.protocol import Change
from tests.sync.conftest import member_data, register, sell
from tests.sync.test_apply import get, mark_all_sent


def ch(seq: int, entity: str, key: str, data: dict[str, Any], op: str = "upsert") -> Change:
    return Change(seq=seq, entity=entity, op=op, key=key, data=data)  # type: ignore[arg-type]


def intel(mid: str, segment: str = "core", sku: str = "6901234567892") -> dict[str, Any]:
    return {
        "id": mid,
        "segment": segment,
        "lifecycle": "active",
        "tags": ["scene:birthday_month", "dyn:baby"],
        "suggestions": [{"sku": sku, "name_zh": "牛奶", "name_en": "Milk"}],
        "as_of": "2026-11-22T03:00:00+00:00",
    }


def gift(gid: str = "G100", points: int = 100, stock: int = 5) -> dict[str, Any]:
    return {
        "id": gid,
        "name_zh": "小礼品",
        "name_en": "Small gift",
        "points": points,
        "stock": stock,
        "active": True,
    }


@pytest.mark.parametrize("bulk", [True, False])
def test_intel_and_gifts_stored_and_replaced(till: TillContext, bulk: bool) -> None:
    m = member_data()
    stranger = "01a23842-e19b-7063-acf5-66607ea35fe8"  # a member not held here
    report = apply_page(
        till,
        [
            ch(1, "member", m["id"], m),
            ch(2, "member_intel", m["id"], intel(m["id"])),
            ch(3, "gift", "G100", gift()),
            ch(4, "member_intel", m["id"], intel(m["id"], "potential", "6902345678901")),
            ch(
                5,
                "member_intel",
                "01a23842-e19b-7063-acf5-66607ea35fe8",
                intel("01a23842-e19b-7063-acf5-66607ea35fe8"),
            ),
            ch(6, "member_intel", m["id"], {**intel(m["id"]), "tags": "not a list"}),
        ],
        6,
        bulk=bulk,
    )
    row = get(till, orm.MemberIntel, uuid.UUID(m["id"]))
    assert get(till, orm.MemberIntel, uuid.UUID(stranger)) is None
    assert row.segment == "potential" and row.suggestions[0]["sku"] == "6902345678901"
    assert row.tags == ["scene:birthday_month", "dyn:baby"]
    g = get(till, orm.Gift, "G100")
    assert (g.name_en, g.points, g.stock, g.active) == ("Small gift", 100, 5, True)
    assert report.failed == 1 and report.skipped >= 1  # the unreadable one; the unknown member


def test_gift_stock_kept_while_a_redemption_here_is_unsent(
    till: TillContext, staff: dict[str, Any], products: dict[str, str]
) -> None:
    member = register(till, staff).member.id
    sell(till, staff, lines=(("6904567890123", 2),), member_id=member)
    apply_page(till, [ch(1, "gift", "G100", gift(stock=5))], 1)
    gifts.redeem_gift(till, gifts.RedeemGift(MemberId(member), "G100", StaffId(staff["cashier"].id)))
    assert get(till, orm.Gift, "G100").stock == 4
    # The server's count does not include the unsent redemption yet: the till keeps its own,
    # but takes the rest (a new threshold).
    apply_page(till, [ch(2, "gift", "G100", gift(points=120, stock=5))], 2)
    g = get(till, orm.Gift, "G100")
    assert (g.points, g.stock) == (120, 4)
    mark_all_sent(till)
    apply_page(till, [ch(3, "gift", "G100", gift(points=120, stock=4))], 3)
    assert get(till, orm.Gift, "G100").stock == 4

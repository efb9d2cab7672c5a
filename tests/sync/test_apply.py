"""Applying pulled pages: one transaction with the cursor, unsent local changes kept, merges,
trust changes, the append-only ledger."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app.domain.codes import SigningKey
from app.domain.ids import new_id
from app.domain.merges import merged_card, merged_phone
from app.services.context import TillContext
from app.store import orm
from sync.apply import apply_page
from sync.apply import page as apply_mod
from sync.protocol import Change
from sync.state import get_cursor
from tests.sync.conftest import coupon_data, ledger_data, member_data, register, sell


def ch(seq: int, entity: str, key: str, data: dict[str, Any], op: str = "upsert") -> Change:
    return Change(seq=seq, entity=entity, op=op, key=key, data=data)  # type: ignore[arg-type]


def count(till: TillContext, model: Any, *where: Any) -> int:
    with till.uow(write=False) as uow:
        return int(uow.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def get(till: TillContext, model: Any, key: Any) -> Any:
    with till.uow(write=False) as uow:
        row = uow.session.get(model, key)
        uow.session.expunge_all()
        return row


def cursor(till: TillContext) -> int:
    with till.uow(write=False) as uow:
        return get_cursor(uow.session)


def mark_all_sent(till: TillContext) -> None:
    with till.uow() as uow:
        uow.session.execute(update(orm.OutboxEvent).values(sent_at=till.now(), result="applied"))
        uow.commit()


def test_every_entity_is_stored_with_the_cursor(till: TillContext) -> None:
    m = member_data()
    pid = str(new_id())
    other_key = SigningKey.generate("S002.T05.abc123")
    report = apply_page(
        till,
        [
            ch(1, "member", m["id"], m),
            ch(2, "ledger_entry", "e", ledger_data(m["id"], 800, sale_id=str(new_id()))),
            ch(3, "coupon", "c", coupon_data("CHQ0000001", m["id"])),
            ch(4, "coupon", "c2", coupon_data("CBEARER001")),
            ch(
                5,
                "product",
                pid,
                {
                    "id": pid,
                    "sku": "6909999999999",
                    "name_zh": "茶",
                    "name_en": "Tea",
                    "category": "drinks",
                    "unit_price": 990,
                    "member_price": None,
                    "active": True,
                },
            ),
            ch(
                6,
                "promotion",
                "P1",
                {
                    "id": "P1",
                    "name": "Double dairy",
                    "kind": "category",
                    "multiplier": "2",
                    "categories": ["dairy"],
                    "skus": [],
                    "starts": None,
                    "ends": None,
                },
            ),
            ch(7, "revocation", "code:x", {"kind": "code", "value": "x"}),
            ch(
                8,
                "public_key",
                other_key.key_id,
                {
                    "key_id": other_key.key_id,
                    "public_key": other_key.public().to_base64(),
                    "terminal_id": "T05",
                },
            ),
            ch(9, "gadget", "g", {}),
            ch(10, "revocation", "member:x", {"kind": "member", "value": "not-a-uuid"}),
            ch(11, "public_key", "K", {"key_id": "K", "public_key": "garbage"}),
        ],
        cursor=11,
    )
    assert report.applied == 8 and report.skipped == 1 and report.failed == 2, report.problems
    assert report.trust_changed
    assert cursor(till) == 11
    with till.uow(write=False) as uow:
        assert other_key.key_id in till.keyring(uow)  # the cached trust was dropped
        assert "x" in till.revocations(uow).code_ids
        e = uow.session.execute(select(orm.LedgerEntry)).scalar_one()
        assert e.points == 800 and e.sale_id is None  # another till's sale: not in this store
        member = uow.session.get(orm.Member, uuid.UUID(m["id"]))
        assert member is not None and member.tier == "silver" and member.consent_at.tzinfo is not None


def test_the_same_page_twice_changes_nothing(till: TillContext) -> None:
    m = member_data()
    page = [ch(1, "member", m["id"], m), ch(2, "ledger_entry", "e", ledger_data(m["id"], 500))]
    apply_page(till, page, 2)
    again = apply_page(till, page, 2)
    assert count(till, orm.LedgerEntry) == 1
    assert again.skipped == 1 and again.applied == 1


def test_a_page_and_its_cursor_commit_together(till: TillContext, monkeypatch: pytest.MonkeyPatch) -> None:
    m = member_data()

    def boom(s: Any, value: int) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(apply_mod, "set_cursor", boom)
    with pytest.raises(RuntimeError):
        apply_page(till, [ch(1, "member", m["id"], m)], 1)
    assert count(till, orm.Member) == 0 and cursor(till) == 0


def test_a_member_registered_here_and_unsent_is_not_overwritten(till: TillContext, staff: Any) -> None:
    reg = register(till, staff, "13800138000")
    mid = str(reg.member.id)
    row = get(till, orm.Member, reg.member.id)
    server = member_data(mid, phone=row.phone, card_no=row.card_no, name="From HQ", tier="gold")
    report = apply_page(till, [ch(1, "member", mid, server)], 1)
    assert report.kept_local == 1 and get(till, orm.Member, reg.member.id).name is None
    assert cursor(till) == 1
    mark_all_sent(till)
    report = apply_page(till, [ch(2, "member", mid, server)], 2)
    assert report.applied == 1 and get(till, orm.Member, reg.member.id).name == "From HQ"


def test_a_coupon_redeemed_here_and_unsent_is_not_overwritten(
    till: TillContext, staff: Any, products: Any
) -> None:
    reg = register(till, staff, "13800138000")
    mark_all_sent(till)
    code = reg.welcome_coupon
    assert code
    sell(till, staff, lines=(("6903456789012", 2),), member_id=reg.member.id, coupons=(code,))
    with till.uow(write=False) as uow:
        local = uow.session.execute(select(orm.Coupon).where(orm.Coupon.code == code)).scalar_one()
        assert local.status == "redeemed"
        local_id = local.id
    # The server's copy, under its own id, still says issued (it has not had the sale yet).
    report = apply_page(till, [ch(1, "coupon", "x", coupon_data(code, reg.member.id))], 1)
    assert report.kept_local == 1
    assert get(till, orm.Coupon, local_id).status == "redeemed"
    mark_all_sent(till)
    report = apply_page(till, [ch(2, "coupon", "x", coupon_data(code, reg.member.id, status="void"))], 2)
    assert report.applied == 1 and get(till, orm.Coupon, local_id).status == "void"
    assert count(till, orm.Coupon, orm.Coupon.code == code) == 1  # matched by code, kept its id


def test_own_sale_entries_are_not_added_twice(till: TillContext, staff: Any, products: Any) -> None:
    reg = register(till, staff, "13800138000")
    done = sell(till, staff, lines=(("6903456789012", 2),), member_id=reg.member.id)
    mark_all_sent(till)
    before = count(till, orm.LedgerEntry)
    echoed = ledger_data(reg.member.id, done.points_earned, sale_id=str(done.sale_id))
    report = apply_page(till, [ch(1, "ledger_entry", echoed["id"], echoed)], 1)
    assert report.skipped == 1 and count(till, orm.LedgerEntry) == before


def test_ledger_of_an_unknown_member_is_skipped_and_the_page_goes_on(till: TillContext) -> None:
    m = member_data()
    report = apply_page(
        till,
        [
            ch(1, "ledger_entry", "e", ledger_data(new_id(), 100)),
            ch(2, "ledger_entry", "bad", {"id": "not-a-uuid", "member_id": m["id"]}),
            ch(3, "member", m["id"], m),
        ],
        3,
    )
    assert report.skipped == 1 and report.failed == 1 and report.applied == 1
    assert cursor(till) == 3


def test_a_merge_goes_through_apply_merge_and_the_phone_moves(till: TillContext, staff: Any) -> None:
    reg = register(till, staff, "13800138000")
    mark_all_sent(till)
    local = get(till, orm.Member, reg.member.id)
    survivor = member_data(phone="+8613900139099", serial=99)
    moved = member_data(survivor["id"], phone=local.phone, serial=99)
    report = apply_page(
        till,
        [
            ch(1, "member", survivor["id"], survivor),
            ch(2, "member", survivor["id"], moved),  # the phone is still the merged member's here
            ch(
                3,
                "member_alias",
                str(reg.member.id),
                {"alias_id": str(reg.member.id), "member_id": survivor["id"]},
            ),
            ch(4, "product", "p", {"id": "bad"}),
        ],
        4,
    )
    assert report.merges == 1, report.problems
    assert cursor(till) == 4
    with till.uow(write=False) as uow:
        assert uow.session.get(orm.MemberAlias, reg.member.id) is not None
        s_row = uow.session.get(orm.Member, uuid.UUID(survivor["id"]))
        assert s_row is not None and s_row.phone == local.phone  # applied after the merge
        assert (
            uow.session.execute(
                select(func.count())
                .select_from(orm.LedgerEntry)
                .where(orm.LedgerEntry.member_id == reg.member.id)
            ).scalar_one()
            == 0
        )


def test_a_merge_into_a_member_not_cached_here_is_skipped(till: TillContext) -> None:
    report = apply_page(
        till, [ch(1, "member_alias", "a", {"alias_id": str(new_id()), "member_id": str(new_id())})], 1
    )
    assert report.skipped == 1 and cursor(till) == 1


def test_the_tills_own_key_is_never_replaced(till: TillContext) -> None:
    own = till.signer.key_id
    fake = SigningKey.generate("S001.T99.ffffff").public().to_base64()
    apply_page(till, [ch(1, "public_key", own, {"key_id": own, "public_key": fake, "terminal_id": "T01"})], 1)
    assert get(till, orm.PublicKey, own).public_key == till.signer.public().to_base64()


def test_deletes(till: TillContext) -> None:
    pid = str(new_id())
    apply_page(
        till,
        [
            ch(
                1,
                "product",
                pid,
                {
                    "id": pid,
                    "sku": "6909999999999",
                    "name_zh": "茶",
                    "name_en": "Tea",
                    "category": "drinks",
                    "unit_price": 990,
                    "active": True,
                },
            ),
            ch(2, "revocation", "code:abc", {"kind": "code", "value": "abc"}),
        ],
        2,
    )
    apply_page(
        till, [ch(3, "product", pid, {}, op="delete"), ch(4, "revocation", "code:abc", {}, op="delete")], 4
    )
    assert count(till, orm.Product) == 0
    assert count(till, orm.Revocation) == 1  # revocations are only ever added at a till


@pytest.mark.parametrize("bulk", [True, False])
def test_a_merge_of_a_member_with_an_unsent_sale_is_applied(
    till: TillContext, staff: Any, products: Any, bulk: bool
) -> None:
    """The server's merge page (the merged member's row freed, the survivor, its entries, the
    alias) reaching a till that still has an unsent sale of the merged member: the freed row is
    taken despite the sale (the server will book it to the survivor and never send that row
    again), so the survivor takes the phone and the alias follows."""
    reg = register(till, staff, "13800138000")
    mark_all_sent(till)
    sale = sell(till, staff, member_id=reg.member.id)  # unsent
    local = get(till, orm.Member, reg.member.id)
    merged_id = str(reg.member.id)
    freed = member_data(merged_id, phone=merged_phone(reg.member.id), card_no=merged_card(reg.member.id))
    survivor = member_data(phone=local.phone, serial=99)
    entry = ledger_data(survivor["id"], 40)
    report = apply_page(
        till,
        [
            ch(1, "member", merged_id, freed),
            ch(2, "member", survivor["id"], survivor),
            ch(3, "ledger_entry", entry["id"], entry),
            ch(4, "member_alias", merged_id, {"alias_id": merged_id, "member_id": survivor["id"]}),
        ],
        4,
        bulk=bulk,
    )
    assert report.merges == 1 and report.failed == 0 and report.kept_local == 0, report.problems
    assert cursor(till) == 4
    survivor_id = uuid.UUID(survivor["id"])
    assert get(till, orm.MemberAlias, reg.member.id).member_id == survivor_id
    assert get(till, orm.Member, survivor_id).phone == local.phone
    with till.uow(write=False) as uow:  # the sale's points moved with the merge
        points = uow.session.execute(
            select(func.sum(orm.LedgerEntry.points)).where(orm.LedgerEntry.member_id == survivor_id)
        ).scalar_one()
    assert points == 40 + sale.points_earned and sale.points_earned > 0

"""Applying a run of pulled changes in bulk gives the same outcomes as change by change: each
page is applied to one fresh till through the bulk path (checked to have been taken) and to
another with `bulk=False`, and the two stores and reports must be equal."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.domain.ids import new_id
from app.services.context import open_till
from app.store import orm
from sync.apply import ApplyReport, apply_page
from sync.apply import page as page_mod
from sync.protocol import Change
from tests.conftest import FAST_HASHER
from tests.sync.conftest import coupon_data, ledger_data, member_data

LOCAL_PHONE = "+8613700000001"


def ch(seq: int, entity: str, key: str, data: dict[str, Any]) -> Change:
    return Change(seq=seq, entity=entity, op="upsert", key=key, data=data)  # type: ignore[arg-type]


def page_with_bad_changes() -> list[Change]:
    changes: list[Change] = []
    for i in range(300):
        m = member_data(phone=f"+86139{i:08d}", serial=1000 + i)
        e = ledger_data(m["id"], 10 + i)
        changes += [ch(1, "member", m["id"], m), ch(1, "ledger_entry", e["id"], e)]
    clash = member_data(phone=LOCAL_PHONE, serial=5000)  # the phone a local member holds
    orphan = ledger_data(new_id(), 50)  # a member not cached here
    bad = {"id": "not-a-uuid", "member_id": changes[0].key, "kind": "earn", "points": 1}
    changes.insert(101, ch(1, "member", clash["id"], clash))
    changes.insert(251, ch(1, "ledger_entry", orphan["id"], orphan))
    changes.insert(402, ch(1, "ledger_entry", "bad", bad))
    return [
        Change(seq=100 + n, entity=c.entity, op=c.op, key=c.key, data=c.data) for n, c in enumerate(changes)
    ]


def apply_to_fresh_till(
    home: Path, clock: Any, page: list[Change], bulk: bool = True
) -> tuple[ApplyReport, dict[str, Any]]:
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        local = member_data(phone=LOCAL_PHONE, serial=4000)
        apply_page(ctx, [ch(1, "member", local["id"], local)], 1)
        report = apply_page(ctx, page, page[-1].seq, bulk=bulk)
        with ctx.uow(write=False) as uow:
            s = uow.session
            state = {
                "members": s.execute(select(func.count()).select_from(orm.Member)).scalar_one(),
                "points": s.execute(select(func.sum(orm.LedgerEntry.points))).scalar_one(),
                "entries": s.execute(select(func.count()).select_from(orm.LedgerEntry)).scalar_one(),
                "clash": s.get(orm.Member, uuid.UUID(page[101].key)),
            }
        return report, state
    finally:
        ctx.close()


def test_a_bad_change_in_a_bulk_run_only_skips_itself(
    tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = page_with_bad_changes()
    calls = count_changes_applied_one_by_one(monkeypatch)
    fast, state = apply_to_fresh_till(tmp_path / "fast", clock, page)
    assert len(calls) == 1  # the local member's one-change page: the bad page stayed in bulk
    assert (fast.applied, fast.skipped, fast.failed, fast.kept_local) == (600, 1, 2, 0), fast.problems
    assert state["members"] == 301 and state["entries"] == 300 and state["clash"] is None
    assert state["points"] == sum(10 + i for i in range(300))

    calls.clear()
    slow, slow_state = apply_to_fresh_till(tmp_path / "slow", clock, page, bulk=False)
    assert len(calls) == 1 + len(page)  # every change on its own
    assert slow_state == state
    assert (slow.applied, slow.skipped, slow.failed, slow.kept_local, slow.merges) == (
        fast.applied,
        fast.skipped,
        fast.failed,
        fast.kept_local,
        fast.merges,
    )
    assert slow.problems == fast.problems


def count_changes_applied_one_by_one(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets an item for each change applied one by one (not in a bulk run)."""
    calls: list[int] = []
    real = page_mod.apply_one

    def counted(*args: Any) -> str:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(page_mod, "apply_one", counted)
    return calls


def test_a_clean_run_takes_the_bulk_path(tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    page = page_with_bad_changes()
    clash = page[101]
    page = [c for c in page if c.key != "bad" and c is not clash]
    calls = count_changes_applied_one_by_one(monkeypatch)
    report, _ = apply_to_fresh_till(tmp_path / "home", clock, [*page, clash])
    assert report.applied == 600 and report.skipped == 1 and report.failed == 1
    assert len(calls) == 1  # only the one-change page of the local member: the clash is no error


def page_that_makes_and_changes_rows() -> list[Change]:
    """Rows made and then changed again in one run, across a change that makes the bulk path
    write what it holds so far (a product), and a member merged into one made earlier in the
    run (its row must be inserted after the survivor's)."""
    survivor = member_data(phone="+8613900000010", serial=10)
    merged = member_data(phone="+8613900000011", serial=11, merged_into=survivor["id"])
    coupon = coupon_data("CRUN000001", survivor["id"])
    entry = ledger_data(survivor["id"], 300)
    pid = str(new_id())
    product = {
        "id": pid,
        "sku": "6909999999990",
        "name_zh": "茶",
        "name_en": "Tea",
        "category": "drinks",
        "unit_price": 900,
        "member_price": None,
        "active": True,
    }
    changes = [
        ch(1, "member", survivor["id"], survivor),
        ch(1, "member", merged["id"], merged),
        ch(1, "coupon", coupon["id"], coupon),
        ch(1, "ledger_entry", entry["id"], entry),
        ch(1, "product", pid, product),
        ch(1, "member", survivor["id"], {**survivor, "tier": "gold", "name": "Renamed"}),
        ch(1, "coupon", coupon["id"], {**coupon, "status": "void"}),
        ch(1, "member", merged["id"], {**merged, "tier": "black"}),
    ]
    return [
        Change(seq=10 + n, entity=c.entity, op=c.op, key=c.key, data=c.data) for n, c in enumerate(changes)
    ]


def stored(
    home: Path, clock: Any, page: list[Change], bulk: bool = True
) -> tuple[ApplyReport, dict[str, Any]]:
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        report = apply_page(ctx, page, page[-1].seq, bulk=bulk)
        with ctx.uow(write=False) as uow:
            s = uow.session
            members = {
                str(m.id): (m.tier, m.name, None if m.merged_into is None else str(m.merged_into))
                for m in s.execute(select(orm.Member)).scalars()
            }
            coupons = {c.code: (c.status, str(c.member_id)) for c in s.execute(select(orm.Coupon)).scalars()}
            points = s.execute(select(func.sum(orm.LedgerEntry.points))).scalar_one()
        return report, {"members": members, "coupons": coupons, "points": points}
    finally:
        ctx.close()


def test_rows_made_and_changed_in_one_run_keep_their_last_values(
    tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = page_that_makes_and_changes_rows()
    survivor, merged = page[0].key, page[1].key
    calls = count_changes_applied_one_by_one(monkeypatch)
    fast, state = stored(tmp_path / "fast", clock, page)
    assert calls == []  # the whole run took the bulk path
    assert fast.applied == len(page) and fast.failed == 0, fast.problems
    assert state["members"] == {
        survivor: ("gold", "Renamed", None),
        merged: ("black", "Server Member", survivor),
    }
    assert state["coupons"] == {"CRUN000001": ("void", survivor)}
    assert state["points"] == 300

    slow, slow_state = stored(tmp_path / "slow", clock, page, bulk=False)
    assert len(calls) == len(page)  # change by change
    assert slow_state == state and slow.applied == fast.applied and slow.problems == fast.problems


def raw_rows(
    home: Path, clock: Any, page: list[Change], bulk: bool = True
) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the tables a pull fills, as SQLite holds them (text, not objects)."""
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        report = apply_page(ctx, page, page[-1].seq, bulk=bulk)
        assert report.failed == 0, report.problems
        with ctx.uow(write=False) as uow:
            conn = uow.session.connection()
            return {
                table: [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]
                for table in ("members", "ledger_entries", "coupons")
            }
    finally:
        ctx.close()


def test_bulk_inserts_store_exactly_what_the_unit_of_work_stores(
    tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk path writes rows through the driver with SQLAlchemy's bind processors: the stored
    text (ids, times, JSON, booleans) must be the same as through the ORM, and columns an older
    server leaves out get the model's defaults (a default computed per row included)."""
    full = member_data(phone="+8613900000020", serial=20, birthday=None, marketing_opt_in=True)
    short = {
        k: v
        for k, v in member_data(phone="+8613900000021", serial=21).items()
        if k not in ("tier", "favourite_categories")
    }
    entry = ledger_data(full["id"], 120, at="2026-06-01T16:00:00+08:00")  # stored in UTC
    bare_entry = {k: v for k, v in ledger_data(short["id"], 80).items() if k != "note"}
    coupon = {
        k: v
        for k, v in coupon_data("CRAW000001", full["id"]).items()
        if k not in ("name", "percent", "categories", "stackable")
    }
    page = [
        Change(seq=1 + n, entity=e, op="upsert", key=d["id"], data=d)  # type: ignore[arg-type]
        for n, (e, d) in enumerate(
            [
                ("member", full),
                ("member", short),
                ("ledger_entry", entry),
                ("ledger_entry", bare_entry),
                ("coupon", coupon),
            ]
        )
    ]
    calls = count_changes_applied_one_by_one(monkeypatch)
    fast = raw_rows(tmp_path / "fast", clock, page)
    assert calls == []
    slow = raw_rows(tmp_path / "slow", clock, page, bulk=False)  # change by change, through the ORM
    assert len(calls) == len(page)
    assert fast == slow
    assert len(fast["members"]) == 2 and len(fast["ledger_entries"]) == 2 and len(fast["coupons"]) == 1

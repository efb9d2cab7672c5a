"""The SQLite store: WAL, synchronous=FULL, foreign keys on; the unit of work commits only
when told to."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.domain.ids import new_id
from app.services.audit import verify_audit
from app.services.context import TillContext, open_till
from app.store import orm
from app.store.db import Database
from tests.conftest import FAST_HASHER
from tests.integration.conftest import raw_db


def _product(sku: str = "6909999999994") -> orm.Product:
    return orm.Product(
        id=new_id(),
        sku=sku,
        name_zh="测试",
        name_en="Test",
        category="misc",
        unit_price=100,
        member_price=None,
        active=True,
    )


def _count_products(till: TillContext) -> int:
    with till.uow(write=False) as uow:
        return int(uow.session.execute(select(func.count()).select_from(orm.Product)).scalar_one())


@pytest.mark.parametrize("write", [True, False])
def test_every_connection_has_wal_full_sync_and_foreign_keys(till: TillContext, write: bool) -> None:
    with till.uow(write=write) as uow:
        s = uow.session
        assert s.execute(text("PRAGMA journal_mode")).scalar_one().lower() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar_one() == 2  # 2 = FULL
        assert s.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar_one() > 0


def test_wal_mode_is_persistent_in_the_file(till: TillContext) -> None:
    # journal_mode=WAL is stored in the database file itself: a plain connection sees it too.
    conn = raw_db(till)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        conn.close()


def test_a_fresh_database_object_sets_the_pragmas_again(till: TillContext) -> None:
    db = Database(till.db.path)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar_one() == 2
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        db.dispose()


def test_foreign_keys_are_enforced(till: TillContext) -> None:
    with till.uow() as uow, pytest.raises(IntegrityError):
        uow.session.add(orm.Payment(id=new_id(), sale_id=new_id(), tender="cash", amount=100, reference=""))
        uow.session.flush()


def test_unit_of_work_without_commit_rolls_back(till: TillContext) -> None:
    with till.uow() as uow:
        uow.session.add(_product())
        uow.session.flush()
        # Visible inside the transaction...
        assert uow.session.execute(select(func.count()).select_from(orm.Product)).scalar_one() == 1
    # ...and gone once the block ends without commit().
    assert _count_products(till) == 0


def test_unit_of_work_commit_keeps_the_changes(till: TillContext) -> None:
    with till.uow() as uow:
        uow.session.add(_product())
        uow.commit()
        assert uow.committed
    assert _count_products(till) == 1


def test_unit_of_work_rolls_back_on_an_exception(till: TillContext) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), till.uow() as uow:
        uow.session.add(_product())
        uow.session.flush()
        raise Boom
    assert _count_products(till) == 0


def test_changes_after_a_commit_are_rolled_back_without_another(till: TillContext) -> None:
    with till.uow() as uow:
        uow.session.add(_product("6900000000001"))
        uow.commit()
        uow.session.add(_product("6900000000002"))
        uow.session.flush()
    with till.uow(write=False) as uow:
        skus = set(uow.session.execute(select(orm.Product.sku)).scalars())
    assert skus == {"6900000000001"}


def test_explicit_rollback_discards_pending_work(till: TillContext) -> None:
    with till.uow() as uow:
        uow.session.add(_product())
        uow.session.flush()
        uow.rollback()
        uow.commit()  # commits nothing: the product was rolled back
    assert _count_products(till) == 0


def test_session_outside_the_block_is_refused(till: TillContext) -> None:
    uow = till.uow()
    with pytest.raises(RuntimeError):
        _ = uow.session
    with uow:
        pass
    with pytest.raises(RuntimeError):
        _ = uow.session


def test_write_unit_of_work_takes_the_write_lock_at_once(till: TillContext) -> None:
    other = sqlite3.connect(till.db.path, timeout=0, isolation_level=None)
    try:
        with till.uow() as uow:
            uow.session.execute(select(1))  # begins the transaction (BEGIN IMMEDIATE)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the unit of work is over
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_reader_does_not_block_a_writer(till: TillContext) -> None:
    other = sqlite3.connect(till.db.path, timeout=0, isolation_level=None)
    try:
        with till.uow(write=False) as uow:
            assert uow.session.execute(select(func.count()).select_from(orm.Product)).scalar_one() == 0
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO products (id, sku, name_zh, name_en, category, unit_price, active) "
                "VALUES (?, '6900000000003', 'x', 'x', 'misc', 1, 1)",
                (new_id().hex,),
            )
            other.execute("COMMIT")
            # The reader's snapshot is unchanged (WAL gives it a consistent view).
            assert uow.session.execute(select(func.count()).select_from(orm.Product)).scalar_one() == 0
        assert _count_products(till) == 1
    finally:
        other.close()


def test_two_writers_on_one_file_never_collide(tmp_path: Path) -> None:
    """Two till contexts (two engines, as two processes would have) selling at once: the write
    lock taken up front keeps receipt numbers and the outbox sequence unique and gap-free."""
    from app.domain.staff import Role
    from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
    from app.services.staff import add_staff

    home = tmp_path / "home"
    a = open_till(home, hasher=FAST_HASHER)
    b = open_till(home, hasher=FAST_HASHER)
    try:
        cashier = add_staff(a, "1001", "Li", Role.CASHIER, "1234")
        with a.uow() as uow:
            uow.session.add(_product())
            uow.commit()
        errors: list[BaseException] = []

        def sell(ctx: TillContext) -> None:
            try:
                for _ in range(15):
                    complete_sale(
                        ctx,
                        CompleteSale(
                            new_id(),
                            cashier.id,
                            Cart((CartLine("6909999999994", 1),)),
                            (Tender("cash", 100),),
                        ),
                    )
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=sell, args=(ctx,)) for ctx in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
    finally:
        a.close()
        b.close()
    conn = raw_db(home)
    try:
        receipts = sorted(int(r[0].rsplit("-", 1)[1]) for r in conn.execute("SELECT receipt_no FROM sales"))
        assert receipts == list(range(1, 31))
        seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
        assert seqs == list(range(1, 31))
        audit = [r[0] for r in conn.execute("SELECT seq FROM audit_log ORDER BY seq")]
        assert audit == list(range(1, len(audit) + 1))
    finally:
        conn.close()
    ctx = open_till(home, hasher=FAST_HASHER)
    try:
        assert verify_audit(ctx).ok
    finally:
        ctx.close()

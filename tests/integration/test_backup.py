"""Backups of the till's store: online copies made while another connection writes, checked,
rotated, restored with the counters continuing, and a backup kept before a migration."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.config import DB_NAME
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.backups import DailyBackups, upgrade_keeping_backup
from app.services.context import TillContext, open_till
from app.services.staff import add_staff
from app.store import orm
from app.store.backup import (
    KEEP,
    BackupError,
    daily_due,
    integrity_problems,
    list_backups,
    make_backup,
    read_counters,
    restore_backup,
)
from app.store.migrate import HEAD, current_revision, upgrade
from tests.conftest import FAST_HASHER
from tests.sync.conftest import MILK, sell

TILL = Path(sys.executable).parent / "till"


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_an_online_backup_while_sales_are_written_is_whole_and_checked(
    till: TillContext, staff: dict[str, Any], products: dict[str, str]
) -> None:
    for _ in range(5):
        sell(till, staff)
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_selling() -> None:
        try:
            while not stop.is_set():
                sell(till, staff)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    seller = threading.Thread(target=keep_selling)
    seller.start()
    try:
        made = [make_backup(till.home, till.db.path, "manual") for _ in range(3)]
    finally:
        stop.set()
        seller.join(30)
    assert errors == []
    for b in made:
        assert integrity_problems(b.path) == []
        sales = _count(b.path, "sales")
        assert sales >= 5
        # Whole sales only: every sale in the copy has its lines and its outbox event.
        assert _count(b.path, "sale_lines") == sales
        assert _count(b.path, "outbox") == sales
        assert not b.path.with_name(b.path.name + "-wal").exists()
    assert [b.path for b in list_backups(till.home)] == [b.path for b in made]
    assert not list((till.home / "backups").glob("*.partial"))


def test_rotation_keeps_the_newest_of_each_kind(till: TillContext) -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(KEEP["daily"] + 3):
        make_backup(till.home, till.db.path, "daily", now=t0 + timedelta(days=i))
    make_backup(till.home, till.db.path, "shift", now=t0)
    kept = list_backups(till.home)
    daily = [b for b in kept if b.kind == "daily"]
    assert len(daily) == KEEP["daily"]
    assert daily[0].at == t0 + timedelta(days=3)  # the three oldest went
    assert [b.kind for b in kept].count("shift") == 1  # other kinds untouched
    assert not daily_due(till.home, t0 + timedelta(days=KEEP["daily"] + 2, hours=23))
    assert daily_due(till.home, t0 + timedelta(days=KEEP["daily"] + 3, hours=1))


def test_the_daily_thread_backs_up_when_due_and_stops(till: TillContext) -> None:
    keeper = DailyBackups(till.home, every_s=0.05)
    keeper.start()
    try:
        for _ in range(200):
            if list_backups(till.home):
                break
            threading.Event().wait(0.05)
    finally:
        keeper.stop()
    assert [b.kind for b in list_backups(till.home)] == ["daily"]  # due once, made once
    assert not any(t.name == "till-backup" for t in threading.enumerate())


def test_a_damaged_file_is_refused_and_the_store_is_untouched(till: TillContext, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 500)
    before = till.db.path.read_bytes()
    with pytest.raises(BackupError, match=r"integrity check|not a readable"):
        restore_backup(till.home, till.db.path, bad)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupError, match="not a till's store"):
        restore_backup(till.home, till.db.path, other)
    assert till.db.path.read_bytes() == before
    assert not (till.home / "backups").exists()


def test_restore_keeps_the_current_file_aside_and_the_counters_continue(tmp_path: Path, clock: Any) -> None:
    home = tmp_path / "home"
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    staff = {"cashier": add_staff(ctx, "1001", "Li Na", Role.CASHIER, "1234")}
    with ctx.uow() as uow:
        uow.session.add(
            orm.Product(
                id=new_id(),
                sku=MILK,
                name_zh="牛奶",
                name_en="Milk",
                category="dairy",
                unit_price=1290,
                member_price=None,
                active=True,
            )
        )
        uow.commit()
    first = sell(ctx, staff)
    kept = make_backup(home, home / DB_NAME, "manual")
    later = [sell(ctx, staff) for _ in range(3)]
    ctx.close()
    high = read_counters(home / DB_NAME)

    out = subprocess.run(
        [str(TILL), "--home", str(home), "backup", "restore", str(kept.path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "kept in" in out.stdout
    aside = [p for p in (home / "backups").iterdir() if p.name.startswith("replaced-")]
    assert len(aside) == 1 and _count(aside[0] / DB_NAME, "sales") == 4  # nothing lost

    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        with ctx.uow(write=False) as uow:
            ids = set(uow.session.execute(select(orm.Sale.id)).scalars())
        assert ids == {first.sale_id}
        after = sell(ctx, staff)
        with ctx.uow(write=False) as uow:
            seqs = dict(uow.session.execute(select(orm.OutboxEvent.id, orm.OutboxEvent.seq)).all())
            receipt = uow.session.get(orm.Sale, after.sale_id).receipt_no
        assert max(seqs.values()) == high["outbox:T01"] + 1
        assert receipt not in {s.receipt_no for s in later}
        assert receipt.endswith(str(high["receipt:T01"] + 1))
    finally:
        ctx.close()


def test_restore_is_refused_while_the_till_runs(tmp_path: Path) -> None:
    """The cashier app (a real process, offscreen) holds the run lock."""
    import os
    import time

    home = tmp_path / "home"
    subprocess.run(
        [str(TILL), "--home", str(home), "demo", "seed", "--members", "20", "--sales", "5"],
        check=True,
        capture_output=True,
    )
    kept = make_backup(home, home / DB_NAME, "manual")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen(
        [str(TILL), "--home", str(home)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not (home / "till.pid").exists():
            assert app.poll() is None and time.monotonic() < deadline, "the till did not start"
            time.sleep(0.1)
        before = (home / DB_NAME).stat().st_ino
        out = subprocess.run(
            [str(TILL), "--home", str(home), "backup", "restore", str(kept.path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 1
        assert f"is running (process {app.pid})" in out.stderr
        assert "Traceback" not in out.stderr
        assert (home / DB_NAME).stat().st_ino == before
        second = subprocess.run(
            [str(TILL), "--home", str(home)], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 1 and "is running" in second.stderr
    finally:
        app.terminate()
        app.wait(20)
    out = subprocess.run(
        [str(TILL), "--home", str(home), "backup", "restore", str(kept.path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr


def test_a_store_on_an_older_schema_is_backed_up_before_it_is_migrated(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    upgrade(home / DB_NAME, "0002")
    ctx = open_till(home, hasher=FAST_HASHER)  # as a newer bundle does at its first start
    ctx.close()
    (kept,) = list_backups(home)
    assert kept.kind == "pre-upgrade"
    assert current_revision(kept.path) == "0002"
    assert current_revision(home / DB_NAME) == HEAD
    assert upgrade_keeping_backup(home) is None  # at head: nothing to keep
    assert len(list_backups(home)) == 1


def test_closing_a_shift_makes_a_shift_backup(till: TillContext, staff: dict[str, Any]) -> None:
    from hardware.printer.printers import NullPrinter
    from ui.services import TillServices

    services = TillServices(till, NullPrinter())
    shift = services.open_shift(staff["cashier"].id, 10_000)
    services.close_shift(shift, staff["cashier"].id, 10_000)
    (b,) = list_backups(till.home)
    assert b.kind == "shift"
    conn = sqlite3.connect(b.path)
    try:
        closed = conn.execute("SELECT count(*) FROM shifts WHERE closed_at IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert closed == 1  # the copy holds the closed shift

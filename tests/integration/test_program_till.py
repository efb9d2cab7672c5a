"""The loyalty program on the till: read from the home's program.json (an old till.toml
[loyalty] moved there once), the version in force at each event's time prices and posts it, and
calendar rules read the store's zone (real SQLite files, through the migrations)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.config import CONFIG_NAME, ConfigError
from app.domain.ids import new_id
from app.domain.program import DEFAULT_PROGRAM, LoyaltyProgram, parse_program
from app.domain.staff import Role
from app.program_file import PROGRAM_NAME, write_program_file
from app.services.context import TillContext, open_till
from app.services.members import member_view
from app.services.program import store_program_version
from app.services.staff import add_staff
from app.store import orm
from tests.conftest import FAST_HASHER, FrozenClock
from tests.integration.conftest import RICE, raw_db, register, sell, uuid_hex

SHANGHAI = ZoneInfo("Asia/Shanghai")
RICE_MEMBER_FEN = 4590  # the products fixture's member price


def _open(
    home: Path, clock: FrozenClock, program: LoyaltyProgram | None = None, timezone: str | None = None
) -> TillContext:
    home.mkdir(parents=True, exist_ok=True)
    if timezone is not None:
        (home / CONFIG_NAME).write_text(f'[store]\ntimezone = "{timezone}"\n', encoding="utf-8")
    if program is not None:
        write_program_file(home, program)
    return open_till(home, clock=clock, hasher=FAST_HASHER)


def _products(ctx: TillContext) -> None:
    with ctx.uow() as uow:
        uow.session.add(
            orm.Product(
                id=new_id(),
                sku=RICE,
                name_zh="大米 5kg",
                name_en="Rice 5kg",
                category="grain",
                unit_price=4990,
                member_price=RICE_MEMBER_FEN,
                active=True,
            )
        )
        uow.commit()


def _staff(ctx: TillContext) -> dict[str, Any]:
    return {"cashier": add_staff(ctx, "1001", "Li Na", Role.CASHIER, "1234")}


@pytest.fixture
def shanghai_till(tmp_path: Path) -> Iterator[tuple[TillContext, FrozenClock]]:
    clock = FrozenClock(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    ctx = _open(tmp_path / "sh", clock, timezone="Asia/Shanghai")
    _products(ctx)
    yield ctx, clock
    ctx.close()


def _birthday_promotion(ctx: TillContext, multiplier: str = "3") -> None:
    with ctx.uow() as uow:
        uow.session.add(
            orm.Promotion(
                id="BDAY",
                name="Birthday",
                kind="birthday_multiplier",
                multiplier=multiplier,
                categories=[],
                skus=[],
                starts=None,
                ends=None,
            )
        )
        uow.commit()


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # 01:00 on 1 April in Shanghai (still 31 March in UTC): the April birthday month has begun.
        (datetime(2026, 3, 31, 17, 0, tzinfo=UTC), 137),  # 45.9 × 3, rounded down
        # 01:00 on 1 May in Shanghai (still 30 April in UTC): the birthday month is over.
        (datetime(2026, 4, 30, 17, 0, tzinfo=UTC), 45),
    ],
)
def test_the_birthday_month_is_the_stores_month(
    shanghai_till: tuple[TillContext, FrozenClock], utc: datetime, expected: int
) -> None:
    ctx, clock = shanghai_till
    staff = _staff(ctx)
    _birthday_promotion(ctx)
    reg = register(ctx, staff, birthday=date(1990, 4, 15))
    clock.at = utc
    done = sell(ctx, staff, ((RICE, 1),), member_id=reg.member.id)
    assert done.points_earned == expected  # ¥45.90 paid: 45.9 points, × 3 in the birthday month


def test_the_programs_birthday_multiplier_applies_in_the_stores_month(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))
    ctx = _open(tmp_path / "h", clock, DEFAULT_PROGRAM.model_copy(update={"birthday_multiplier": "2"}))
    try:
        _products(ctx)
        staff = _staff(ctx)
        reg = register(ctx, staff, birthday=date(1990, 4, 15))
        clock.at = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
        assert sell(ctx, staff, ((RICE, 1),), member_id=reg.member.id).points_earned == 91  # 45.9 × 2
        clock.at = datetime(2026, 3, 31, 15, 59, tzinfo=UTC)  # 23:59 on 31 March in Shanghai
        assert sell(ctx, staff, ((RICE, 1),), member_id=reg.member.id).points_earned == 45
    finally:
        ctx.close()


def test_expiry_and_printed_times_are_in_the_stores_zone(tmp_path: Path) -> None:
    from app.services.receipts import receipt_for

    clock = FrozenClock(datetime(2026, 12, 1, tzinfo=UTC))
    ctx = _open(tmp_path / "ny", clock, timezone="America/New_York")
    try:
        _products(ctx)
        staff = _staff(ctx)
        reg = register(ctx, staff)
        clock.at = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)  # 22:00 on 31 Dec 2026 in New York
        done = sell(ctx, staff, ((RICE, 1),), member_id=reg.member.id)
        conn = raw_db(ctx)
        expires = conn.execute("SELECT expires_at FROM ledger_entries WHERE kind = 'earn'").fetchone()[0]
        conn.close()
        # Earned in 2026 by the store's calendar: gone at 2028-01-01 00:00 New York time.
        assert datetime.fromisoformat(expires).replace(tzinfo=UTC) == datetime(2028, 1, 1, 5, 0, tzinfo=UTC)
        receipt = receipt_for(ctx, str(done.sale_id))
        assert (receipt.at.year, receipt.at.month, receipt.at.day, receipt.at.hour) == (2026, 12, 31, 22)
    finally:
        ctx.close()


def test_the_welcome_slip_prints_the_stores_time(till: TillContext, staff: dict[str, Any]) -> None:
    from ui.services import welcome_slip

    reg = register(till, staff)
    slip = welcome_slip(till.config, reg, datetime(2026, 3, 31, 17, 0, tzinfo=UTC))
    assert (slip.at.month, slip.at.day, slip.at.hour) == (4, 1, 1)


def test_an_old_till_toml_loyalty_section_moves_to_program_json(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = tmp_path / "old"
    home.mkdir()
    old = (
        '[store]\nstore_id = "S009"\n\n[loyalty]\nearn_points_per_yuan = 2\nwelcome_coupon_fen = 0\n'
        "redeem_step = 50\n\n[loyalty.tiers]\ngold_fen = 700000\n"
    )
    (home / CONFIG_NAME).write_text(old, encoding="utf-8")
    clock = FrozenClock(datetime(2026, 5, 1, tzinfo=UTC))
    with caplog.at_level(logging.WARNING, logger="app.program_file"):
        ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    try:
        assert "deprecated" in caplog.text and PROGRAM_NAME in caplog.text
        program = parse_program((home / PROGRAM_NAME).read_text(encoding="utf-8"))
        assert program.earn_points_per_yuan == 2 and program.redemption.step == 50
        assert not program.welcome_coupon.issued
        assert [t.threshold_fen for t in program.tiers] == [0, 200_000, 700_000, 5_000_000]
        assert ctx.program_at(clock.at) == program
        assert (home / CONFIG_NAME).read_text(encoding="utf-8") == old  # nothing lost
        staff = _staff(ctx)
        assert register(ctx, staff).welcome_coupon is None  # the old setting still holds
    finally:
        ctx.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="app.program_file"):
        again = open_till(home, clock=clock, hasher=FAST_HASHER)
    again.close()
    assert "ignored" in caplog.text  # the second start says [loyalty] no longer counts


def test_a_new_home_gets_the_default_program_file(tmp_path: Path) -> None:
    ctx = _open(tmp_path / "new", FrozenClock(datetime(2026, 5, 1, tzinfo=UTC)))
    ctx.close()
    assert parse_program((tmp_path / "new" / PROGRAM_NAME).read_text(encoding="utf-8")) == DEFAULT_PROGRAM
    assert "[loyalty]" not in (tmp_path / "new" / CONFIG_NAME).read_text(encoding="utf-8")


def test_a_bad_program_file_stops_the_till_naming_file_and_field(tmp_path: Path) -> None:
    home = tmp_path / "bad"
    home.mkdir()
    (home / PROGRAM_NAME).write_text(json.dumps({"redemption": {"max_share": "3"}}), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        open_till(home, hasher=FAST_HASHER)
    assert str(home / PROGRAM_NAME) in str(err.value) and "redemption.max_share" in str(err.value)


def _pull(ctx: TillContext, program: LoyaltyProgram) -> None:
    with ctx.uow() as uow:
        store_program_version(uow.session, program.to_data(), ctx.now())
        uow.commit()
    ctx.reload_program()


def test_each_sale_uses_the_version_in_force_at_its_time_and_names_it(
    shanghai_till: tuple[TillContext, FrozenClock],
) -> None:
    ctx, clock = shanghai_till
    staff = _staff(ctx)
    reg = register(ctx, staff)
    start = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    _pull(ctx, DEFAULT_PROGRAM.model_copy(update={"earn_points_per_yuan": 3}).with_version(4, start))
    clock.at = start - timedelta(seconds=1)
    before = sell(ctx, staff, ((RICE, 1),), member_id=reg.member.id)
    clock.at = start
    after = sell(ctx, staff, ((RICE, 1),), member_id=reg.member.id)
    assert (before.points_earned, after.points_earned) == (45, 137)  # 45.9 × 1, then 45.9 × 3
    conn: sqlite3.Connection = raw_db(ctx)
    try:
        versions = {r[0]: r[1] for r in conn.execute("SELECT id, program_version FROM sales")}
        payloads = [
            json.loads(r[0])
            for r in conn.execute("SELECT payload FROM outbox WHERE type = 'sale.completed' ORDER BY seq")
        ]
    finally:
        conn.close()
    assert versions == {uuid_hex(before.sale_id): 0, uuid_hex(after.sale_id): 4}
    assert [p["program_version"] for p in payloads] == [0, 4]


def test_a_pulled_tier_table_tiers_the_member(shanghai_till: tuple[TillContext, FrozenClock]) -> None:
    ctx, _ = shanghai_till
    staff = _staff(ctx)
    reg = register(ctx, staff)
    low = parse_program(
        {
            "version": 2,
            "effective_from": "2026-01-01T00:00:00+08:00",
            "tiers": [
                {"tier": "basic", "threshold_fen": 0, "multiplier": "1"},
                {"tier": "silver", "threshold_fen": 4_000, "multiplier": "2"},
            ],
        }
    )
    _pull(ctx, low)
    sell(ctx, staff, ((RICE, 1),), member_id=reg.member.id)  # ¥45.90: basic (×1) when priced
    assert member_view(ctx, reg.member.id).tier == "silver"
    second = sell(ctx, staff, ((RICE, 1),), member_id=reg.member.id)
    assert second.points_earned == 91  # silver: 45.9 × 2


def test_till_program_prints_the_version_in_force(tmp_path: Path) -> None:
    from tests.integration.test_cli import run

    home = tmp_path / "cli"
    home.mkdir()
    write_program_file(home, DEFAULT_PROGRAM.model_copy(update={"earn_points_per_yuan": 4}))
    out = run("program", home=home)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["earn_points_per_yuan"] == 4
    assert str(home / PROGRAM_NAME) in out.stderr and "version 0" in out.stderr
    bad = run("program", "--at", "2026-05-01T10:00", home=home)  # no zone
    assert bad.returncode == 2 and "--at" in bad.stderr and "Traceback" not in bad.stderr
    (home / PROGRAM_NAME).write_text('{"tiers": []}', encoding="utf-8")
    broken = run("program", home=home)
    assert broken.returncode == 2 and "tiers" in broken.stderr and "Traceback" not in broken.stderr

"""HQ's loyalty program end to end: published on a real `till-server` (PostgreSQL, its own
database: a program applies to every store, so no other test may share it), pulled by real
tills (SQLite files) over HTTP on loopback, and applied by both ends with the same code.

- `till-server program publish|show` and `GET/POST /api/v1/program` behind the admin token;
- a published version reaches a till by pull and changes what it earns; the sale names it;
- the server's tier and expiry for a custom tier table, in a New York store, equal the till's;
- a property: random programs and sales give the same points, tier and expiry on both ends.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.config import DEFAULT_CONFIG_TEXT
from app.domain.ids import new_id
from app.domain.program import DEFAULT_PROGRAM, LoyaltyProgram
from app.domain.staff import Role
from app.services.context import TillContext, open_till
from app.services.members import member_view
from app.services.staff import add_staff
from app.store import orm
from server import models as srv
from server.migrate import upgrade
from server.settings import ServerSettings
from sync.enrol import enrol
from sync.worker import SyncWorker
from tests.conftest import FAST_HASHER, FrozenClock
from tests.server.conftest import create_database, drop_database, require_postgres
from tests.server.support import ServerProcess, enrol_code, random_phone, session_for
from tests.sync.conftest import FAST, RICE, sell

pytestmark = pytest.mark.postgres

TOKEN = "hq-program-token-0123456789"
HQ = {"Authorization": f"Bearer {TOKEN}"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    admin = require_postgres()
    url = create_database(admin, prefix="lt_program_")
    try:
        upgrade(ServerSettings(database_url=url))
        proc = ServerProcess(url, tmp_path_factory.mktemp("server"), LT_SERVER_ADMIN_TOKEN=TOKEN).start()
        try:
            yield proc
        finally:
            proc.stop()
    finally:
        drop_database(admin, url)


def server_cli(hq: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"LT_SERVER_DATABASE_URL": hq.database_url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def publish(hq: ServerProcess, program: dict[str, Any], effective_from: datetime | None = None) -> int:
    body: dict[str, Any] = {"program": program, "published_by": "test"}
    if effective_from is not None:
        body["effective_from"] = effective_from.isoformat()
    r = requests.post(f"{hq.url}/api/v1/program", json=body, headers=HQ, timeout=10)
    assert r.status_code == 201, r.text
    return int(r.json()["version"])


def make_till(
    home: Path,
    clock: FrozenClock,
    hq: ServerProcess,
    store_id: str,
    terminal_id: str,
    timezone: str = "Asia/Shanghai",
) -> tuple[TillContext, dict[str, Any], SyncWorker]:
    home.mkdir(parents=True)
    text = DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', f'terminal_id = "{terminal_id}"')
    text = text.replace('store_id = "S001"', f'store_id = "{store_id}"')
    (home / "till.toml").write_text(text.replace('timezone = "Asia/Shanghai"', f'timezone = "{timezone}"'))
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    with ctx.uow() as uow:
        uow.session.add(
            orm.Product(
                id=new_id(),
                sku=RICE,
                name_zh="大米",
                name_en="Rice",
                category="grain",
                unit_price=4990,
                member_price=4590,
                active=True,
            )
        )
        uow.commit()
    out = server_cli(hq, "store", "add", store_id, "--timezone", timezone)
    assert out.returncode == 0, out.stderr
    enrol(ctx, hq.url, enrol_code(hq.database_url, store_id, terminal_id))
    staff = {"cashier": add_staff(ctx, "1001", "Li Na", Role.CASHIER, "1234")}
    return ctx, staff, SyncWorker(ctx, FAST)


def register(ctx: TillContext, staff: dict[str, Any]) -> Any:
    from app.services.members import RegisterMember, register_member

    return register_member(
        ctx, RegisterMember(phone=random_phone(), consent_given=True, staff_id=staff["cashier"].id)
    ).member.id


def server_member(hq: ServerProcess, member_id: Any) -> tuple[str, list[tuple[int, datetime | None]]]:
    """The server's tier for a member, and its earn entries (points, expiry) in time order."""
    db, s = session_for(hq.database_url)
    try:
        tier = s.get_one(srv.Member, member_id).tier
        earned = [
            (e.points, e.expires_at)
            for e in s.execute(
                select(srv.LedgerEntry)
                .where(srv.LedgerEntry.member_id == member_id, srv.LedgerEntry.kind == "earn")
                .order_by(srv.LedgerEntry.at)
            ).scalars()
        ]
        return tier, earned
    finally:
        s.close()
        db.dispose()


def till_member(ctx: TillContext, member_id: Any) -> tuple[str, list[tuple[int, datetime | None]]]:
    with ctx.uow(write=False) as uow:
        tier = uow.session.get_one(orm.Member, member_id).tier
        earned = [
            (e.points, e.expires_at)
            for e in uow.session.execute(
                select(orm.LedgerEntry)
                .where(orm.LedgerEntry.member_id == member_id, orm.LedgerEntry.kind == "earn")
                .order_by(orm.LedgerEntry.at)
            ).scalars()
        ]
    return tier, earned


# ---------------------------------------------------------------- publishing


def test_publish_and_show_with_the_command(hq: ServerProcess, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"redemption": {"max_share": "2"}}))
    out = server_cli(hq, "program", "publish", str(bad))
    assert out.returncode == 2 and "redemption.max_share" in out.stderr and "Traceback" not in out.stderr

    past = tmp_path / "past.json"
    past.write_text(DEFAULT_PROGRAM.to_json())  # effective from 2000: not a start HQ may choose now
    out = server_cli(hq, "program", "publish", str(past), "--effective-from", "2026-01-01T00:00:00+08:00")
    assert out.returncode == 2 and "in the past" in out.stderr

    later = datetime.now(UTC) + timedelta(days=400)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"earn_points_per_yuan": 5, "note": "next year's program"}))
    out = server_cli(hq, "program", "publish", str(good), "--effective-from", later.isoformat())
    assert out.returncode == 0, out.stderr
    assert "published loyalty program version" in out.stdout

    now = server_cli(hq, "program", "show")
    assert now.returncode == 0 and json.loads(now.stdout)["earn_points_per_yuan"] != 5
    then = server_cli(hq, "program", "show", "--at", (later + timedelta(seconds=1)).isoformat())
    assert json.loads(then.stdout)["earn_points_per_yuan"] == 5
    assert "published version" in then.stderr


def test_the_hq_api_needs_the_token_and_refuses_a_bad_program(hq: ServerProcess) -> None:
    url = f"{hq.url}/api/v1/program"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
    bad = requests.post(
        url,
        headers=HQ,
        timeout=10,
        json={
            "program": {
                "tiers": [
                    {"tier": "gold", "threshold_fen": 0, "multiplier": "1"},
                    {"tier": "basic", "threshold_fen": 10, "multiplier": "1"},
                ]
            },
            "published_by": "hq",
        },
    )
    assert bad.status_code == 422 and "tiers" in bad.json()["message"]
    past = requests.post(
        url,
        headers=HQ,
        timeout=10,
        json={"program": {}, "effective_from": "2020-01-01T00:00:00Z", "published_by": "hq"},
    )
    assert past.status_code == 422 and past.json()["code"] == "invalid_program"
    listed = requests.get(url, headers=HQ, timeout=10).json()
    assert {"at", "in_force", "versions"} <= listed.keys()


# ---------------------------------------------------------------- the program reaches the tills


def test_a_published_program_reaches_a_till_by_pull_and_changes_what_it_earns(
    hq: ServerProcess, tmp_path: Path
) -> None:
    clock = FrozenClock(datetime.now(UTC))
    ctx, staff, worker = make_till(tmp_path / "a", clock, hq, "SPULL", "T01")
    try:
        member = register(ctx, staff)
        assert worker.run_once().ok
        assert sell(ctx, staff, ((RICE, 1),), member_id=member).points_earned == 45  # ¥45.90 × 1

        start = datetime.now(UTC) + timedelta(seconds=2)
        version = publish(hq, {"earn_points_per_yuan": 3, "note": "triple points"}, start)
        clock.at = start + timedelta(minutes=1)
        assert sell(ctx, staff, ((RICE, 1),), member_id=member).points_earned == 45  # not pulled yet
        report = worker.run_once()
        assert report.ok, report.describe()
        assert ctx.program_at(clock.at).version == version
        assert ctx.program_at(start - timedelta(seconds=1)).version != version  # not before its start
        third = sell(ctx, staff, ((RICE, 1),), member_id=member)
        assert third.points_earned == 137  # ¥45.90 × 3
        assert worker.run_once().ok
        db, s = session_for(hq.database_url)
        try:
            named = s.get_one(srv.Sale, third.sale_id).program_version
        finally:
            s.close()
            db.dispose()
        assert named == version
    finally:
        worker.stop()
        ctx.close()


def test_the_servers_tier_and_expiry_for_a_custom_table_equal_the_tills(
    hq: ServerProcess, tmp_path: Path
) -> None:
    start = datetime.now(UTC) + timedelta(seconds=1)
    publish(
        hq,
        {
            "tiers": [
                {"tier": "basic", "threshold_fen": 0, "multiplier": "1"},
                {"tier": "silver", "threshold_fen": 4_000, "multiplier": "2"},
                {"tier": "gold", "threshold_fen": 9_000, "multiplier": "3"},
            ],
            "expiry": {"years_after": 2},
        },
        start,
    )
    # 23:30 on 31 December in New York is already 1 January in UTC (and in Shanghai).
    clock = FrozenClock(datetime(2027, 1, 1, 4, 30, tzinfo=UTC))
    ctx, staff, worker = make_till(tmp_path / "ny", clock, hq, "SNY", "T02", "America/New_York")
    try:
        member = register(ctx, staff)
        assert worker.run_once().ok  # pulls the program
        for _ in range(3):
            sell(ctx, staff, ((RICE, 1),), member_id=member)
            clock.advance(minutes=5)
        report = worker.run_once()
        assert report.ok, report.describe()
        till = till_member(ctx, member)
        server = server_member(hq, member)
        assert till[0] == "gold"  # ¥137.70 of spend
        assert server == till
        # Earned on 31 December 2026 in New York: gone at the start of 2029 there (years_after 2).
        assert till[1][0][1] == datetime(2029, 1, 1, 5, 0, tzinfo=UTC)
        assert member_view(ctx, member).tier == "gold"
    finally:
        worker.stop()
        ctx.close()


# ---------------------------------------------------------------- both ends, the same code

tier_tables = st.lists(st.integers(min_value=1, max_value=30_000), min_size=1, max_size=3, unique=True).map(
    sorted
)
multipliers = st.sampled_from(["1", "1.2", "1.5", "2", "2.5", "3"])


@st.composite
def programs(draw: st.DrawFn) -> dict[str, Any]:
    thresholds = draw(tier_tables)
    names = ["silver", "gold", "black"][: len(thresholds)]
    tiers = [{"tier": "basic", "threshold_fen": 0, "multiplier": draw(multipliers)}]
    tiers += [
        {"tier": n, "threshold_fen": t, "multiplier": draw(multipliers)}
        for n, t in zip(names, thresholds, strict=True)
    ]
    return {
        "tiers": tiers,
        "earn_points_per_yuan": draw(st.integers(0, 5)),
        "expiry": {"years_after": draw(st.integers(0, 3))},
        "birthday_multiplier": draw(st.none() | multipliers),
    }


@pytest.fixture(scope="module")
def prop_till(hq: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    clock = FrozenClock(datetime.now(UTC))
    ctx, staff, worker = make_till(
        tmp_path_factory.mktemp("prop") / "till", clock, hq, "SPROP", "T03", "Asia/Urumqi"
    )
    yield ctx, staff, worker, clock
    worker.stop()
    ctx.close()


@settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    program=programs(),
    quantities=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    gaps_h=st.lists(st.integers(0, 24 * 80), min_size=4, max_size=4),
)
def test_the_same_sale_gives_the_same_points_tier_and_expiry_on_both_ends(
    hq: ServerProcess, prop_till: Any, program: dict[str, Any], quantities: list[int], gaps_h: list[int]
) -> None:
    ctx, staff, worker, clock = prop_till
    start = max(datetime.now(UTC), clock.at) + timedelta(seconds=1)
    version = publish(hq, program, start)
    clock.at = start
    member = register(ctx, staff)
    assert worker.run_once().ok
    assert ctx.program_at(clock.at).version == version
    for qty, gap in zip(quantities, gaps_h, strict=False):
        clock.advance(hours=gap)  # across year ends in the store's zone, too (within one 12-month
        # window: the server's batch keeps a member's spend without dropping sales older than it)
        sell(ctx, staff, ((RICE, qty),), member_id=member)
    assert worker.run_once().ok
    till, server = till_member(ctx, member), server_member(hq, member)
    assert server == till
    assert LoyaltyProgram.model_validate(program).tier_for_spend(4590 * sum(quantities)) == till[0]


@pytest.mark.slow
def test_the_program_api_never_answers_5xx(hq: ServerProcess) -> None:
    """The program routes, fuzzed from the published schema with and without the admin token
    (here, on this module's own server: what it publishes must reach no other test)."""
    import schemathesis
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_url(hq.url + "/openapi.json")
    operations = [op.ok() for op in schema.get_all_operations() if op.ok().path == "/api/v1/program"]
    assert {op.method.upper() for op in operations} == {"GET", "POST"}
    failures: list[str] = []
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=25,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                headers = HQ if hash(repr(case.body)) % 4 else {}
                response = case.call(base_url=hq.url, headers=headers, timeout=10)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {str(case.body)[:200]!r}: {response.status_code} "
                        f"{response.text[:200]}"
                    )

            try:
                run()
            except Unsatisfiable:
                continue
    assert not failures, "\n".join(failures[:10])

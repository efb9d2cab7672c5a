"""Server sync benchmark on loopback with PostgreSQL.

1. Drain: one till's 10,000 queued sales (70 % with a member: points earned, some redeemed)
   pushed in batches of 500 (MAX_PUSH_EVENTS), as the till's sync worker does. Target < 10 s.
2. Contention: 50 tills push at once (each a few batches of small pushes, as tills do while
   trading), mostly to their own members, some to members every till sells to; push latency
   p50/p95/p99. The old workload (10 members per till, one sale in five to 5 shared members):
   `--own-members 10 --shared 5 --shared-every 5`.
3. First pull: 100,000 members (and one ledger entry each) bulk-seeded for a store, then a
   till pulls everything page by page (1,000 changes a page). Target < 15 s.

Run: .venv/bin/python bench/bench_sync_server.py [--sales 10000] [--tills 50] [--pull-members 100000]
     [--workers 2]
Needs the PostgreSQL at LT_TEST_PG_ADMIN_URL (default postgres@127.0.0.1:5432); it creates
and drops its own database and starts `till-server serve` on a free port.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.migrate import upgrade
from server.settings import ServerSettings
from sync.protocol import MAX_PULL_LIMIT, MAX_PUSH_EVENTS
from tests.server.conftest import ADMIN_URL, create_database, drop_database
from tests.server.support import ServerProcess, Till, random_phone


def drain(server: ServerProcess, url: str, n_sales: int) -> dict[str, float]:
    till = Till(server.url, url, "SBENCH")
    till.enrol()
    members = [uuid.uuid4() for _ in range(500)]
    till.push([till.registration(random_phone(), m) for m in members], timeout=300)
    events = []
    for i in range(n_sales):
        mid = members[i % len(members)] if i % 10 < 7 else None
        redeem = 100 if mid is not None and i % 20 == 0 else 0
        # Points as an honest till earns them (the server prices every sale again and checks).
        events.append(till.sale(mid, total=1000 + i % 5000, redeemed=redeem))
    cpu0 = _cpu(server.proc.pid)
    t0 = time.perf_counter()
    batches = 0
    for start in range(0, len(events), MAX_PUSH_EVENTS):
        out = till.push(events[start : start + MAX_PUSH_EVENTS], timeout=120)
        assert all(r["status"] == "applied" for r in out["results"]), out["results"][:3]
        batches += 1
    elapsed = time.perf_counter() - t0
    return {
        "sales": n_sales,
        "batches": batches,
        "seconds": round(elapsed, 2),
        "sales_per_s": round(n_sales / elapsed),
        "server_cpu_s": round(_cpu(server.proc.pid) - cpu0, 1),
    }


def _cpu(pid: int | None = None, db_name: str | None = None) -> float:
    """CPU seconds (user+system) of a process and its descendants, or of the PostgreSQL backends
    serving one database: what the work cost, apart from time spent waiting for a core."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[int, float, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        procs[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick, cmd)
    if db_name is not None:
        return sum(cpu for _, cpu, cmd in procs.values() if f" {db_name} " in cmd)
    total, todo = 0.0, [pid]
    while todo:
        cur = todo.pop()
        total += procs.get(cur or -1, (0, 0.0, ""))[1]
        todo.extend(p for p, (ppid, _, _) in procs.items() if ppid == cur)
    return total


def contention(
    server: ServerProcess,
    url: str,
    n_tills: int,
    rounds: int,
    per_push: int,
    own_members: int,
    n_shared: int,
    shared_every: int,
) -> dict[str, Any]:
    tills = [Till(server.url, url, f"SB{i % 10}") for i in range(n_tills)]
    for t in tills:
        t.enrol()
    # Each till sells mostly to its own members (its store's regulars); one sale in
    # `shared_every` is to one of `n_shared` members shared by every till (a regular seen at
    # several stores), so pushes do contend on some rows.
    own: list[list[uuid.UUID]] = []
    for t in tills:
        mids = [uuid.uuid4() for _ in range(own_members)]
        t.push([t.registration(random_phone(), m) for m in mids])
        own.append(mids)
    shared = [own[i % n_tills][i // n_tills] for i in range(n_shared)]
    latencies: list[float] = []

    def member(i: int, r: int, k: int) -> uuid.UUID:
        n = r * per_push + k
        if n % shared_every == 0:
            return shared[(i + n) % len(shared)]
        return own[i][(n * 7 + i) % own_members]

    def run(i: int) -> None:
        t = tills[i]
        for r in range(rounds):
            batch = [t.sale(member(i, r, k), total=2000, earned=20) for k in range(per_push)]
            t0 = time.perf_counter()
            out = t.push(batch, timeout=60)
            latencies.append(time.perf_counter() - t0)
            assert all(x["status"] == "applied" for x in out["results"])
            t.pull_all()

    assert server.proc is not None
    cpu0 = _cpu(server.proc.pid)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(n_tills) as pool:
        list(pool.map(run, range(n_tills)))
    wall = time.perf_counter() - t0
    server_cpu = _cpu(server.proc.pid) - cpu0
    q = statistics.quantiles(latencies, n=100)
    return {
        "tills": n_tills,
        "pushes": len(latencies),
        "events_per_push": per_push,
        "shared": f"1 in {shared_every} sales to {n_shared} members",
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "wall_s": round(wall, 2),
        "server_cpu_s": round(server_cpu, 1),
        "load_avg_1m": os.getloadavg()[0],
    }


def seed_members(url: str, store_id: str, n: int, random_ids: bool = False) -> float:
    """Bulk path for HQ imports and benchmarks: members, their store link and one earn entry
    each, inserted with Core executemany; the change rows go through `server.pull.record_change`
    and are written, with their seqs, by the commit hook like any other change.

    Ids are UUIDv7 made in registration order, as the till and the server make them, so the
    ids a till pulls grow with the seqs. `random_ids` seeds random (v4) ids instead: the worst
    case for the till's indexes, where every page's inserts land all over each B-tree."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from app.domain.ids import new_id
    from app.domain.points import expiry_for
    from server.models import LedgerEntry, Member, MemberStore
    from server.pull import ledger_data, member_data, record_change
    from tests.server.support import session_for

    t0 = time.perf_counter()
    db, s = session_for(url)
    now = datetime.now(UTC)
    members, links, entries = [], [], []
    make_id = uuid.uuid4 if random_ids else new_id
    for i in range(n):
        at = now - timedelta(days=400) + timedelta(seconds=i * 300)
        m = Member(
            id=make_id(),
            phone=f"+86137{i:08d}",
            card_no=f"9{i:011d}",
            name=f"Member {i}",
            birthday=None,
            family=None,
            favourite_categories=[],
            consent_policy_version="2025-01",
            consent_at=at,
            marketing_opt_in=i % 3 == 0,
            registered_at=at,
            store_id=store_id,
            tier="basic",
            last_purchase_at=None,
            merged_into=None,
            stub=False,
            overdraft_flagged_at=None,
            updated_at=now,
        )
        e = LedgerEntry(
            id=make_id(),
            member_id=m.id,
            kind="earn",
            points=100 + i % 900,
            at=now,
            expires_at=expiry_for(now),
            sale_id=None,
            refund_id=None,
            note="import",
            terminal_id=None,
            event_id=None,
        )
        members.append({c.key: getattr(m, c.key) for c in Member.__table__.columns})
        entries.append({c.key: getattr(e, c.key) for c in LedgerEntry.__table__.columns})
        links.append({"member_id": m.id, "store_id": store_id})
        record_change(s, "member", str(m.id), member_data(m), at=now, member_id=m.id)
        record_change(s, "ledger_entry", str(e.id), ledger_data(e), at=now, member_id=m.id)
    s.execute(insert(Member), members)
    s.execute(insert(MemberStore), links)
    s.execute(insert(LedgerEntry), entries)
    s.commit()
    s.close()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    db.dispose()
    return time.perf_counter() - t0


def first_pull_real(server: ServerProcess, url: str, store: str, home: Path) -> dict[str, float]:
    """The till's own sync client (sync/worker.py) pulling into a fresh till home: each page
    fetched, then applied with its cursor in one SQLite transaction."""
    from app.services.context import open_till
    from sync.enrol import enrol
    from sync.worker import SyncWorker, WorkerSettings
    from tests.server.support import enrol_code

    ctx = open_till(home)
    try:
        enrol(ctx, server.url, enrol_code(url, store, "TREAL"))
        worker = SyncWorker(ctx, WorkerSettings(pull_limit=MAX_PULL_LIMIT, read_timeout_s=60))
        t0 = time.perf_counter()
        report = worker.run_once()
        elapsed = time.perf_counter() - t0
        assert report.ok, report.describe()
        return {
            "pages": report.pages,
            "changes": report.changes,
            "pull_s": round(elapsed, 2),
            "changes_per_s": round(report.changes / elapsed),
        }
    finally:
        ctx.close()


def first_pull(
    server: ServerProcess, url: str, n_members: int, home: Path | None, random_ids: bool = False
) -> dict[str, Any]:
    store = "SPULL"
    till = Till(server.url, url, store)
    till.enrol()
    seeded = seed_members(url, store, n_members, random_ids)
    t0 = time.perf_counter()
    changes = till.pull_all(limit=MAX_PULL_LIMIT)
    elapsed = time.perf_counter() - t0
    members = sum(1 for c in changes if c["entity"] == "member")
    assert members >= n_members, members
    out: dict[str, Any] = {
        "ids": "random v4" if random_ids else "v7",
        "members": members,
        "changes": len(changes),
        "pages": -(-len(changes) // MAX_PULL_LIMIT),
        "seed_s": round(seeded, 1),
        "protocol_client_pull_s": round(elapsed, 2),
        "changes_per_s": round(len(changes) / elapsed),
    }
    if home is not None:
        out["real_client"] = first_pull_real(server, url, store, home)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=int, default=10_000, help="drain: queued sales (0: skip)")
    ap.add_argument("--tills", type=int, default=50, help="contention: tills (0: skip)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--per-push", type=int, default=10)
    ap.add_argument("--own-members", type=int, default=100, help="contention: each till's own members")
    ap.add_argument("--shared", type=int, default=20, help="contention: members every till sells to")
    ap.add_argument("--shared-every", type=int, default=10, help="contention: one sale in N is shared")
    ap.add_argument("--pull-members", type=int, default=100_000, help="first pull: members (0: skip)")
    ap.add_argument(
        "--real-client",
        action="store_true",
        help="first pull: also time the till's own sync client into a fresh till home",
    )
    ap.add_argument(
        "--random-ids",
        action="store_true",
        help="first pull: seed random (v4) ids instead of UUIDv7 (the worst case)",
    )
    ap.add_argument("--workers", type=int, default=int(os.environ.get("LT_SERVER_WORKERS", "2")))
    args = ap.parse_args()
    url = create_database(ADMIN_URL, "lt_bench_")
    try:
        upgrade(ServerSettings(database_url=url))
        with tempfile.TemporaryDirectory() as tmp:
            pool = os.environ.get("LT_SERVER_POOL_SIZE", "20")
            server = ServerProcess(
                url, Path(tmp), LT_SERVER_POOL_SIZE=pool, LT_SERVER_WORKERS=str(args.workers)
            )
            server.start(timeout=120)  # a loaded machine starts two workers slowly
            print(f"server workers: {args.workers}", flush=True)
            try:
                if args.sales:
                    print("drain     ", drain(server, url, args.sales), flush=True)
                if args.tills:
                    figures = contention(
                        server,
                        url,
                        args.tills,
                        args.rounds,
                        args.per_push,
                        args.own_members,
                        args.shared,
                        args.shared_every,
                    )
                    print("contention", figures, flush=True)
                if args.pull_members:
                    home = Path(tmp) / "till-home" if args.real_client else None
                    print(
                        "first pull",
                        first_pull(server, url, args.pull_members, home, args.random_ids),
                        flush=True,
                    )
            finally:
                server.stop()
    finally:
        drop_database(ADMIN_URL, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Server sync benchmark on loopback with PostgreSQL.

1. Drain: one till's 10,000 queued sales (70 % with a member: points earned, some redeemed)
   pushed in batches of 500 (MAX_PUSH_EVENTS), as the till's sync worker does. Target < 10 s.
2. Contention: 50 tills push at once (each a few batches of small pushes, as tills do while
   trading); push latency p50/p95/p99.

Run: .venv/bin/python bench/bench_sync_server.py [--sales 10000] [--tills 50]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.migrate import upgrade
from server.settings import ServerSettings
from sync.protocol import MAX_PUSH_EVENTS
from tests.server.conftest import ADMIN_URL, create_database, drop_database
from tests.server.support import ServerProcess, Till, random_phone


def drain(server: ServerProcess, url: str, n_sales: int) -> dict[str, float]:
    till = Till(server.url, url, "SBENCH")
    till.enrol()
    members = [uuid.uuid4() for _ in range(500)]
    till.push([till.registration(random_phone(), m) for m in members])
    events = []
    for i in range(n_sales):
        mid = members[i % len(members)] if i % 10 < 7 else None
        redeem = 100 if mid is not None and i % 20 == 0 else 0
        earned = 10 + i % 50 if mid else 0
        events.append(till.sale(mid, total=1000 + i % 5000, earned=earned, redeemed=redeem))
    t0 = time.perf_counter()
    batches = 0
    for start in range(0, len(events), MAX_PUSH_EVENTS):
        out = till.push(events[start:start + MAX_PUSH_EVENTS], timeout=120)
        assert all(r["status"] == "applied" for r in out["results"]), out["results"][:3]
        batches += 1
    elapsed = time.perf_counter() - t0
    return {"sales": n_sales, "batches": batches, "seconds": round(elapsed, 2),
            "sales_per_s": round(n_sales / elapsed)}


def contention(server: ServerProcess, url: str, n_tills: int, rounds: int, per_push: int) -> dict[str, float]:
    tills = [Till(server.url, url, f"SB{i % 10}") for i in range(n_tills)]
    for t in tills:
        t.enrol()
    # Each till sells mostly to its own members; one sale in five is to a member shared by
    # every till (a regular seen at several stores), so pushes do contend on some rows.
    own: list[list[uuid.UUID]] = []
    for t in tills:
        mids = [uuid.uuid4() for _ in range(per_push)]
        t.push([t.registration(random_phone(), m) for m in mids])
        own.append(mids)
    shared = [m for mids in own[:5] for m in mids[:1]]
    latencies: list[float] = []

    def member(i: int, r: int, k: int) -> uuid.UUID:
        return shared[(i + r + k) % len(shared)] if k % 5 == 0 else own[i][k]

    def run(i: int) -> None:
        t = tills[i]
        for r in range(rounds):
            batch = [t.sale(member(i, r, k), total=2000, earned=20) for k in range(per_push)]
            t0 = time.perf_counter()
            out = t.push(batch, timeout=60)
            latencies.append(time.perf_counter() - t0)
            assert all(x["status"] == "applied" for x in out["results"])
            t.pull_all()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(n_tills) as pool:
        list(pool.map(run, range(n_tills)))
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return {"tills": n_tills, "pushes": len(latencies), "events_per_push": per_push,
            "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1),
            "p99_ms": round(q[98] * 1000, 1), "wall_s": round(wall, 2)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=int, default=10_000)
    ap.add_argument("--tills", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--per-push", type=int, default=10)
    args = ap.parse_args()
    url = create_database(ADMIN_URL, "lt_bench_")
    try:
        upgrade(ServerSettings(database_url=url))
        with tempfile.TemporaryDirectory() as tmp:
            pool = os.environ.get("LT_SERVER_POOL_SIZE", "20")
            server = ServerProcess(url, Path(tmp), LT_SERVER_POOL_SIZE=pool)
            server.start()
            try:
                print("drain     ", drain(server, url, args.sales), flush=True)
                figures = contention(server, url, args.tills, args.rounds, args.per_push)
                print("contention", figures, flush=True)
            finally:
                server.stop()
    finally:
        drop_database(ADMIN_URL, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

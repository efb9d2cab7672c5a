"""Drain 10,000 queued sales through the sync worker (till side) to a server on loopback.

    .venv/bin/python bench/bench_sync_client.py [--events 10000] [--batch 200] [--server URL CODE]

By default the server is the tests' stand-in (records and dedupes only), so the figure is the
till's cost: reading batches, JSON, HTTP on loopback, writing results. With `--server URL CODE`
a real `till-server serve` is used (enrol code from `till-server terminal enroll`).
While the drain runs, a writer thread commits a small transaction every 20 ms (a stand-in for
sales) and the worst wait for the write lock is reported: the worker must never block a sale.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.services.context import open_till
from app.services.outbox import record_event
from app.store.orm import Counter
from sync.enrol import enrol
from sync.worker import SyncWorker, WorkerSettings


def _payload(n: int) -> dict[str, object]:
    return {
        "sale_id": f"bench-{n}",
        "receipt_no": f"T01-{n:08d}",
        "store_id": "S001",
        "terminal_id": "T01",
        "member_id": None,
        "at": datetime.now(UTC).isoformat(),
        "subtotal": 2580,
        "member_savings": 0,
        "coupon_discount": 0,
        "points_redeemed": 0,
        "points_value": 0,
        "total_due": 2580,
        "points_earned": 0,
        "paid": 3000,
        "change_due": 420,
        "feedback_token": "x" * 80,
        "coupons": [],
        "payments": [{"tender": "cash", "amount": 3000, "reference": ""}],
        "lines": [
            {
                "line_no": i,
                "sku": "6901234567892",
                "qty": 1,
                "list_total": 1290,
                "line_total": 1290,
                "coupon_discount": 0,
                "points_discount": 0,
                "points_redeemed": 0,
                "net": 1290,
                "points_earned": 0,
            }
            for i in (1, 2)
        ],
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--server", nargs=2, metavar=("URL", "CODE"))
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-sync-")) / "home"
    ctx = open_till(home)
    standin = None
    if args.server:
        url, code = args.server
    else:
        from tests.sync.standin import StandIn

        standin = StandIn().start()
        url, code = standin.url, "ENROL-123456"
    enrol(ctx, url, code)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    with ctx.uow() as uow:
        for n in range(args.events):
            record_event(uow.session, ctx.terminal_id, "sale.completed", _payload(n), now)
        uow.commit()
    print(f"queued {args.events} sale events in {time.perf_counter() - t0:.2f} s")

    waits: list[float] = []
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            with ctx.uow() as uow:
                uow.session.merge(Counter(name="bench:writer", value=len(waits)))
                uow.commit()
            waits.append(time.perf_counter() - started)
            time.sleep(0.02)

    w = SyncWorker(ctx, WorkerSettings(batch_size=args.batch))
    t = threading.Thread(target=writer)
    t.start()
    t0 = time.perf_counter()
    report = w.run_once()
    elapsed = time.perf_counter() - t0
    stop.set()
    t.join()
    w.stop()
    print(report.describe())
    print(
        f"drained {report.pushed} events in {elapsed:.2f} s ({report.pushed / elapsed:,.0f} events/s, "
        f"{report.batches} batches of up to {args.batch})"
    )
    waits.sort()
    if waits:
        print(
            f"concurrent writer: {len(waits)} commits, p50 {waits[len(waits) // 2] * 1000:.1f} ms, "
            f"max {waits[-1] * 1000:.1f} ms"
        )
    ctx.close()
    if standin is not None:
        standin.stop()
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""What the server's checks on pushed events cost, in CPU (not wall time, which the machine's
other load decides): the 10,000-sale drain of bench_sync_server.py applied in-process with
`server.push.push` against PostgreSQL, 20 batches of 500, timed with this process's CPU clock
(the server's Python work: pricing every sale again, the coupon, spreading and limit checks)
and the CPU of the PostgreSQL backends serving the database. Run from a checkout to measure
its code; compare two checkouts (before and after a change) on the same machine.

Run: .venv/bin/python bench/bench_push_checks.py [--sales 10000]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_sync_server import _cpu
from server.db import Database
from server.migrate import upgrade
from server.push import push
from server.settings import ServerSettings
from sync.protocol import MAX_PUSH_EVENTS, PushRequest
from tests.server.conftest import ADMIN_URL, create_database, drop_database
from tests.server.support import Till, enrol_in_process, random_phone


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=int, default=10_000)
    args = ap.parse_args()
    url = create_database(ADMIN_URL, "lt_bench_")
    db_name = url.rsplit("/", 1)[1]
    try:
        settings = ServerSettings(database_url=url)
        upgrade(settings)
        db = Database(settings)
        till = Till("http://unused", url, "SBENCH")
        enrol_in_process(db, till)

        def send(events: list[dict[str, object]]) -> None:
            req = PushRequest.model_validate({"events": events, "till_time": datetime.now(UTC)})
            out = push(db, till.terminal_id, req, "bench")
            assert all(r.status == "applied" for r in out.results), out.results[:3]

        members = [uuid.uuid4() for _ in range(500)]
        send([till.registration(random_phone(), m) for m in members])
        events = []
        for i in range(args.sales):
            mid = members[i % len(members)] if i % 10 < 7 else None
            redeem = 100 if mid is not None and i % 20 == 0 else 0
            total = 1000 + i % 5000
            earned = (total - redeem) // 100 if mid else 0  # as an honest till earns
            events.append(till.sale(mid, total=total, earned=earned, redeemed=redeem))
        cpu0, pg0, t0 = time.process_time(), _cpu(db_name=db_name), time.perf_counter()
        for start in range(0, len(events), MAX_PUSH_EVENTS):
            send(events[start : start + MAX_PUSH_EVENTS])
        cpu, pg, wall = time.process_time() - cpu0, _cpu(db_name=db_name) - pg0, time.perf_counter() - t0
        print(
            f"drain {args.sales} sales in {len(events) // MAX_PUSH_EVENTS} pushes: server CPU "
            f"{cpu:.2f} s ({cpu / args.sales * 1000:.2f} ms a sale), PostgreSQL CPU {pg:.2f} s, "
            f"wall {wall:.2f} s"
        )
        db.dispose()
    finally:
        drop_database(ADMIN_URL, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""HQ console benchmark on loopback with PostgreSQL: the server time of every console page
(the `Server-Timing: app;dur=` each console answer carries: routing, queries, rendering) and
member search by phone, on a large member table.

1. A fresh database with the demo chain (`till-server demo seed`, intel recomputed), then
   `--members` more members (default 1,000,000) bulk-copied in, registered at the four stores,
   and ANALYZE.
2. `till-server serve` (one worker); a staff session signs in over HTTP; each page is fetched
   `--runs` times (after two warm-up fetches): p50 / p95 / max of the server time, and of the
   whole round trip as the client saw it.
3. Member search by phone on the big table: the search fragment (what the search box's htmx
   request gets) for `--runs` random members' phones, server time p50 / p95.

Targets (issue 14): every console page p95 < 300 ms, the dashboard < 500 ms, search by phone
< 50 ms. Run: .venv/bin/python bench/bench_console.py [--members 1000000] [--runs 50]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
from sqlalchemy import select, text

from app.domain.ids import new_id
from server.console import demo
from server.db import Database
from server.feedback.models import Ticket
from server.migrate import upgrade
from server.models import Member, Product
from server.settings import ServerSettings
from tests.server.conftest import ADMIN_URL, create_database, drop_database
from tests.server.support import ServerProcess

_COLS = (
    "id",
    "phone",
    "card_no",
    "name",
    "favourite_categories",
    "marketing_opt_in",
    "registered_at",
    "store_id",
    "tier",
    "stub",
    "updated_at",
)


def bulk_members(db: Database, n: int) -> float:
    """n members and their member_stores rows by COPY; returns seconds."""
    started = time.perf_counter()
    stores = [s for s, _ in demo.STORES]
    with db.engine.raw_connection() as raw:
        cur = raw.cursor()
        with cur.copy(f"COPY members ({', '.join(_COLS)}) FROM STDIN") as cp:
            ms = []
            for i in range(n):
                mid = new_id()
                store = stores[i % len(stores)]
                ms.append((mid, store))
                reg = f"2026-0{1 + i % 9}-1{i % 10} 10:00:00+08"
                cp.write_row(
                    (
                        str(mid),
                        f"+86137{i:08d}",
                        f"9{i:015d}",
                        f"{'王李张刘陈'[i % 5]}{i}",
                        "[]",
                        "t" if i % 3 else "f",
                        reg,
                        store,
                        "basic",
                        "f",
                        reg,
                    )
                )
        with cur.copy("COPY member_stores (member_id, store_id) FROM STDIN") as cp:
            for mid, store in ms:
                cp.write_row((str(mid), store))
        raw.commit()
        cur.execute("ANALYZE members")
        cur.execute("ANALYZE member_stores")
        raw.commit()
    return time.perf_counter() - started


def server_ms(resp: requests.Response) -> float:
    m = re.search(r"app;dur=([0-9.]+)", resp.headers.get("Server-Timing", ""))
    if m is None:
        raise RuntimeError(f"no Server-Timing on {resp.url} ({resp.status_code})")
    return float(m.group(1))


def sign_in(base: str, user: str) -> requests.Session:
    http = requests.Session()
    page = http.get(base + "/console/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = http.post(
        base + "/console/login",
        data={"csrf": csrf, "username": user, "password": demo.DEMO_PASSWORD, "next": "/console"},
        timeout=10,
    )
    r.raise_for_status()
    return http


def measure(
    http: requests.Session, url: str, runs: int, headers: dict[str, str] | None = None
) -> dict[str, float]:
    for _ in range(2):
        http.get(url, timeout=30, headers=headers)
    server, wall = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = http.get(url, timeout=30, headers=headers)
        wall.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{url}: {r.status_code}")
        server.append(server_ms(r))
    return _stats(server, wall)


def _stats(server: list[float], wall: list[float]) -> dict[str, float]:
    q = lambda xs, p: statistics.quantiles(xs, n=100)[p - 1] if len(xs) > 1 else xs[0]  # noqa: E731
    return {
        "p50": statistics.median(server),
        "p95": q(server, 95),
        "max": max(server),
        "wall_p95": q(wall, 95),
    }


def pages(db: Database) -> dict[str, str]:
    with db.sessions() as s:
        ticket = s.execute(select(Ticket.id).order_by(Ticket.due_at).limit(1)).scalar_one()
        member = s.execute(
            select(Member.id).where(Member.last_purchase_at.is_not(None)).limit(1)
        ).scalar_one()
        sku = s.execute(select(Product.sku).limit(1)).scalar_one()
    return {
        "dashboard": "/dashboard",
        "dashboard (store, day)": "/dashboard?store=S001&period=day",
        "tickets": "/tickets",
        "ticket": f"/tickets/{ticket}",
        "members (name search)": "/members?q=王1",
        "member": f"/members/{member}",
        "stores": "/stores",
        "conflicts": "/conflicts",
        "catalogue": "/catalogue",
        "product": f"/catalogue/products/{sku}",
        "gifts": "/gifts",
        "program": "/program",
        "program (new version form)": "/program/new",
        "audit": "/audit",
    }


def in_process(db: Database, members: int, runs: int) -> str:
    """members_query.search by phone alone (normalising the phone, the indexed query)."""
    from server.console.members_query import search

    rng = random.Random(5)
    times = []
    with db.sessions() as s:
        for _ in range(runs + 2):
            t0 = time.perf_counter()
            how, found = search(s, f"137{rng.randrange(members):08d}", None)
            times.append((time.perf_counter() - t0) * 1000)
            assert how == "phone" and len(found) == 1
    times = times[2:]
    p95 = statistics.quantiles(times, n=100)[94]
    return f"{statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    url = create_database(ADMIN_URL, prefix="lt_bench_console_")
    try:
        settings = ServerSettings(database_url=url)
        upgrade(settings)
        db = Database(settings)
        with db.sessions() as s:
            demo.seed(s)
            s.commit()
            demo.recompute_intel(s)
        took = bulk_members(db, args.members)
        with db.sessions() as s:
            total = s.execute(text("SELECT count(*) FROM members")).scalar_one()
        print(f"members: {total:,} ({args.members:,} bulk-copied in {took:.0f} s)")
        with tempfile.TemporaryDirectory() as tmp:
            proc = ServerProcess(url, Path(tmp), LT_SERVER_CONSOLE_SECURE_COOKIES="false").start()
            try:
                http = sign_in(proc.url, "admin")
                print(f"{'page':<26} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'wall p95':>9}")
                for name, path in pages(db).items():
                    st = measure(http, proc.url + "/console" + path, args.runs)
                    print(
                        f"{name:<26} {st['p50']:8.1f} {st['p95']:8.1f} {st['max']:8.1f} {st['wall_p95']:9.1f}"
                    )
                rng = random.Random(3)
                server, wall = [], []
                for _ in range(args.runs):
                    phone = f"137{rng.randrange(args.members):08d}"
                    t0 = time.perf_counter()
                    r = http.get(
                        f"{proc.url}/console/members",
                        params={"q": phone},
                        headers={"HX-Request": "true"},
                        timeout=30,
                    )
                    wall.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200 and "/console/members/" in r.text, r.text[:200]
                    server.append(server_ms(r))
                st = _stats(server, wall)
                print(
                    f"{'search by phone':<26} {st['p50']:8.1f} {st['p95']:8.1f} {st['max']:8.1f} "
                    f"{st['wall_p95']:9.1f}"
                )
            finally:
                proc.stop()
        print(f"{'search by phone (query)':<26}", in_process(db, args.members, args.runs))
        db.dispose()
    finally:
        drop_database(ADMIN_URL, url)


if __name__ == "__main__":
    main()

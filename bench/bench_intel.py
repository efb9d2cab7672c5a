"""Member intel on PostgreSQL: full recompute, incremental after a day of sales, KPI reads.

    .venv/bin/python bench/bench_intel.py --members 100000 --lines 2000000 [--day-sales 100000] [--keep]

Makes a fresh database, migrates it, and generates the chain with SQL (`generate_series`):
`--stores` stores, `--skus` products (skewed popularity, 5% organic, one category in 14 is
baby), members registered over two years (UUIDv7-shaped ids in registration order, as the
system makes them), sales of 1-9 lines (5 on average; 15% walk-ins) spread over the 13 months
before yesterday, each with its `sale.completed` event, and refunds for 1% of sales. Then:

1. `intel recompute --full` as of yesterday (RFM, lifecycle, segments with 3 HQ rules, tags,
   co-occurrence, KPIs) — target < 120 s at 1M members / 20M lines;
2. `--day-sales` new sales dated since yesterday, received now, and the incremental
   recompute as of now — target < 10 s for 100,000 sales;
3. every KPI, for the chain and one store, per day/week/month, through the API's own
   function (`kpi_series`, SQL plus the answer's assembly, no HTTP) — target p95 < 300 ms.

Prints one JSON object with the timings (the recompute's own per-step seconds included).

`--template NAME`: the generated chain is kept as the database NAME (made the first time,
which is the slow part at 1M members: tens of minutes) and each run works on a copy of it
(`CREATE DATABASE … TEMPLATE NAME`, migrated to the newest schema), so a later run, e.g.
after a change to the recompute, measures the same data without generating it again. The
chain's dates are fixed when the template is made; its "yesterday" is kept in the template.
Drop it with `DROP DATABASE NAME` when done.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from server.intel import service
from server.intel.config import IntelConfig
from server.intel.kpi_routes import CATALOGUE, MONTHLY_ONLY, kpi_series
from server.intel.recompute import recompute
from server.migrate import upgrade
from server.settings import ServerSettings
from tests.server.conftest import ADMIN_URL, create_database, drop_database

CATEGORIES = [
    "dairy",
    "produce",
    "meat",
    "seafood",
    "grain",
    "oil_condiments",
    "snacks",
    "drinks",
    "wine_spirits",
    "baby",
    "household",
    "personal_care",
    "frozen",
    "bakery",
]

# A UUIDv7-shaped id from a time and a number: 48 bits of ms, version 7, variant 8.
_V7 = (
    "(lpad(to_hex((extract(epoch FROM {ts}) * 1000)::bigint), 12, '0') || '7' || "
    "substr(md5({n}::text), 1, 3) || '8' || substr(md5({n}::text), 4, 15))::uuid"
)

_SALES = """
CREATE TEMP TABLE bench_sales AS
SELECT g, {sale_id} AS id, {event_id} AS event_id,
       CASE WHEN g % 100 < 15 THEN NULL ELSE m.id END AS member_id,
       'S' || lpad(((CASE WHEN g % 10 < 8 THEN m.home ELSE g % :stores END) + 1)::text, 3, '0') AS store_id,
       t.at, l.lines, l.total, l.items
FROM generate_series(CAST(:g0 AS bigint), CAST(:g1 AS bigint)) g
JOIN bench_members m ON m.idx = (g * 7919 + g / 3) % :members
-- "+ 0 * g" ties the subquery to the row, so random() is drawn per sale, not once
CROSS JOIN LATERAL (SELECT CAST(:t1 AS timestamptz) - (:span * random() + 0 * g) * interval '1 second'
                           AS at) t
CROSS JOIN LATERAL (
  SELECT jsonb_agg(jsonb_build_object('line_no', i, 'sku', sku, 'qty', 1, 'list_total', price + promo,
                                      'line_total', price, 'coupon_discount', 0, 'net', price)) AS lines,
         sum(price) AS total, count(*) AS items
  FROM (SELECT i, 'P' || lpad((floor(power(random(), 2.5) * :skus))::int::text, 5, '0') AS sku,
               (100 + (g * 31 + i * 977) % 5000) AS price,
               CASE WHEN random() < 0.25 THEN 100 ELSE 0 END AS promo
        FROM generate_series(1, 1 + (g % 9)) i) x) l
"""


def _v7(ts: str, n: str) -> str:
    return _V7.format(ts=ts, n=n)


def generate(conn, members: int, sales: int, stores: int, skus: int, t1: datetime) -> None:  # type: ignore[no-untyped-def]
    conn.execute(text("SET synchronous_commit = off"))
    conn.execute(
        text(
            "INSERT INTO stores SELECT 'S' || lpad(s::text, 3, '0'), 'Store ' || s, now() "
            "FROM generate_series(1, :n) s"
        ),
        {"n": stores},
    )
    conn.execute(
        text("""
        INSERT INTO products (id, sku, name_zh, name_en, category, unit_price, member_price, active)
        SELECT md5('p' || p)::uuid, 'P' || lpad(p::text, 5, '0'), '商品' || p,
               CASE WHEN p % 20 = 0 THEN 'Organic item ' || p ELSE 'Item ' || p END,
               (CAST(:cats AS text[]))[1 + p % 14], 100 + p % 5000, NULL, true
        FROM generate_series(0, :n - 1) p"""),
        {"n": skus, "cats": CATEGORIES},
    )
    conn.execute(
        text(f"""
        CREATE TEMP TABLE bench_members AS
        SELECT i AS idx, {_v7("r.at", "'m' || i")} AS id, i % :stores AS home, r.at
        FROM generate_series(0, :n - 1) i
        CROSS JOIN LATERAL (SELECT CAST(:t1 AS timestamptz) - interval '730 days'
                                   + (i::float / :n) * interval '729 days' AS at) r"""),
        {"n": members, "stores": stores, "t1": t1},
    )
    conn.execute(
        text("""
        INSERT INTO members (id, phone, card_no, favourite_categories, marketing_opt_in, registered_at,
                             store_id, tier, birthday, family, stub, updated_at)
        SELECT id, '+86139' || lpad(idx::text, 8, '0'), NULL, '[]'::jsonb, true, at,
               'S' || lpad((home + 1)::text, 3, '0'),
               (ARRAY['basic','basic','basic','silver','silver','gold','black'])[1 + idx % 7],
               CASE WHEN idx % 5 = 0 THEN NULL ELSE date '1950-01-01' + (idx * 37 % 20000) END,
               CASE WHEN idx % 7 = 0 THEN '一个孩子' WHEN idx % 11 = 0 THEN '单身' END, false, at
        FROM bench_members""")
    )
    add_sales(conn, 0, sales - 1, members, stores, skus, t1, span_s=395 * 86400)


def add_sales(
    conn,
    g0: int,
    g1: int,
    members: int,
    stores: int,
    skus: int,
    t1: datetime,  # type: ignore[no-untyped-def]
    span_s: int,
    received_now: bool = False,
) -> None:
    conn.execute(text("DROP TABLE IF EXISTS bench_sales"))
    conn.execute(
        text(_SALES.format(sale_id=_v7("t.at", "'s' || g"), event_id=_v7("t.at", "'e' || g"))),
        {"g0": g0, "g1": g1, "members": members, "stores": stores, "skus": skus, "t1": t1, "span": span_s},
    )
    received = "now()" if received_now else "at + interval '1 minute'"
    conn.execute(
        text(f"""
        INSERT INTO events (id, terminal_id, seq, type, payload_hash, status, reason, result, received_at)
        SELECT event_id, 'T' || store_id, g, 'sale.completed', md5(g::text) || md5(g::text), 'applied', NULL,
               jsonb_build_object('sale_id', id), {received} FROM bench_sales""")
    )
    conn.execute(
        text("""
        INSERT INTO sales (id, receipt_no, store_id, terminal_id, cashier_id, member_id, at, subtotal,
                           member_savings, coupon_discount, points_redeemed, points_value, total_due,
                           points_earned, paid, change_due, feedback_token, lines, payments, coupons,
                           flagged, event_id)
        SELECT id, 'R' || g, store_id, 'T' || store_id, '1001', member_id, at, total, 0, 0, 0, 0, total,
               total / 100, total, 0, '', lines, '[]'::jsonb, '[]'::jsonb, false, event_id
        FROM bench_sales""")
    )
    conn.execute(
        text("""
        INSERT INTO refunds (id, sale_id, terminal_id, member_id, at, money, points_reversed,
                             points_given_back, "full", details, event_id)
        SELECT md5('r' || g)::uuid, id, 'T' || store_id, member_id, at + interval '1 day', total / 2, 0, 0,
               false, '{}'::jsonb, md5('re' || g)::uuid
        FROM bench_sales WHERE g % 100 = 7 AND member_id IS NOT NULL""")
    )
    conn.execute(
        text(f"""
        INSERT INTO events (id, terminal_id, seq, type, payload_hash, status, reason, result, received_at)
        SELECT md5('re' || g)::uuid, 'T' || store_id, g, 'refund.completed', md5(g::text) || md5(g::text),
               'applied', NULL, NULL, {received.replace("at +", "at + interval '1 day' +")}
        FROM bench_sales WHERE g % 100 = 7 AND member_id IS NOT NULL""")
    )


def _progress(out: dict[str, object]) -> None:
    """What is measured so far, on stderr (a long run stopped half-way still tells)."""
    print(
        json.dumps({"at": datetime.now(UTC).isoformat(), "load": os.getloadavg(), **out}, default=str),
        file=sys.stderr,
        flush=True,
    )


def backend_cpu_s(s: Session) -> float | None:
    """CPU seconds the session's PostgreSQL backend has used (PostgreSQL on this machine):
    the work done, apart from the time spent waiting for a core on a shared machine."""
    pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def cpu_by_step(s: Session) -> Iterator[dict[str, float]]:
    """While inside, each step of a recompute also records the backend's CPU seconds (the
    recompute's step timer wrapped; bench only: the server does not read /proc)."""
    from server.intel import recompute as rc

    steps: dict[str, float] = {}
    last = [backend_cpu_s(s) or 0.0]
    lap = rc._Timer.lap

    def lap_cpu(self: rc._Timer, name: str) -> None:
        lap(self, name)
        now = backend_cpu_s(s) or 0.0
        steps[name] = round(steps.get(name, 0.0) + now - last[0], 2)
        last[0] = now

    rc._Timer.lap = lap_cpu  # type: ignore[method-assign]
    try:
        yield steps
    finally:
        rc._Timer.lap = lap  # type: ignore[method-assign]


def kpi_p95(s: Session, cfg: IntelConfig, to: date, runs: int) -> dict[str, float]:
    times: list[float] = []
    worst: dict[str, float] = {}
    for kpi in CATALOGUE:
        periods = ["month"] if kpi in MONTHLY_ONLY else ["day", "week", "month"]
        for store in ("*", "S001"):
            for period in periods:
                for _ in range(runs):
                    t = time.perf_counter()
                    kpi_series(kpi, s, cfg, store, period, None, to)  # type: ignore[arg-type]
                    dt = (time.perf_counter() - t) * 1000
                    times.append(dt)
                    worst[kpi] = max(worst.get(kpi, 0.0), dt)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95)], 2),
        "max_ms": round(times[-1], 2),
        "calls": len(times),
        "worst_by_kpi_ms": {k: round(v, 1) for k, v in worst.items()},
    }


def _template(args: argparse.Namespace, sales: int, out: dict[str, object]) -> bool:
    """Make the template database `args.template` unless it exists; True when made now."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": args.template}
        ).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{args.template}"'))
    admin.dispose()
    if exists:
        return False
    url = make_url(ADMIN_URL).set(database=args.template).render_as_string(hide_password=False)
    upgrade(ServerSettings(database_url=url))
    engine = create_engine(url)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    t = time.perf_counter()
    with engine.begin() as conn:
        generate(conn, args.members, sales, args.stores, args.skus, yesterday)
        conn.execute(
            text("CREATE TABLE bench_meta AS SELECT CAST(:at AS timestamptz) AS at"), {"at": yesterday}
        )
        conn.execute(text("CREATE TABLE bench_members_kept AS SELECT * FROM bench_members"))
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    out["generate_s"] = round(time.perf_counter() - t, 1)
    _progress(out)
    return True


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--lines", type=int, default=2_000_000, help="sale lines (5 per sale on average)")
    ap.add_argument("--day-sales", type=int, default=100_000)
    ap.add_argument("--stores", type=int, default=50)
    ap.add_argument("--skus", type=int, default=5000)
    ap.add_argument("--kpi-runs", type=int, default=10)
    ap.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    ap.add_argument(
        "--template",
        metavar="NAME",
        help="keep the generated chain as database NAME and run on a copy of it (made if missing)",
    )
    ap.add_argument(
        "--generate-only", action="store_true", help="with --template: make the template and stop"
    )
    args = ap.parse_args()
    sales = args.lines // 5
    loads: dict[str, tuple[float, float, float]] = {"start": os.getloadavg()}
    out: dict[str, object] = {
        "members": args.members,
        "sales": sales,
        "stores": args.stores,
        "skus": args.skus,
    }
    if args.template:
        made = _template(args, sales, out)
        if args.generate_only:
            print(json.dumps(out, indent=1, default=str))
            return 0
        url = create_database(ADMIN_URL, "lt_bench_intel_", template=args.template)
        out["template"] = {"name": args.template, "made_now": made}
    else:
        url = create_database(ADMIN_URL, "lt_bench_intel_")
    try:
        upgrade(ServerSettings(database_url=url))
        engine = create_engine(url)
        now = datetime.now(UTC)
        if args.template:
            with engine.connect() as conn:
                yesterday = conn.execute(text("SELECT at FROM bench_meta")).scalar_one()
                sales = int(conn.execute(text("SELECT count(*) FROM sales")).scalar_one())
                out["sales"] = sales
                out["lines"] = conn.execute(
                    text("SELECT sum(jsonb_array_length(lines)) FROM sales")
                ).scalar_one()
        else:
            yesterday = now - timedelta(days=1)
            t = time.perf_counter()
            with engine.begin() as conn:
                generate(conn, args.members, sales, args.stores, args.skus, yesterday)
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
                out["lines"] = conn.execute(
                    text("SELECT sum(jsonb_array_length(lines)) FROM sales")
                ).scalar_one()
            out["generate_s"] = round(time.perf_counter() - t, 1)
        _progress(out)
        cfg = IntelConfig()
        with Session(engine) as s:
            for seg_id, rule in (
                ("vip", {"r_min": 4, "m_min": 4, "tiers": ["gold", "black"]}),
                ("baby_s1", {"tags_any": ["dyn:baby"], "stores_any": ["S001"]}),
                ("meat_lovers", {"categories_any": ["meat"], "visits_min": 3}),
            ):
                service.save_segment(s, seg_id, seg_id, rule)
            s.commit()
            t, cpu = time.perf_counter(), backend_cpu_s(s)
            with cpu_by_step(s) as steps:
                full = recompute(s, cfg, full=True, as_of=yesterday)
            out["full_db_cpu_steps"] = steps
            out["full_s"] = round(time.perf_counter() - t, 2)
            after = backend_cpu_s(s)
            if after is not None and cpu is not None:
                out["full_db_cpu_s"] = round(after - cpu, 2)
            out["full_steps"] = full.seconds
            loads["after_full"] = os.getloadavg()
            _progress(out)
        with engine.begin() as conn:
            if args.template:  # the members the day's sales are made for, as generated
                conn.execute(text("CREATE TEMP TABLE bench_members AS SELECT * FROM bench_members_kept"))
            t = time.perf_counter()
            add_sales(
                conn,
                sales,
                sales + args.day_sales - 1,
                args.members,
                args.stores,
                args.skus,
                now,
                span_s=86400,
                received_now=True,
            )
            out["day_insert_s"] = round(time.perf_counter() - t, 1)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        with Session(engine) as s:
            t, cpu = time.perf_counter(), backend_cpu_s(s)
            with cpu_by_step(s) as steps:
                inc = recompute(s, cfg, as_of=datetime.now(UTC))
            out["incremental_db_cpu_steps"] = steps
            out["incremental_s"] = round(time.perf_counter() - t, 2)
            after = backend_cpu_s(s)
            if after is not None and cpu is not None:
                out["incremental_db_cpu_s"] = round(after - cpu, 2)
            loads["after_incremental"] = os.getloadavg()
            out["load_average"] = {k: [round(x, 2) for x in v] for k, v in loads.items()}
            out["incremental"] = inc.as_json()
        with Session(engine) as s:
            out["kpi"] = kpi_p95(s, cfg, now.date(), args.kpi_runs)
            out["table_mb"] = {
                r[0]: round(r[1] / 1e6, 1)
                for r in s.execute(
                    text(
                        "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
                        "WHERE relname LIKE 'intel_%' AND relkind = 'r' ORDER BY 2 DESC"
                    )
                )
            }
        engine.dispose()
    finally:
        if args.keep:
            out["database"] = url
        else:
            drop_database(ADMIN_URL, url)
    print(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

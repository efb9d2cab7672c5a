"""Build (and cache) a till store with N members for the benchmarks.

Run: python bench/make_store.py [N ...] [--force]   (default: 10000 100000 1000000)

The store is a real till home (till.toml, till.db migrated with app.store.migrate.upgrade, a
signing key made by open_till) under bench/.cache/store-<N>/, reused by later runs while its
build version matches. Rows are written with bulk SQLAlchemy Core inserts (executemany on
`insert(<orm table>)`, values already in their stored form: UUIDs as 32 hex digits, UTC
datetimes as text, JSON as text), with journalling and fsync off during the build and the
secondary indexes built once at the end. What goes in, per member:

* the member row (valid mainland mobile, unique; valid Luhn card number; consent; registered
  over the last two years; some with a name and a birthday);
* 3-5 ledger entries (earns with their `expiry_for` expiry, some redemptions and
  compensations, all since 1 January last year so none is due to expire);
* a welcome coupon for ~30% of members (a fifth of them redeemed), another coupon for ~10%;
* for 1 member in 100, two past sales (3 lines and a payment each) inside the last year;
* plus the demo catalogue and promotions, four staff (demo PINs) and 2000 bearer coupons.

The audit log and the outbox start empty: a sale only reads their tail (the last audit entry
by primary key, the outbox counter row), so their length does not change the cost measured.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Table, create_engine, insert  # noqa: E402

from app.config import DB_NAME, load_config  # noqa: E402
from app.domain.clock import DEFAULT_TZ  # noqa: E402
from app.domain.coupons import COUPON_ALPHABET  # noqa: E402
from app.domain.ids import new_id  # noqa: E402
from app.domain.members import make_card_number, normalize_phone  # noqa: E402
from app.domain.points import expiry_for  # noqa: E402
from app.domain.staff import PinHasher  # noqa: E402
from app.store import orm  # noqa: E402
from app.store.migrate import upgrade  # noqa: E402
from till.demo.catalogue import demo_products, promotions  # noqa: E402
from till.demo.people import DEMO_STAFF, MOBILE_PREFIXES  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
BUILD_VERSION = 4  # bump when the shape of the built store changes
CHUNK = 50_000
# Fixed "now" for the built data, so that a cached store means the same thing on any day
# it is used (sales inside the rolling year, no points due to expire).
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ALPHABET = COUPON_ALPHABET


def phone_for(i: int) -> str:
    """The i-th member's phone: unique for every i (a bijection onto prefix x 8 digits)."""
    j = i // len(MOBILE_PREFIXES)
    return f"+86{MOBILE_PREFIXES[i % len(MOBILE_PREFIXES)]}{(j * 48271 + 12345) % 10**8:08d}"


def card_for(i: int) -> str:
    return make_card_number(1, (i * 7919 + 104729) % 10**11)


def home_for(n: int) -> Path:
    return CACHE / f"store-{n}"


def _ts(d: datetime) -> str:
    """How the store keeps an aware datetime in SQLite: UTC, as text."""
    u = d.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d} {u.hour:02d}:{u.minute:02d}:"
        f"{u.second:02d}.{u.microsecond:06d}"
    )


def _hex() -> str:
    return new_id().hex


def _sql(table: Table) -> str:
    """`insert(table)` compiled once to SQLite text with positional parameters."""
    from sqlalchemy.dialects import sqlite

    compiled = insert(table).compile(dialect=sqlite.dialect(paramstyle="qmark"))
    return str(compiled)


def _rows_sql(table: Table) -> tuple[str, list[str]]:
    cols = [c.name for c in table.columns]
    return _sql(table), cols


class Writer:
    """Buffers rows per table and writes them with executemany through one connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.buffers: dict[str, list[tuple[Any, ...]]] = {}
        self.sql: dict[str, str] = {}
        self.cols: dict[str, list[str]] = {}
        self.defaults: dict[str, dict[str, Any]] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        name = table.name
        if name not in self.sql:
            self.sql[name], self.cols[name] = _rows_sql(table)
            # a column the row leaves out takes the model's scalar default, as the ORM would
            # (a column added by a later migration needs no change here)
            self.defaults[name] = {
                c.name: c.default.arg  # type: ignore[union-attr]
                for c in table.columns
                if c.default is not None and getattr(c.default, "is_scalar", False)
            }
            self.buffers[name] = []
        defaults = self.defaults[name]
        self.buffers[name].append(tuple(row.get(c, defaults.get(c)) for c in self.cols[name]))
        if len(self.buffers[name]) >= CHUNK:
            self.flush(name)

    def flush(self, name: str | None = None) -> None:
        for n in [name] if name else list(self.buffers):
            rows = self.buffers[n]
            if rows:
                self.conn.exec_driver_sql(self.sql[n], rows)
                self.counts[n] = self.counts.get(n, 0) + len(rows)
                rows.clear()


def _index_ddl(conn: Any, tables: Sequence[str]) -> list[tuple[str, str]]:
    marks = ",".join("?" for _ in tables)
    return list(
        conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            tuple(tables),
        ).all()
    )


def build(n: int, seed: int = 1) -> Path:
    home = home_for(n)
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    load_config(home)  # writes the default till.toml
    db = home / DB_NAME
    upgrade(db)
    rng = random.Random(seed * 1_000_003 + n)
    for i in rng.sample(range(n), min(n, 500)):  # the phone scheme makes valid mobiles
        assert normalize_phone(phone_for(i)) == phone_for(i)
    engine = create_engine(f"sqlite+pysqlite:///{db}")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "cache_size=-400000",
            "temp_store=MEMORY",
            "foreign_keys=OFF",
        ):
            conn.exec_driver_sql(f"PRAGMA {pragma}")
    with engine.begin() as conn:
        bulk_tables = ["ledger_entries", "coupons", "sales", "sale_lines", "payments"]
        ddl = _index_ddl(conn, bulk_tables)
        for name, _ in ddl:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        w = Writer(conn)
        _fill(w, n, rng)
        w.flush()
        for _, sql in ddl:
            conn.exec_driver_sql(sql)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    engine.dispose()
    (home / "built.json").write_text(
        json.dumps(
            {
                "members": n,
                "version": BUILD_VERSION,
                "seconds": round(time.perf_counter() - t0, 1),
                "rows": w.counts,
                "now": NOW.isoformat(),
            },
            indent=1,
        )
    )
    return home


def _fill(w: Writer, n: int, rng: random.Random) -> None:
    T = orm.Base.metadata.tables
    products = demo_products()
    staff_ids = _fill_catalogue(w, T, products, rng)
    cheap = [p for p in products if p.unit_price < 20000]
    year_start = datetime(NOW.astimezone(DEFAULT_TZ).year - 1, 1, 1, tzinfo=DEFAULT_TZ)
    receipt = 0
    for i in range(n):
        mid, registered, sale_times = _member(w, T, rng, i)
        _history(w, T, rng, mid, max(registered, year_start))
        _member_coupons(w, T, rng, mid, registered)
        for at in sale_times:
            receipt += 1
            _sale(w, T, rng, cheap, mid, staff_ids[0], at, receipt)


def _fill_catalogue(w: Writer, T: Any, products: Sequence[Any], rng: random.Random) -> list[str]:
    """Products, promotions, staff and the store's campaign coupons; returns the staff ids."""
    for p in products:
        w.add(
            T["products"],
            {
                "id": _hex(),
                "sku": p.sku,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "category": p.category,
                "unit_price": p.unit_price,
                "member_price": p.member_price,
                "active": 1,
            },
        )
    for promo in promotions(NOW, products):
        w.add(
            T["promotions"],
            {
                "id": str(new_id()),
                "name": promo["name"],
                "kind": promo["kind"],
                "multiplier": promo["multiplier"],
                "categories": json.dumps(promo["categories"]),
                "skus": json.dumps(promo["skus"]),
                "starts": _ts(promo["starts"]) if promo["starts"] else None,
                "ends": _ts(promo["ends"]) if promo["ends"] else None,
            },
        )
    hasher = PinHasher()
    staff_ids = []
    for login, name, role, pin in DEMO_STAFF:
        sid = _hex()
        staff_ids.append(sid)
        w.add(
            T["staff"],
            {
                "id": sid,
                "login": login,
                "name": name,
                "role": role.value,
                "pin_hash": hasher.hash(pin),
                "failed_attempts": 0,
                "locked": 0,
                "active": 1,
            },
        )
    for _ in range(2000):
        w.add(
            T["coupons"],
            _coupon(
                rng,
                None,
                "amount_off",
                NOW - timedelta(days=5),
                "campaign",
                amount=2000,
                threshold=10000,
                days=60,
            ),
        )
    return staff_ids


def _member(w: Writer, T: Any, rng: random.Random, i: int) -> tuple[str, datetime, list[datetime]]:
    """Member `i`'s row; returns its id, registration time and the times of its sales."""
    mid = _hex()
    registered = NOW - timedelta(seconds=rng.randrange(730 * 86400))
    reg_s = _ts(registered)
    sale_times: list[datetime] = []
    if i % 100 == 0:  # one member in 100 bought twice this year
        sale_times = sorted(NOW - timedelta(seconds=rng.randrange(300 * 86400)) for _ in range(2))
    bday = (
        date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.8 else None
    )
    w.add(
        T["members"],
        {
            "id": mid,
            "phone": phone_for(i),
            "card_no": card_for(i),
            "name": f"会员{i}" if rng.random() < 0.6 else None,
            "birthday": bday.isoformat() if bday else None,
            "family": None,
            "favourite_categories": "[]",
            "consent_policy_version": "2026-01",
            "consent_at": reg_s,
            "marketing_opt_in": int(rng.random() < 0.6),
            "registered_at": reg_s,
            "store_id": "S001",
            "tier": "basic",
            "last_purchase_at": _ts(sale_times[-1]) if sale_times else None,
            "merged_into": None,
        },
    )
    return mid, registered, sale_times


def _history(w: Writer, T: Any, rng: random.Random, mid: str, start: datetime) -> None:
    """3-5 ledger entries from `start` (registration or the start of last year), in time order."""
    span = max(int((NOW - start).total_seconds()), 3600)
    times = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(rng.randint(3, 5)))
    balance = 0
    for k, at in enumerate(times):
        kind, pts = "earn", rng.randint(20, 900)
        if k >= 2 and balance >= 200 and rng.random() < 0.4:
            kind, pts = "redeem", -(balance // 200 * 100)
        elif k >= 1 and rng.random() < 0.1:
            kind, pts = "compensate", 100
        balance += pts
        w.add(
            T["ledger_entries"],
            {
                "id": _hex(),
                "member_id": mid,
                "kind": kind,
                "points": pts,
                "at": _ts(at),
                "expires_at": _ts(expiry_for(at)) if pts > 0 else None,
                "sale_id": None,
                "refund_id": None,
                "note": "history",
            },
        )


def _member_coupons(w: Writer, T: Any, rng: random.Random, mid: str, registered: datetime) -> None:
    if rng.random() < 0.3:
        c = _coupon(rng, mid, "amount_off", registered, "welcome", amount=1000, threshold=5000, days=30)
        if rng.random() < 0.2:
            c["status"] = "redeemed"
        w.add(T["coupons"], c)
    if rng.random() < 0.1:
        w.add(
            T["coupons"],
            _coupon(
                rng, mid, "percent_off", NOW - timedelta(days=10), "birthday", percent="10", cap=3000, days=60
            ),
        )


def _coupon(
    rng: random.Random,
    member_id: str | None,
    kind: str,
    at: datetime,
    reason: str,
    *,
    amount: int = 0,
    percent: str = "0",
    cap: int | None = None,
    threshold: int = 0,
    days: int = 30,
) -> dict[str, Any]:
    return {
        "id": _hex(),
        "code": "C" + "".join(rng.choice(ALPHABET) for _ in range(11)),
        "name": reason,
        "kind": kind,
        "amount": amount,
        "percent": percent,
        "cap": cap,
        "threshold": threshold,
        "multiplier": "1",
        "gift_sku": None,
        "categories": "[]",
        "skus": "[]",
        "stackable": 0,
        "member_only": int(member_id is not None),
        "member_id": member_id,
        "valid_from": _ts(at),
        "valid_to": _ts(at + timedelta(days=days)),
        "status": "issued",
        "issued_reason": reason,
        "issued_at": _ts(at),
        "redeemed_sale_id": None,
    }


def _sale(
    w: Writer,
    T: Any,
    rng: random.Random,
    products: Sequence[Any],
    member_id: str,
    cashier: str,
    at: datetime,
    receipt: int,
) -> None:
    sid = _hex()
    total = 0
    lines = []
    for no, p in enumerate(rng.sample(list(products), 3), start=1):
        qty = rng.randint(1, 3)
        price = p.member_price or p.unit_price
        lt = price * qty
        total += lt
        lines.append(
            {
                "sale_id": sid,
                "line_no": no,
                "sku": p.sku,
                "name": p.name_zh,
                "category": p.category,
                "qty": qty,
                "unit_price": price,
                "list_total": p.unit_price * qty,
                "line_total": lt,
                "coupon_discount": 0,
                "points_discount": 0,
                "points_redeemed": 0,
                "net": lt,
                "points_earned": lt // 100,
            }
        )
    subtotal = sum(x["list_total"] for x in lines)
    w.add(
        T["sales"],
        {
            "id": sid,
            "receipt_no": f"S001-H01-{receipt:07d}",
            "store_id": "S001",
            "terminal_id": "H01",
            "shift_id": None,
            "cashier_id": cashier,
            "member_id": member_id,
            "at": _ts(at),
            "subtotal": subtotal,
            "member_savings": subtotal - total,
            "coupon_discount": 0,
            "points_redeemed": 0,
            "points_value": 0,
            "total_due": total,
            "points_earned": total // 100,
            "paid": total,
            "change_due": 0,
            "feedback_token": "-",
            "new_member_code": None,
        },
    )
    for ln in lines:
        w.add(T["sale_lines"], ln)
    w.add(T["payments"], {"id": _hex(), "sale_id": sid, "tender": "mobile", "amount": total, "reference": ""})


def ensure_store(n: int, force: bool = False, quiet: bool = False) -> Path:
    """The cached home for an N-member store, built if missing or out of date."""
    home = home_for(n)
    meta = home / "built.json"
    if not force and meta.exists():
        info = json.loads(meta.read_text())
        if info.get("version") == BUILD_VERSION and info.get("members") == n:
            return home
    if not quiet:
        print(f"building a store of {n:,} members in {home} ...", flush=True)
    t = time.perf_counter()
    build(n)
    if not quiet:
        size = (home / DB_NAME).stat().st_size / 2**20
        print(f"  built in {time.perf_counter() - t:.1f} s, {size:,.0f} MiB", flush=True)
    return home


def sqlite_conn(n: int) -> sqlite3.Connection:
    return sqlite3.connect(home_for(n) / DB_NAME)


def sample_members(n: int, k: int, seed: int = 5) -> list[tuple[str, str, str]]:
    """k random (phone, card number, member id as a UUID string) of the N-member store."""
    import uuid

    rng = random.Random(seed)
    idx = rng.sample(range(n), min(k, n))
    conn = sqlite_conn(n)
    try:
        out = []
        for i in idx:
            row = conn.execute("SELECT id, card_no FROM members WHERE phone=?", (phone_for(i),)).fetchone()
            out.append((phone_for(i), row[1], str(uuid.UUID(hex=row[0]))))
        return out
    finally:
        conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = ap.parse_args(argv)
    for n in args.sizes:
        home = ensure_store(n, force=args.force)
        info = json.loads((home / "built.json").read_text())
        print(f"{n:>9,} members: {home}  rows {info['rows']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

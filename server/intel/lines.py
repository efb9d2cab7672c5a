"""Sales and their lines, copied once into `intel_sales` and `intel_lines` (the lines
flattened from `sales.lines`, with the product's category, whether the line was on
promotion and whether the product is organic).

A sale is new to intel while it has no `intel_sales` row; an incremental run finds the sales
received since the last one through the view `intel_sales_received` (ia0001). `ingest_*` fill the temporary
table ``intel_new_sales`` with the sales they add, so the later steps (baskets, KPIs) count
each sale exactly once however often, and with whatever overlap, the recompute runs. The
JSON lines are parsed once per sale: the parsed rows feed both tables in one statement.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel.config import IntelConfig

# A line is "on promotion" when the member price or a promotion made it cheaper than its
# list price, or a coupon paid part of it (the price-sensitive tag counts these).
_COPY = """
WITH prod AS MATERIALIZED (  -- the organic test once per product, not once per line
  SELECT sku, category, COALESCE(name_en ILIKE ANY(:organic) OR name_zh ILIKE ANY(:organic), false) AS organic
  FROM products
), parsed AS MATERIALIZED (
  SELECT s.id AS sale_id, o.n::int AS line_no, s.member_id, s.at, left(COALESCE(l->>'sku', ''), 32) AS sku,
         COALESCE(p.category, '') AS category, COALESCE(round(NULLIF(l->>'qty', '')::numeric), 1)::int AS qty,
         COALESCE(NULLIF(l->>'net', '')::bigint, NULLIF(l->>'line_total', '')::bigint, 0) AS net,
         COALESCE(NULLIF(l->>'line_total', '')::bigint < NULLIF(l->>'list_total', '')::bigint, false)
           OR COALESCE(NULLIF(l->>'coupon_discount', '')::bigint, 0) > 0 AS promo,
         COALESCE(p.organic, false) AS organic
  {source}
  CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(s.lines) = 'array' THEN s.lines ELSE '[]'::jsonb END) WITH ORDINALITY AS o(l, n)
  LEFT JOIN prod p ON p.sku = l->>'sku'
  WHERE jsonb_typeof(l) = 'object'
), lines_in AS (
  INSERT INTO intel_lines (sale_id, line_no, member_id, at, sku, category, qty, net, promo, organic)
  SELECT * FROM parsed {conflict}
)
INSERT INTO intel_sales (sale_id, member_id, store_id, at, total, items, lines, coupons)
SELECT s.id, s.member_id, s.store_id, s.at, s.total_due, COALESCE(x.items, 0), COALESCE(x.n, 0),
       CASE WHEN jsonb_typeof(s.coupons) = 'array' THEN jsonb_array_length(s.coupons) ELSE 0 END
{source}
LEFT JOIN (SELECT sale_id, sum(qty) AS items, count(*) AS n FROM parsed GROUP BY sale_id) x
       ON x.sale_id = s.id
{conflict}
"""
_ALL = "FROM sales s"
_NEW_ONLY = "FROM intel_new_sales ns JOIN sales s ON s.id = ns.sale_id"

# Indexes dropped for a full rebuild and made again after it (one sort each, not one random
# B-tree insert per row: with the index bigger than the shared buffers, random inserts write
# the same pages out again and again). The primary keys too (a full copy needs no conflict
# check).
_KEYS = {"intel_lines": ("pk_intel_lines", "sale_id, line_no"), "intel_sales": ("pk_intel_sales", "sale_id")}
_INDEXES = {
    "ix_intel_lines_member_at": "intel_lines (member_id, at)",
    "ix_intel_sales_member_at": "intel_sales (member_id, at)",
    "ix_intel_sales_at": "intel_sales (at)",
}


def organic_patterns(cfg: IntelConfig) -> list[str]:
    return [f"%{w}%" for w in cfg.organic_words]


def ingest_all(s: Session, cfg: IntelConfig) -> int:
    """Full rebuild: every sale (what intel held before is dropped first)."""
    s.execute(text("TRUNCATE intel_lines, intel_sales"))
    for name in _INDEXES:
        s.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for table, (pk, _) in _KEYS.items():
        s.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {pk}"))
    s.execute(text(_COPY.format(source=_ALL, conflict="")), {"organic": organic_patterns(cfg)})
    for table, (pk, cols) in _KEYS.items():
        s.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {pk} PRIMARY KEY ({cols})"))
    for name, on in _INDEXES.items():
        s.execute(text(f"CREATE INDEX {name} ON {on}"))
    return int(s.execute(text("SELECT count(*) FROM intel_sales")).scalar_one())


def ingest_since(s: Session, cfg: IntelConfig, since: Any, until: Any) -> int:
    """The sales whose events were received in (since, until] and are not in intel yet, read
    through the view `intel_sales_received` (a sale and when its event was received: the
    sales table and `events.received_at`, nothing of push's result JSON; migration ia0001);
    they are left in ``intel_new_sales``."""
    s.execute(text("DROP TABLE IF EXISTS intel_new_sales"))
    s.execute(
        text("""
        CREATE TEMP TABLE intel_new_sales ON COMMIT DROP AS
        SELECT v.sale_id, v.member_id, v.store_id, v.at FROM intel_sales_received v
        WHERE v.received_at > :since AND v.received_at <= :until
          AND NOT EXISTS (SELECT 1 FROM intel_sales i WHERE i.sale_id = v.sale_id)"""),
        {"since": since, "until": until},
    )
    s.execute(text("ALTER TABLE intel_new_sales ADD PRIMARY KEY (sale_id)"))
    s.execute(text("ANALYZE intel_new_sales"))
    s.execute(
        text(_COPY.format(source=_NEW_ONLY, conflict="ON CONFLICT DO NOTHING")),
        {"organic": organic_patterns(cfg)},
    )
    return int(s.execute(text("SELECT count(*) FROM intel_new_sales")).scalar_one())


def follow_merges(s: Session, since: Any) -> list[Any]:
    """Sales of members merged since `since` move to the survivor; returns the losers' ids."""
    losers = list(
        s.execute(
            text("SELECT id FROM members WHERE merged_into IS NOT NULL AND updated_at > :since"),
            {"since": since},
        ).scalars()
    )
    if losers:
        for table in ("intel_lines", "intel_sales"):
            s.execute(
                text(
                    f"UPDATE {table} t SET member_id = m.merged_into FROM members m "
                    "WHERE t.member_id = m.id AND m.id = ANY(:ids)"
                ),
                {"ids": losers},
            )
        for table in ("intel_member_stats", "intel_scores"):
            s.execute(text(f"DELETE FROM {table} WHERE member_id = ANY(:ids)"), {"ids": losers})
    return losers

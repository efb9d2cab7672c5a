"""Sales and their lines, copied once into `intel_sales` and `intel_lines` (the lines
flattened from `sales.lines`, with the product's category, whether the line was on
promotion and whether the product is organic).

A sale is new to intel while it has no `intel_sales` row. `ingest_*` fill the temporary
table ``intel_new_sales`` with the sales they add, so the later steps (baskets, KPIs) count
each sale exactly once however often, and with whatever overlap, the recompute runs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel.config import IntelConfig

# A line is "on promotion" when the member price or a promotion made it cheaper than its
# list price, or a coupon paid part of it (the price-sensitive tag counts these).
_LINES = """
INSERT INTO intel_lines (sale_id, line_no, member_id, store_id, at, sku, category, qty, net, promo, organic)
SELECT s.id, o.n::int, s.member_id, s.store_id, s.at, left(COALESCE(l->>'sku', ''), 32),
       COALESCE(p.category, ''), COALESCE(round(NULLIF(l->>'qty', '')::numeric), 1)::int,
       COALESCE(NULLIF(l->>'net', '')::bigint, NULLIF(l->>'line_total', '')::bigint, 0),
       COALESCE(NULLIF(l->>'line_total', '')::bigint < NULLIF(l->>'list_total', '')::bigint, false)
         OR COALESCE(NULLIF(l->>'coupon_discount', '')::bigint, 0) > 0,
       COALESCE(p.name_en ILIKE ANY(:organic) OR p.name_zh ILIKE ANY(:organic), false)
FROM intel_new_sales ns
JOIN sales s ON s.id = ns.sale_id
CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(s.lines) = 'array' THEN s.lines ELSE '[]'::jsonb END) WITH ORDINALITY AS o(l, n)
LEFT JOIN products p ON p.sku = l->>'sku'
WHERE jsonb_typeof(l) = 'object'
ON CONFLICT DO NOTHING
"""

_SALES = """
INSERT INTO intel_sales (sale_id, member_id, store_id, at, total, items, lines, coupons)
SELECT ns.sale_id, ns.member_id, ns.store_id, ns.at, s.total_due,
       COALESCE((SELECT sum(il.qty) FROM intel_lines il WHERE il.sale_id = ns.sale_id), 0),
       COALESCE((SELECT count(*) FROM intel_lines il WHERE il.sale_id = ns.sale_id), 0),
       CASE WHEN jsonb_typeof(s.coupons) = 'array' THEN jsonb_array_length(s.coupons) ELSE 0 END
FROM intel_new_sales ns JOIN sales s ON s.id = ns.sale_id
ON CONFLICT DO NOTHING
"""


def organic_patterns(cfg: IntelConfig) -> list[str]:
    return [f"%{w}%" for w in cfg.organic_words]


def _new_sales_table(s: Session) -> None:
    s.execute(text("DROP TABLE IF EXISTS intel_new_sales"))
    s.execute(text("CREATE TEMP TABLE intel_new_sales (sale_id uuid PRIMARY KEY, member_id uuid, "
                   "store_id varchar(40), at timestamptz) ON COMMIT DROP"))


def ingest_all(s: Session, cfg: IntelConfig) -> int:
    """Full rebuild: every sale (what intel held before is dropped first)."""
    s.execute(text("TRUNCATE intel_lines, intel_sales"))
    _new_sales_table(s)
    s.execute(text("INSERT INTO intel_new_sales SELECT id, member_id, store_id, at FROM sales"))
    return _copy(s, cfg)


def ingest_since(s: Session, cfg: IntelConfig, since: Any, until: Any) -> int:
    """The sales whose events were received in (since, until] and are not in intel yet."""
    _new_sales_table(s)
    s.execute(text("""
        INSERT INTO intel_new_sales
        SELECT s.id, s.member_id, s.store_id, s.at
        FROM events e JOIN sales s ON s.event_id = e.id
        WHERE e.received_at > :since AND e.received_at <= :until AND e.type = 'sale.completed'
          AND NOT EXISTS (SELECT 1 FROM intel_sales i WHERE i.sale_id = s.id)
        ON CONFLICT DO NOTHING"""), {"since": since, "until": until})
    return _copy(s, cfg)


def _copy(s: Session, cfg: IntelConfig) -> int:
    """Copies the sales in ``intel_new_sales`` and their lines; returns how many sales."""
    s.execute(text("ANALYZE intel_new_sales"))
    s.execute(text(_LINES), {"organic": organic_patterns(cfg)})
    s.execute(text(_SALES))
    return int(s.execute(text("SELECT count(*) FROM intel_new_sales")).scalar_one())


def follow_merges(s: Session, since: Any) -> list[Any]:
    """Sales of members merged since `since` move to the survivor; returns the losers' ids."""
    losers = list(s.execute(text(
        "SELECT id FROM members WHERE merged_into IS NOT NULL AND updated_at > :since"),
        {"since": since}).scalars())
    if losers:
        for table in ("intel_lines", "intel_sales"):
            s.execute(text(f"UPDATE {table} t SET member_id = m.merged_into FROM members m "
                           "WHERE t.member_id = m.id AND m.id = ANY(:ids)"), {"ids": losers})
        for table in ("intel_member_stats", "intel_scores"):
            s.execute(text(f"DELETE FROM {table} WHERE member_id = ANY(:ids)"), {"ids": losers})
    return losers

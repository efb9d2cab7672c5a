"""A member's 12-month aggregates (`intel_member_stats`), from `intel_sales`, `intel_lines`
and `refunds`, over the window from as_of - window_days on (a sale dated later than as_of, from a till
whose clock runs ahead, counts too).

`refresh(s, cfg, as_of, only_affected)` rewrites the rows of every member (full) or of the
members in the temporary table ``intel_affected`` (incremental); the result is the same
for those members either way, which tests/server_intel checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel.config import IntelConfig

_STATS = """
INSERT INTO intel_member_stats (member_id, visits, spend, first_at, last_at, lines, promo_lines,
                                organic_lines, baby_last_at, stores, categories)
SELECT sa.member_id, sa.visits, sa.spend - COALESCE(rf.money, 0), sa.first_at, sa.last_at,
       COALESCE(li.lines, 0), COALESCE(li.promo_lines, 0), COALESCE(li.organic_lines, 0),
       li.baby_last_at, sa.stores, COALESCE(li.categories, '[]'::jsonb)
FROM (SELECT x.member_id, count(*) AS visits, sum(x.total) AS spend, min(x.at) AS first_at,
             max(x.at) AS last_at, jsonb_agg(DISTINCT x.store_id) AS stores
      FROM intel_sales x {join}
      WHERE x.member_id IS NOT NULL AND x.at >= :ws GROUP BY x.member_id) sa
LEFT JOIN (SELECT x.member_id, count(*) AS lines, count(*) FILTER (WHERE x.promo) AS promo_lines,
                  count(*) FILTER (WHERE x.organic) AS organic_lines,
                  max(x.at) FILTER (WHERE x.category = ANY(:baby)) AS baby_last_at,
                  jsonb_agg(DISTINCT x.category) FILTER (WHERE x.category <> '') AS categories
           FROM intel_lines x {join}
           WHERE x.member_id IS NOT NULL AND x.at >= :ws GROUP BY x.member_id) li
       ON li.member_id = sa.member_id
LEFT JOIN (SELECT x.member_id, sum(x.money) AS money FROM refunds x {join}
           WHERE x.member_id IS NOT NULL AND x.at >= :ws GROUP BY x.member_id) rf
       ON rf.member_id = sa.member_id
"""

_JOIN_AFFECTED = "JOIN intel_affected a ON a.member_id = x.member_id"


def window_start(cfg: IntelConfig, as_of: datetime) -> datetime:
    return as_of - timedelta(days=cfg.window_days)


def refresh(s: Session, cfg: IntelConfig, as_of: datetime, *, only_affected: bool) -> None:
    params = {"ws": window_start(cfg, as_of), "baby": list(cfg.baby_categories)}
    if only_affected:
        s.execute(
            text("DELETE FROM intel_member_stats st USING intel_affected a WHERE st.member_id = a.member_id")
        )
        s.execute(text(_STATS.format(join=_JOIN_AFFECTED)), params)
    else:
        s.execute(text("TRUNCATE intel_member_stats"))
        s.execute(text(_STATS.format(join="")), params)

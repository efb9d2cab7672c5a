"""KPI figures into `intel_kpis` (read by server/intel/kpi_routes.py): per store and for the
chain (`*`), per day, week (Monday first) and month, in the store's zone (the chain in the
default zone). Each figure is `num`/`den`, so HQ can add them up (the API divides).

| kpi | num | den | from |
|---|---|---|---|
| `average_ticket` (客单价) | money taken, fen | sales | sales |
| `items_per_sale` (连带率) | items (qty) | sales | sales |
| `member_share` (members among sales) | sales to a member | sales | sales |
| `new_members` (new-member conversion) | members registered | sales | members, sales |
| `repurchase_rate` | members with 2+ sales in the period | members with a sale | sales |
| `coupon_redemption` | coupons issued in the period and redeemed | coupons issued | coupons |
| `feedback_score` | stars | answers | feedback |
| `nps` | promoters (9-10) - detractors (0-6) | answers | feedback |
| `ticket_sla` | tickets closed by their due time | tickets closed (extra: hours to close) | tickets |
| `retention` (month, by registration store) | cohort buying the month after | cohort size | members, sales |
| `clv` (month, by registration store) | the cohort's spend to date, fen | cohort size | members, sales |

Sales figures are rebuilt from `from_day` on (a full run: all); the small tables (feedback,
tickets, coupons) are rebuilt whole each run; the cohorts (`retention`, `clv`) read every
sale and are rebuilt by full runs only (`intel_state.cohorts_as_of` says when).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel.config import IntelConfig

SALES_KPIS = ("average_ticket", "items_per_sale", "member_share", "repurchase_rate", "new_members")
WHOLE_KPIS = ("coupon_redemption", "feedback_score", "nps", "ticket_sla")
COHORT_KPIS = ("retention", "clv")  # full runs only (they read every sale)

# One row per sale, scope (its store, the chain) and period, with the period's first day.
_EXPAND = """
  CROSS JOIN LATERAL (VALUES ({store}, ({at} AT TIME ZONE COALESCE(z.tz, :tz))::date),
                             ('*', ({at} AT TIME ZONE :tz)::date)) sc(scope, d)
  CROSS JOIN (VALUES ('day'), ('week'), ('month')) p(period)
"""
_BUCKET = "date_trunc(p.period, sc.d)::date"

_SALES = f"""
CREATE TEMP TABLE intel_kpi_sales ON COMMIT DROP AS
WITH pm AS (
  SELECT sc.scope, p.period, {_BUCKET} AS bucket, i.member_id, count(*) AS n,
         sum(i.total) AS total, sum(i.items) AS items
  FROM intel_sales i LEFT JOIN intel_store_zones z ON z.store_id = i.store_id
  {_EXPAND.format(store="i.store_id", at="i.at")}
  WHERE i.at >= :from_ts
  GROUP BY 1, 2, 3, 4
)
SELECT scope, period, bucket, sum(n) AS sales, sum(total) AS revenue, sum(items) AS items,
       COALESCE(sum(n) FILTER (WHERE member_id IS NOT NULL), 0) AS member_sales,
       count(member_id) AS members,
       count(*) FILTER (WHERE member_id IS NOT NULL AND n >= 2) AS repeaters
FROM pm WHERE bucket >= :from_day GROUP BY 1, 2, 3
"""

_REGISTERED = f"""
SELECT sc.scope, p.period, {_BUCKET} AS bucket, count(*) AS n
FROM members m LEFT JOIN intel_store_zones z ON z.store_id = m.store_id
{_EXPAND.format(store="COALESCE(m.store_id, '')", at="m.registered_at")}
WHERE m.registered_at >= :from_ts AND m.merged_into IS NULL AND NOT m.stub
GROUP BY 1, 2, 3
"""


def _insert(s: Session, select_sql: str, params: dict[str, Any]) -> None:
    s.execute(
        text("INSERT INTO intel_kpis (kpi, store_id, period, bucket, num, den, extra) " + select_sql), params
    )


def rebuild_sales(s: Session, cfg: IntelConfig, from_day: date) -> None:
    """The sales KPIs for every bucket starting on `from_day` or later."""
    # From midnight of from_day in the earliest zone (UTC+14): a bucket starting on from_day
    # in any zone is read whole.
    params = {"tz": cfg.default_tz, "from_day": from_day, "from_ts": from_day.isoformat() + "T00:00:00+14:00"}
    s.execute(
        text("DELETE FROM intel_kpis WHERE kpi = ANY(:k) AND bucket >= :from_day"),
        {"k": list(SALES_KPIS), "from_day": from_day},
    )
    s.execute(text("DROP TABLE IF EXISTS intel_kpi_sales"))
    s.execute(text(_SALES), params)
    s.execute(text("ANALYZE intel_kpi_sales"))
    for kpi, num, den in (
        ("average_ticket", "revenue", "sales"),
        ("items_per_sale", "items", "sales"),
        ("member_share", "member_sales", "sales"),
        ("repurchase_rate", "repeaters", "members"),
    ):
        _insert(
            s, f"SELECT '{kpi}', scope, period, bucket, {num}, {den}, '{{}}'::jsonb FROM intel_kpi_sales", {}
        )
    _insert(
        s,
        f"""SELECT 'new_members', COALESCE(r.scope, k.scope), COALESCE(r.period, k.period),
                          COALESCE(r.bucket, k.bucket), COALESCE(r.n, 0), COALESCE(k.sales, 0), '{{}}'::jsonb
                   FROM ({_REGISTERED}) r FULL JOIN intel_kpi_sales k
                     ON k.scope = r.scope AND k.period = r.period AND k.bucket = r.bucket
                   WHERE COALESCE(r.bucket, k.bucket) >= :from_day""",
        params,
    )


def rebuild_whole(s: Session, cfg: IntelConfig, *, cohorts: bool) -> None:
    """Coupons, feedback, tickets (and with `cohorts` the monthly cohorts), every bucket."""
    params = {"tz": cfg.default_tz}
    s.execute(text("DELETE FROM intel_kpis WHERE kpi = ANY(:k)"), {"k": list(WHOLE_KPIS)})
    _insert(
        s,
        f"""SELECT 'coupon_redemption', sc.scope, p.period, {_BUCKET},
                          count(*) FILTER (WHERE c.status = 'redeemed'), count(*), '{{}}'::jsonb
                   FROM coupons c LEFT JOIN members m ON m.id = c.member_id
                   LEFT JOIN intel_store_zones z ON z.store_id = COALESCE(c.store_id, m.store_id)
                   {_EXPAND.format(store="COALESCE(c.store_id, m.store_id, '')", at="c.issued_at")}
                   WHERE c.status <> 'void' GROUP BY 2, 3, 4""",
        params,
    )
    _feedback(s, params)
    if cohorts:
        s.execute(text("DELETE FROM intel_kpis WHERE kpi = ANY(:k)"), {"k": list(COHORT_KPIS)})
        _cohorts(s, params)


def _feedback(s: Session, params: dict[str, Any]) -> None:
    fb = f"""FROM feedback f LEFT JOIN intel_store_zones z ON z.store_id = f.store_id
             {_EXPAND.format(store="f.store_id", at="f.submitted_at")} GROUP BY 2, 3, 4"""
    _insert(
        s,
        f"SELECT 'feedback_score', sc.scope, p.period, {_BUCKET}, sum(f.stars), count(*), "
        "'{}'::jsonb " + fb,
        params,
    )
    _insert(
        s,
        f"""SELECT 'nps', sc.scope, p.period, {_BUCKET},
                          count(*) FILTER (WHERE f.nps >= 9) - count(*) FILTER (WHERE f.nps <= 6), count(*),
                          jsonb_build_object('promoters', count(*) FILTER (WHERE f.nps >= 9),
                                             'detractors', count(*) FILTER (WHERE f.nps <= 6)) """
        + fb,
        params,
    )
    _insert(
        s,
        f"""SELECT 'ticket_sla', sc.scope, p.period, {_BUCKET},
                          count(*) FILTER (WHERE t.closed_at <= t.due_at), count(*),
                          jsonb_build_object('hours_to_close_avg',
                              round(avg(extract(epoch FROM t.closed_at - t.opened_at)) / 3600.0, 2))
                   FROM feedback_tickets t LEFT JOIN intel_store_zones z ON z.store_id = t.store_id
                   {_EXPAND.format(store="t.store_id", at="t.closed_at")}
                   WHERE t.closed_at IS NOT NULL GROUP BY 2, 3, 4""",
        params,
    )


_COHORT = """
CREATE TEMP TABLE intel_cohort ON COMMIT DROP AS
SELECT m.id, sc.scope, date_trunc('month', sc.d)::date AS cohort
FROM members m LEFT JOIN intel_store_zones z ON z.store_id = m.store_id
CROSS JOIN LATERAL (VALUES (COALESCE(m.store_id, ''),
                            (m.registered_at AT TIME ZONE COALESCE(z.tz, :tz))::date),
                           ('*', (m.registered_at AT TIME ZONE :tz)::date)) sc(scope, d)
WHERE m.registered_at IS NOT NULL AND m.merged_into IS NULL AND NOT m.stub
"""

_ACTIVE = """
CREATE TEMP TABLE intel_active ON COMMIT DROP AS
SELECT DISTINCT i.member_id, sc.scope, date_trunc('month', sc.d)::date AS month
FROM intel_sales i JOIN members m ON m.id = i.member_id
LEFT JOIN intel_store_zones z ON z.store_id = m.store_id
CROSS JOIN LATERAL (VALUES (COALESCE(m.store_id, ''), (i.at AT TIME ZONE COALESCE(z.tz, :tz))::date),
                           ('*', (i.at AT TIME ZONE :tz)::date)) sc(scope, d)
"""


def _cohorts(s: Session, params: dict[str, Any]) -> None:
    """Retention: of the members registered in month C (at a store, or the chain), the share
    buying in month C+k, k = 0..12 (`extra.active[k]`; num = k 1). CLV: the cohort's spend."""
    for t in ("intel_cohort", "intel_active"):
        s.execute(text(f"DROP TABLE IF EXISTS {t}"))
    s.execute(text(_COHORT), params)
    s.execute(text(_ACTIVE), params)
    s.execute(text("ANALYZE intel_cohort"))  # temporary tables have no statistics otherwise
    s.execute(text("ANALYZE intel_active"))
    _insert(
        s,
        """
        SELECT 'retention', c.scope, 'month', c.cohort,
               COALESCE(max(a.n) FILTER (WHERE a.k = 1), 0), max(c.size),
               jsonb_build_object(
                 'active', COALESCE(jsonb_agg(a.n ORDER BY a.k) FILTER (WHERE a.k IS NOT NULL), '[]'::jsonb),
                 'months', COALESCE(jsonb_agg(a.k ORDER BY a.k) FILTER (WHERE a.k IS NOT NULL), '[]'::jsonb))
        FROM (SELECT scope, cohort, count(*) AS size FROM intel_cohort GROUP BY 1, 2) c
        LEFT JOIN (
          SELECT h.scope, h.cohort,
                 ((extract(year FROM a.month) - extract(year FROM h.cohort)) * 12
                  + extract(month FROM a.month) - extract(month FROM h.cohort))::int AS k,
                 count(*) AS n
          FROM intel_cohort h JOIN intel_active a ON a.member_id = h.id AND a.scope = h.scope
          WHERE a.month >= h.cohort AND a.month <= (h.cohort + interval '12 months')::date
          GROUP BY 1, 2, 3) a ON a.scope = c.scope AND a.cohort = c.cohort
        GROUP BY c.scope, c.cohort""",
        {},
    )
    _insert(
        s,
        """
        SELECT 'clv', h.scope, 'month', h.cohort, COALESCE(sum(sp.spend), 0), count(*), '{}'::jsonb
        FROM intel_cohort h
        LEFT JOIN (SELECT member_id, sum(total) AS spend FROM intel_sales
                   WHERE member_id IS NOT NULL GROUP BY member_id) sp ON sp.member_id = h.id
        GROUP BY h.scope, h.cohort""",
        {},
    )

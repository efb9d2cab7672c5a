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
tickets, coupons) are rebuilt whole each run; the cohorts (`retention`, `clv`) are summed each
run from `intel_member_cohorts`, one row per member that a run rewrites only for the members
it touches (a full run: all).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel.config import IntelConfig

SALES_KPIS = ("average_ticket", "items_per_sale", "member_share", "repurchase_rate", "new_members")
WHOLE_KPIS = ("coupon_redemption", "feedback_score", "nps", "ticket_sla")
COHORT_KPIS = ("retention", "clv")  # from intel_member_cohorts

# One row per sale, scope (its store, the chain) and period, with the period's first day.
_EXPAND = """
  CROSS JOIN LATERAL (VALUES ({store}, ({at} AT TIME ZONE COALESCE(z.timezone, :tz))::date),
                             ('*', ({at} AT TIME ZONE :tz)::date)) sc(scope, d)
  CROSS JOIN (VALUES ('day'), ('week'), ('month')) p(period)
"""
_BUCKET = "date_trunc(p.period, sc.d)::date"

_SALES = f"""
CREATE TEMP TABLE intel_kpi_sales ON COMMIT DROP AS
WITH pm AS (
  SELECT sc.scope, p.period, {_BUCKET} AS bucket, i.member_id, count(*) AS n,
         sum(i.total) AS total, sum(i.items) AS items
  FROM intel_sales i LEFT JOIN stores z ON z.id = i.store_id
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
FROM members m LEFT JOIN stores z ON z.id = m.store_id
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


def rebuild_whole(s: Session, cfg: IntelConfig) -> None:
    """Coupons, feedback, tickets and the monthly cohorts (from `intel_member_cohorts`, which
    the caller has brought up to date), every bucket."""
    params = {"tz": cfg.default_tz}
    s.execute(text("DELETE FROM intel_kpis WHERE kpi = ANY(:k)"), {"k": list(WHOLE_KPIS)})
    _insert(
        s,
        f"""SELECT 'coupon_redemption', sc.scope, p.period, {_BUCKET},
                          count(*) FILTER (WHERE c.status = 'redeemed'), count(*), '{{}}'::jsonb
                   FROM coupons c LEFT JOIN members m ON m.id = c.member_id
                   LEFT JOIN stores z ON z.id = COALESCE(c.store_id, m.store_id)
                   {_EXPAND.format(store="COALESCE(c.store_id, m.store_id, '')", at="c.issued_at")}
                   WHERE c.status <> 'void' GROUP BY 2, 3, 4""",
        params,
    )
    _feedback(s, params)
    s.execute(text("DELETE FROM intel_kpis WHERE kpi = ANY(:k)"), {"k": list(COHORT_KPIS)})
    _cohorts(s)


def _feedback(s: Session, params: dict[str, Any]) -> None:
    fb = f"""FROM feedback f LEFT JOIN stores z ON z.id = f.store_id
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
                   FROM feedback_tickets t LEFT JOIN stores z ON z.id = t.store_id
                   {_EXPAND.format(store="t.store_id", at="t.closed_at")}
                   WHERE t.closed_at IS NOT NULL GROUP BY 2, 3, 4""",
        params,
    )


# A member's cohort row: registration month (home store's zone; the chain's), the months
# k = 0..12 after it with a purchase as bits, spend to date. {members} narrows to the members
# in ``intel_cohort_members`` (an incremental run).
_MEMBER_COHORTS = """
INSERT INTO intel_member_cohorts (member_id, store_id, store_cohort, chain_cohort, store_months,
                                  chain_months, spend)
WITH c AS MATERIALIZED (
  SELECT m.id, COALESCE(m.store_id, '') AS store_id, COALESCE(z.timezone, :tz) AS ztz,
         date_trunc('month', m.registered_at AT TIME ZONE COALESCE(z.timezone, :tz))::date AS sc,
         date_trunc('month', m.registered_at AT TIME ZONE :tz)::date AS cc
  FROM members m LEFT JOIN stores z ON z.id = m.store_id {members}
  WHERE m.registered_at IS NOT NULL AND m.merged_into IS NULL AND NOT m.stub
), a AS (
  SELECT x.id, bit_or(CASE WHEN x.ks BETWEEN 0 AND 12 THEN 1 << x.ks ELSE 0 END) AS sm,
         bit_or(CASE WHEN x.kc BETWEEN 0 AND 12 THEN 1 << x.kc ELSE 0 END) AS cm, sum(x.total) AS spend
  FROM (SELECT c.id, i.total,
               ((extract(year FROM i.at AT TIME ZONE c.ztz) - extract(year FROM c.sc)) * 12
                + extract(month FROM i.at AT TIME ZONE c.ztz) - extract(month FROM c.sc))::int AS ks,
               ((extract(year FROM i.at AT TIME ZONE :tz) - extract(year FROM c.cc)) * 12
                + extract(month FROM i.at AT TIME ZONE :tz) - extract(month FROM c.cc))::int AS kc
        FROM c JOIN intel_sales i ON i.member_id = c.id) x
  GROUP BY x.id
)
SELECT c.id, c.store_id, c.sc, c.cc, COALESCE(a.sm, 0), COALESCE(a.cm, 0), COALESCE(a.spend, 0)
FROM c LEFT JOIN a ON a.id = c.id
"""

# Retention and CLV per cohort (a store's, the chain's) from the member rows: size, spend,
# and how many were active in month k (`extra.active`/`extra.months` list the k with any).
_COHORT_KPIS = """
CREATE TEMP TABLE intel_cohort_sums ON COMMIT DROP AS
SELECT scope, cohort, count(*) AS size, sum(spend) AS spend,
       ARRAY[{active}] AS active
FROM (SELECT store_id AS scope, store_cohort AS cohort, store_months AS mo, spend FROM intel_member_cohorts
      UNION ALL
      SELECT '*', chain_cohort, chain_months, spend FROM intel_member_cohorts) x
GROUP BY 1, 2
"""
_ACTIVE_K = ", ".join(f"count(*) FILTER (WHERE mo & {1 << k} <> 0)" for k in range(13))


def refresh_member_cohorts(s: Session, cfg: IntelConfig, *, only: bool) -> None:
    """Rewrite the cohort rows of every member, or (`only`) of the members in the temporary
    table ``intel_cohort_members`` (the caller fills it)."""
    params = {"tz": cfg.default_tz}
    if only:
        s.execute(
            text(
                "DELETE FROM intel_member_cohorts c USING intel_cohort_members a "
                "WHERE c.member_id = a.member_id"
            )
        )
        members = "JOIN intel_cohort_members a ON a.member_id = m.id"
    else:
        s.execute(text("TRUNCATE intel_member_cohorts"))
        members = ""
    s.execute(text(_MEMBER_COHORTS.format(members=members)), params)


def _cohorts(s: Session) -> None:
    """Retention: of the members registered in month C (at a store, or the chain), the share
    buying in month C+k, k = 0..12 (`extra.active[k]`; num = k 1). CLV: the cohort's spend.
    Summed from `intel_member_cohorts` (kept up to date by every run)."""
    s.execute(text("DROP TABLE IF EXISTS intel_cohort_sums"))
    s.execute(text(_COHORT_KPIS.format(active=_ACTIVE_K)))
    _insert(
        s,
        """
        SELECT 'retention', c.scope, 'month', c.cohort, c.active[2], c.size,
               jsonb_build_object(
                 'active', COALESCE((SELECT jsonb_agg(u.n ORDER BY u.k) FROM unnest(c.active)
                                     WITH ORDINALITY u(n, k) WHERE u.n > 0), '[]'::jsonb),
                 'months', COALESCE((SELECT jsonb_agg(u.k - 1 ORDER BY u.k) FROM unnest(c.active)
                                     WITH ORDINALITY u(n, k) WHERE u.n > 0), '[]'::jsonb))
        FROM intel_cohort_sums c""",
        {},
    )
    _insert(
        s,
        "SELECT 'clv', c.scope, 'month', c.cohort, c.spend, c.size, '{}'::jsonb FROM intel_cohort_sums c",
        {},
    )

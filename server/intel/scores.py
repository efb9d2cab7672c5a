"""RFM scores, lifecycle stage, value segment, HQ rule segments and tags: one SQL statement
over every member (the quintiles are global, and `as_of` moves every member's lifecycle),
reading the 12-month aggregates `intel_member_stats` (server/intel/stats.py).

- **RFM**: among members with a purchase in the window, `ntile(5)` by last purchase time,
  by purchases and by spend, ascending (5 = most recent / most often / most spent); ties are
  broken by member id, so the scores are deterministic and each quintile holds the same
  number of members (±1). Members without a purchase in the window have no scores (null).
- **Lifecycle**: `app.domain.members.lifecycle_stage` in SQL (elapsed days, the program's
  `new_days`/`dormant_days`/`lost_days`; a stub member counts from its first purchase).
- **Value segment**: `lost`/`dormant` by lifecycle, else `core` when R, F and M are all at
  least 4, else `potential`.
- **Tags** (most telling first): scene `scene:birthday_month` (in the home store's zone),
  `scene:near_<tier>` (12-month spend at `near_tier_pct`% of the next tier or more);
  dynamic `dyn:baby` (a baby-category line within `baby_days`), `dyn:organic`,
  `dyn:price_sensitive` (share of lines on promotion); static `tier:<tier>`, `age:<band>`,
  `family:<kind>`.

A row is rewritten only when something in it changed (`computed_at` = when it last changed).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel.config import IntelConfig
from server.intel.segments import compile_rules, load_rules

_SCORES = """
WITH base AS (
  SELECT m.id AS member_id, m.tier, m.birthday, m.family,
         COALESCE(m.registered_at, st.first_at, CAST(:now AS timestamptz)) AS reg,
         COALESCE(z.timezone, :tz) AS tz, COALESCE(st.visits, 0) AS visits, COALESCE(st.spend, 0) AS spend,
         st.last_at, COALESCE(st.lines, 0) AS lines, COALESCE(st.promo_lines, 0) AS promo_lines,
         COALESCE(st.organic_lines, 0) AS organic_lines, st.baby_last_at,
         COALESCE(st.stores, '[]'::jsonb) AS stores, COALESCE(st.categories, '[]'::jsonb) AS categories
  FROM members m
  LEFT JOIN intel_member_stats st ON st.member_id = m.id
  LEFT JOIN stores z ON z.id = m.store_id
  WHERE m.merged_into IS NULL
), ranked AS (
  SELECT member_id, ntile(5) OVER (ORDER BY last_at, member_id) AS r,
         ntile(5) OVER (ORDER BY visits, member_id) AS f,
         ntile(5) OVER (ORDER BY spend, member_id) AS m
  FROM base WHERE visits > 0
), staged AS (
  SELECT b.*, rk.r, rk.f, rk.m,
         CASE WHEN CAST(:now AS timestamptz) - b.reg < :new_iv THEN 'new'
              WHEN CAST(:now AS timestamptz) - GREATEST(COALESCE(b.last_at, b.reg), b.reg) >= :lost_iv
                THEN 'lost'
              WHEN CAST(:now AS timestamptz) - GREATEST(COALESCE(b.last_at, b.reg), b.reg) >= :dormant_iv
                THEN 'dormant'
              ELSE 'active' END AS lifecycle,
         (CAST(:now AS timestamptz) AT TIME ZONE b.tz)::date AS today,
         {next_tier} AS next_tier, {next_threshold} AS next_threshold
  FROM base b LEFT JOIN ranked rk USING (member_id)
), tagged AS (
  SELECT st.*, array_remove(ARRAY[
    CASE WHEN st.birthday IS NOT NULL AND extract(month FROM st.birthday) = extract(month FROM st.today)
         THEN 'scene:birthday_month' END,
    CASE WHEN st.next_threshold IS NOT NULL AND st.spend < st.next_threshold
              AND st.spend * 100 >= st.next_threshold * :near_pct THEN 'scene:near_' || st.next_tier END,
    CASE WHEN st.baby_last_at >= CAST(:now AS timestamptz) - :baby_iv THEN 'dyn:baby' END,
    CASE WHEN st.organic_lines >= :org_min AND st.organic_lines * 100 >= :org_pct * st.lines
         THEN 'dyn:organic' END,
    CASE WHEN st.lines >= :promo_min AND st.promo_lines * 100 >= :promo_pct * st.lines
         THEN 'dyn:price_sensitive' END,
    'tier:' || st.tier,
    CASE WHEN st.birthday IS NOT NULL THEN 'age:' || CASE
         WHEN extract(year FROM age(st.today, st.birthday)) < 18 THEN 'under_18'
         WHEN extract(year FROM age(st.today, st.birthday)) < 25 THEN '18-24'
         WHEN extract(year FROM age(st.today, st.birthday)) < 35 THEN '25-34'
         WHEN extract(year FROM age(st.today, st.birthday)) < 45 THEN '35-44'
         WHEN extract(year FROM age(st.today, st.birthday)) < 55 THEN '45-54'
         ELSE '55+' END END,
    {family}
  ]::text[], NULL) AS tags
  FROM staged st
)
SELECT member_id, r, f, m, lifecycle,
       CASE WHEN lifecycle IN ('lost', 'dormant') THEN lifecycle
            WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'core' ELSE 'potential' END AS segment,
       {segments} AS segments, to_jsonb(tags) AS tags
FROM tagged
"""


def _tier_cases(cfg: IntelConfig) -> tuple[str, str, dict[str, Any]]:
    """CASE expressions naming the tier after the member's and its threshold."""
    tier_parts: list[str] = []
    thr_parts: list[str] = []
    params: dict[str, Any] = {}
    tiers = list(cfg.tiers)
    for i, ((name, _), (nxt, thr)) in enumerate(itertools.pairwise(tiers)):
        params |= {f"tier{i}": name, f"tier{i}_next": nxt, f"tier{i}_thr": thr}
        tier_parts.append(f"WHEN b.tier = :tier{i} THEN CAST(:tier{i}_next AS text)")
        thr_parts.append(f"WHEN b.tier = :tier{i} THEN CAST(:tier{i}_thr AS bigint)")
    if not tier_parts:
        return "CAST(NULL AS text)", "CAST(NULL AS bigint)", params
    return (f"CASE {' '.join(tier_parts)} END", f"CASE {' '.join(thr_parts)} END", params)


def _family_case(cfg: IntelConfig) -> tuple[str, dict[str, Any]]:
    whens: list[str] = []
    params: dict[str, Any] = {}
    for i, (tag, words) in enumerate(cfg.family_tags):
        params |= {f"fam{i}": [f"%{w}%" for w in words], f"fam{i}_tag": f"family:{tag}"}
        whens.append(f"WHEN st.family ILIKE ANY(CAST(:fam{i} AS text[])) THEN CAST(:fam{i}_tag AS text)")
    if not whens:
        return "CAST(NULL AS text)", params
    return f"CASE WHEN st.family IS NULL OR st.family = '' THEN NULL {' '.join(whens)} END", params


def rescore(s: Session, cfg: IntelConfig, as_of: datetime, *, full: bool) -> None:
    """Rewrite `intel_scores` for every member not merged away, as of `as_of`."""
    next_tier, next_thr, tier_params = _tier_cases(cfg)
    family, fam_params = _family_case(cfg)
    segments, seg_params = compile_rules(load_rules(s))
    sql = _SCORES.format(next_tier=next_tier, next_threshold=next_thr, family=family, segments=segments)
    params: dict[str, Any] = {
        "now": as_of,
        "tz": cfg.default_tz,
        "new_iv": timedelta(days=cfg.new_days),
        "dormant_iv": timedelta(days=cfg.dormant_days),
        "lost_iv": timedelta(days=cfg.lost_days),
        "baby_iv": timedelta(days=cfg.baby_days),
        "near_pct": cfg.near_tier_pct,
        "org_min": cfg.organic_min_lines,
        "org_pct": cfg.organic_min_pct,
        "promo_min": cfg.promo_min_lines,
        "promo_pct": cfg.promo_min_pct,
        **tier_params,
        **fam_params,
        **seg_params,
    }
    cols = "member_id, r, f, m, lifecycle, segment, segments, tags"
    if full:
        s.execute(text("TRUNCATE intel_scores"))
        s.execute(
            text(f"INSERT INTO intel_scores ({cols}, computed_at) SELECT *, :now FROM ({sql}) x"), params
        )
        return
    # Every member is ranked again (the quintiles are global), into a staging table; then one
    # UPDATE (a hash join, not a probe per member) rewrites the rows that changed and one
    # INSERT adds the members new to intel.
    s.execute(text("DROP TABLE IF EXISTS intel_scores_new"))
    s.execute(text(f"CREATE TEMP TABLE intel_scores_new ON COMMIT DROP AS {sql}"), params)
    s.execute(text("ANALYZE intel_scores_new"))
    s.execute(
        text("""
        UPDATE intel_scores sc SET r = n.r, f = n.f, m = n.m, lifecycle = n.lifecycle, segment = n.segment,
               segments = n.segments, tags = n.tags, computed_at = :now
        FROM intel_scores_new n
        WHERE sc.member_id = n.member_id
          AND (sc.r, sc.f, sc.m, sc.lifecycle, sc.segment, sc.segments, sc.tags)
              IS DISTINCT FROM (n.r, n.f, n.m, n.lifecycle, n.segment, n.segments, n.tags)"""),
        {"now": as_of},
    )
    s.execute(
        text(f"""
        INSERT INTO intel_scores ({cols}, computed_at) SELECT n.*, :now FROM intel_scores_new n
        WHERE NOT EXISTS (SELECT 1 FROM intel_scores sc WHERE sc.member_id = n.member_id)"""),
        {"now": as_of},
    )

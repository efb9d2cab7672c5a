"""`till-server intel recompute [--full]`: one transaction that brings every intel table up
to `as_of` (default: now).

Incremental (the default once a full run has been made): the sales whose events arrived
since the last run (read with a `SETTLE` overlap, because a push batch is stamped when it
starts and commits later; a sale already in `intel_sales` is skipped, so nothing counts
twice) and the members they touch: their sales, refunds, merges, and the members whose
oldest sales the 12-month window has just left behind. Scores are then re-ranked over
everyone (quintiles are global; `as_of` moves lifecycle stages), baskets get the new sales
and lose the ones the basket window left behind, KPI buckets from the month of the oldest
new sale on are rebuilt, and the monthly cohorts (`retention`, `clv`) are summed again from
the per-member cohort rows, rewritten for the members touched and the members changed since
the last run (registrations, home store, merges). A full run rebuilds everything from the
core tables; the two give the same tables (tests/server_intel/test_properties.py).

A store's zone is `stores.timezone`. A run that finds the zones changed since the last run
(a store moved to another zone, or a store added outside the default zone) runs full: a
zone moves the store's KPI buckets, cohorts and calendar tags as far back as its sales go.
One run at a time (an advisory lock).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel import baskets, kpi, lines, scores, stats
from server.intel.config import IntelConfig

SETTLE = timedelta(minutes=10)
LATE_REGISTRATION = timedelta(days=62)
LOCK_KEY = 0x1A7E1  # pg_advisory_xact_lock key of the recompute
_EPOCH_DAY = date(1970, 1, 1)


class IntelBusy(Exception):
    """Another recompute holds the lock."""


class IntelUnsupported(Exception):
    """The database is not PostgreSQL."""


@dataclass
class RecomputeResult:
    full: bool
    as_of: datetime
    sales_added: int = 0
    members_touched: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "full": self.full,
            "as_of": self.as_of.isoformat(),
            "sales_added": self.sales_added,
            "members_touched": self.members_touched,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _state(s: Session) -> dict[str, str]:
    return {k: v for k, v in s.execute(text("SELECT key, value FROM intel_state")).all()}


def _put_state(s: Session, values: dict[str, str]) -> None:
    for k, v in values.items():
        s.execute(
            text(
                "INSERT INTO intel_state (key, value) VALUES (:k, :v) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            {"k": k, "v": v},
        )


class _Timer:
    def __init__(self, result: RecomputeResult) -> None:
        self.result = result
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.result.seconds[name] = self.result.seconds.get(name, 0.0) + now - self.t
        self.t = now


def recompute(
    s: Session, cfg: IntelConfig, *, full: bool = False, as_of: datetime | None = None
) -> RecomputeResult:
    """Run one recompute in `s` and commit. Raises IntelBusy, IntelUnsupported, ValueError
    (a naive `as_of`)."""
    if s.get_bind().dialect.name != "postgresql":
        raise IntelUnsupported("intel recompute needs PostgreSQL (the SQLite demo has no intel)")
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        raise ValueError("as_of must carry a time zone")
    if not s.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}).scalar_one():
        raise IntelBusy("another intel recompute is running")
    # Big sorts and hashes in memory; no JIT (it costs more to compile than these save).
    s.execute(text("SET LOCAL work_mem = '256MB'"))
    s.execute(text("SET LOCAL jit = off"))
    until = s.execute(text("SELECT now()")).scalar_one()
    st = _state(s)
    prev_as_of = datetime.fromisoformat(st["as_of"]) if "as_of" in st else None
    zones = _zones(s, cfg)
    if prev_as_of is None or as_of < prev_as_of or st.get("zones") != zones:
        full = True
    result = RecomputeResult(full=full, as_of=as_of)
    timer = _Timer(result)
    if full:
        _full(s, cfg, as_of, result, timer)
    else:
        assert prev_as_of is not None
        _incremental(
            s, cfg, as_of, prev_as_of, datetime.fromisoformat(st["received_until"]), until, result, timer
        )
    _put_state(
        s,
        {
            "as_of": as_of.isoformat(),
            "received_until": until.isoformat(),
            "cohorts_as_of": as_of.isoformat(),
            "zones": zones,
        },
    )
    s.commit()
    timer.lap("commit")
    return result


def _zones(s: Session, cfg: IntelConfig) -> str:
    """A fingerprint of the stores' zones other than the default."""
    return str(
        s.execute(
            text(
                "SELECT md5(COALESCE(string_agg(id || '=' || timezone, ',' ORDER BY id), '')) "
                "FROM stores WHERE timezone <> :tz"
            ),
            {"tz": cfg.default_tz},
        ).scalar_one()
    )


def _full(s: Session, cfg: IntelConfig, as_of: datetime, result: RecomputeResult, timer: _Timer) -> None:
    result.sales_added = lines.ingest_all(s, cfg)
    timer.lap("ingest")
    s.execute(text("ANALYZE intel_sales"))
    s.execute(text("ANALYZE intel_lines"))
    stats.refresh(s, cfg, as_of, only_affected=False)
    result.members_touched = int(s.execute(text("SELECT count(*) FROM intel_member_stats")).scalar_one())
    timer.lap("stats")
    scores.rescore(s, cfg, as_of, full=True)
    timer.lap("scores")
    s.execute(text("TRUNCATE intel_kpis"))
    kpi.rebuild_sales(s, cfg, _EPOCH_DAY)
    kpi.refresh_member_cohorts(s, cfg, only=False)
    kpi.rebuild_whole(s, cfg)
    timer.lap("kpis")
    baskets.rebuild(s, cfg, as_of)
    timer.lap("baskets")


_AFFECTED = """
INSERT INTO intel_affected (member_id)
SELECT member_id FROM intel_new_sales WHERE member_id IS NOT NULL
UNION SELECT r.member_id FROM events e JOIN refunds r ON r.event_id = e.id
      WHERE e.received_at > :since AND e.received_at <= :until AND r.member_id IS NOT NULL
UNION SELECT member_id FROM intel_sales WHERE at >= :prev_ws AND at < :ws AND member_id IS NOT NULL
UNION SELECT member_id FROM refunds WHERE at >= :prev_ws AND at < :ws AND member_id IS NOT NULL
UNION SELECT merged_into FROM members WHERE id = ANY(:losers) AND merged_into IS NOT NULL
ON CONFLICT DO NOTHING
"""


def _incremental(
    s: Session,
    cfg: IntelConfig,
    as_of: datetime,
    prev_as_of: datetime,
    received: datetime,
    until: datetime,
    result: RecomputeResult,
    timer: _Timer,
) -> None:
    since = received - SETTLE
    losers = lines.follow_merges(s, since)
    result.sales_added = lines.ingest_since(s, cfg, since, until)
    timer.lap("ingest")
    s.execute(text("DROP TABLE IF EXISTS intel_affected"))
    s.execute(text("CREATE TEMP TABLE intel_affected (member_id uuid PRIMARY KEY) ON COMMIT DROP"))
    s.execute(
        text(_AFFECTED),
        {
            "since": since,
            "until": until,
            "losers": losers,
            "prev_ws": stats.window_start(cfg, prev_as_of),
            "ws": stats.window_start(cfg, as_of),
        },
    )
    s.execute(text("ANALYZE intel_affected"))
    result.members_touched = int(s.execute(text("SELECT count(*) FROM intel_affected")).scalar_one())
    stats.refresh(s, cfg, as_of, only_affected=True)
    timer.lap("stats")
    scores.rescore(s, cfg, as_of, full=False)
    timer.lap("scores")
    # Registrations: those of the last LATE_REGISTRATION (a till offline longer than that is
    # counted into `new_members` by the next full run).
    oldest = s.execute(
        text("""
        SELECT min(at) FROM (SELECT min(at) AS at FROM intel_new_sales
                             UNION ALL SELECT min(registered_at) FROM members
                             WHERE updated_at > :since AND registered_at >= :late) x"""),
        {"since": since, "late": until - LATE_REGISTRATION},
    ).scalar_one()
    if oldest is not None:
        kpi.rebuild_sales(s, cfg, kpi_from_day(oldest, cfg))
    # Cohort rows: the members touched, and those whose registration, home store, stub or
    # merge changed since the last run (merged-away members lose theirs).
    s.execute(text("DROP TABLE IF EXISTS intel_cohort_members"))
    s.execute(
        text("""
        CREATE TEMP TABLE intel_cohort_members ON COMMIT DROP AS
        SELECT member_id FROM intel_affected
        UNION SELECT id FROM members WHERE updated_at > :since
        UNION SELECT unnest(CAST(:losers AS uuid[]))"""),
        {"since": since, "losers": losers},
    )
    s.execute(text("ANALYZE intel_cohort_members"))
    kpi.refresh_member_cohorts(s, cfg, only=True)
    kpi.rebuild_whole(s, cfg)
    timer.lap("kpis")
    # Last: a rewrite of the pair table holds its readers until the commit.
    baskets.update(s, cfg, as_of, prev_as_of)
    timer.lap("baskets")


def kpi_from_day(oldest: datetime, cfg: IntelConfig) -> date:
    """The first bucket day to rebuild so every day, week and month holding `oldest` (in any
    zone: a day of margin) is rebuilt whole."""
    d = oldest.astimezone(ZoneInfo(cfg.default_tz)).date() - timedelta(days=1)
    month_start = d.replace(day=1)
    return month_start - timedelta(days=month_start.weekday())

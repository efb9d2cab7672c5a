"""Properties of the scores on random chains (PostgreSQL): RFM scores are 1-5, each quintile
holds the same number of members (±1), and recomputing incrementally after each of several
batches of sales (with refunds, a moving window, late sales dated long ago) leaves exactly
the tables a full recompute makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from server.intel.config import IntelConfig
from server.intel.recompute import recompute
from tests.server_intel.chain import T0, Chain, Line

pytestmark = pytest.mark.postgres
CFG = IntelConfig(min_support=1)
# The batches merge pair counts both ways: rewriting the pair table, and upserting into it.
BATCH_CFG = [
    CFG,
    IntelConfig(min_support=1, pairs_rewrite_pct=0),
    IntelConfig(min_support=1, pairs_rewrite_pct=1000),
]
SKUS = ["milk", "bread", "diaper", "wine", "steak", "chips"]
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

sale_st = st.tuples(
    st.integers(0, 11),  # member (index; >= the number of members: a walk-in)
    st.integers(0, 420),  # days before T0
    st.sampled_from(["S1", "S2"]),
    st.lists(
        st.tuples(st.sampled_from(SKUS), st.integers(1, 3), st.integers(100, 20000), st.booleans()),
        min_size=1,
        max_size=4,
    ),
    st.integers(0, 2),  # batch
    st.booleans(),  # refunded in part
)
chain_st = st.tuples(
    st.lists(st.integers(0, 500), min_size=1, max_size=10),  # registration, days before T0
    st.lists(sale_st, max_size=40),
    st.integers(0, 60),  # days the clock moves between batches
)

_TABLES = {
    "scores": "SELECT member_id, r, f, m, lifecycle, segment, segments::text, tags::text FROM intel_scores",
    "stats": "SELECT member_id, visits, spend, first_at, last_at, lines, promo_lines, organic_lines, "
    "baby_last_at, stores::text, categories::text FROM intel_member_stats",
    # counts at zero wait for the next full run (nothing reads them)
    "items": "SELECT sku, n FROM intel_items",  # no count at zero is kept (either run)
    "pairs": "SELECT a, b, n FROM intel_pairs",
    # every KPI, the monthly cohorts (retention, clv) included
    "kpis": "SELECT kpi, store_id, period, bucket, num, den, extra::text FROM intel_kpis",
    "cohorts": "SELECT member_id, store_id, store_cohort, chain_cohort, store_months, chain_months, spend "
    "FROM intel_member_cohorts",
}


def _snapshot(s: Session) -> dict[str, list[Any]]:
    return {k: sorted(map(tuple, s.execute(text(q)).all()), key=repr) for k, q in _TABLES.items()}


def _setup(chain: Chain, regs: list[int]) -> list[Any]:
    chain.store("S1")
    chain.store("S2")
    for i, sku in enumerate(SKUS):
        chain.product(
            sku,
            ["dairy", "bakery", "baby", "wine_spirits", "meat", "snacks"][i],
            f"Organic {sku}" if sku == "milk" else sku,
        )
    return [chain.member("S1" if i % 2 else "S2", T0 - timedelta(days=d)) for i, d in enumerate(regs)]


@SETTINGS
@given(data=chain_st)
def test_incremental_equals_full(data: Any, sessions: sessionmaker[Session], chain: Chain) -> None:
    regs, sales, step = data
    _truncate(chain.s)
    members = _setup(chain, regs)
    chain.commit()
    as_of = T0
    for batch in range(3):
        chain.received = datetime.now(UTC)
        for m, days, store, lines, b, refunded in sales:
            if b != batch:
                continue
            member = members[m] if m < len(members) else None
            at = as_of - timedelta(days=days, hours=m)
            sid = chain.sale(
                store,
                member,
                at,
                [Line(sku, q, net, net + 100 if promo else None) for sku, q, net, promo in lines],
            )
            if refunded:
                chain.refund(sid, member, at + timedelta(hours=1), lines[0][2] // 2)
        chain.commit()
        with sessions() as s:
            recompute(s, BATCH_CFG[batch], as_of=as_of)
        as_of += timedelta(days=step, hours=1)
    as_of -= timedelta(days=step, hours=1)
    with sessions() as s:
        incremental = _snapshot(s)
        result = recompute(s, CFG, full=True, as_of=as_of)
        assert result.full
    with sessions() as s:
        full = _snapshot(s)
        for key in _TABLES:
            assert incremental[key] == full[key], key
        _check_quintiles(s)


def _check_quintiles(s: Session) -> None:
    ranked = int(s.execute(text("SELECT count(*) FROM intel_scores WHERE r IS NOT NULL")).scalar_one())
    for col in ("r", "f", "m"):
        counts = dict(
            s.execute(
                text(f"SELECT {col}, count(*) FROM intel_scores WHERE {col} IS NOT NULL GROUP BY {col}")
            ).all()
        )
        assert set(counts) <= {1, 2, 3, 4, 5}
        assert sum(counts.values()) == ranked
        if ranked >= 5:
            assert set(counts) == {1, 2, 3, 4, 5}
            assert max(counts.values()) - min(counts.values()) <= 1, counts
    # Scored exactly the members with a purchase in the window; none without.
    assert (
        s.execute(
            text(
                "SELECT count(*) FROM intel_scores sc LEFT JOIN intel_member_stats st "
                "USING (member_id) WHERE (sc.r IS NULL) <> (st.member_id IS NULL)"
            )
        ).scalar_one()
        == 0
    )


def _truncate(s: Session) -> None:
    names = [
        r[0]
        for r in s.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('server_alembic_version', 'server_meta')"
            )
        )
    ]
    s.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " CASCADE"))
    s.commit()


@SETTINGS
@given(n=st.integers(1, 60), spends=st.lists(st.integers(0, 5), min_size=60, max_size=60))
def test_quintiles_balanced_with_ties(
    n: int, spends: list[int], sessions: sessionmaker[Session], chain: Chain
) -> None:
    """Many members with equal figures (ties everywhere) still split 1-5 evenly, by id."""
    _truncate(chain.s)
    chain.store("S1")
    chain.product("milk", "dairy")
    for i in range(n):
        m = chain.member("S1", T0 - timedelta(days=400))
        chain.sale("S1", m, T0 - timedelta(days=1 + spends[i]), [Line("milk", 1, 1000 * (1 + spends[i] % 2))])
    chain.commit()
    with sessions() as s:
        recompute(s, CFG, full=True, as_of=T0)
    with sessions() as s:
        _check_quintiles(s)
        # The tie-break is the member id: within equal spend, a lower id never scores higher.
        rows = s.execute(
            text(
                "SELECT st.spend, sc.member_id, sc.m FROM intel_scores sc "
                "JOIN intel_member_stats st USING (member_id) "
                "ORDER BY st.spend, sc.member_id"
            )
        ).all()
        assert [r.m for r in rows] == sorted(r.m for r in rows)

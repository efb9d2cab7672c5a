"""Member intel published to the tills (`server.intel_pull.publish_member_intel`) on the
hand-worked chain (tests/server_intel/fixture.py): each member's `member_intel` change with
the suggestions worked out by hand, and the statements a publish runs do not grow with the
members (one suggestions statement for all of them, not one per member)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from server.intel import baskets
from server.intel.config import IntelConfig
from server.intel.recompute import recompute
from server.intel_pull import publish_member_intel
from server.models import ChangeRow
from tests.server_intel.chain import T0, Chain, Line
from tests.server_intel.fixture import Fixture, build
from tests.server_intel.test_hand import CFG

pytestmark = pytest.mark.postgres
NOW = T0 + timedelta(hours=1)


@contextmanager
def _counting(s: Session) -> Iterator[list[str]]:
    """The statements sent on the session's connection while inside."""
    seen: list[str] = []
    conn = s.connection()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(conn, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", count)


def _published(s: Session) -> dict[str, dict[str, Any]]:
    rows = s.execute(
        select(ChangeRow.key, ChangeRow.data)
        .where(ChangeRow.entity == "member_intel")
        .order_by(ChangeRow.seq)
    ).all()
    return {key: data for key, data in rows}  # the last change of each member


def _names(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(x["sku"], x["name_zh"], x["name_en"]) for x in data["suggestions"]]


def test_published_suggestions_are_the_hand_worked_ones(
    chain: Chain, sessions: sessionmaker[Session]
) -> None:
    fx: Fixture = build(chain)
    with sessions() as s:
        recompute(s, CFG, full=True, as_of=T0)
    with sessions() as s:
        assert publish_member_intel(s, CFG, NOW, full=True) == 7
        s.commit()
        got = _published(s)
    # The pairs of test_hand (12 baskets; min support 2): bread+milk 7, diaper+milk 5,
    # bread+diaper 5, steak+wine 2, chips+steak 2, bread+chips 2.
    # A bought milk, bread, diaper in the last 30 days: chips via bread 2*12/(8*4) = 0.75.
    assert _names(got[str(fx.a)]) == [("chips", "chips", "Chips")]
    # B bought wine and steak 2 days ago: chips via steak 2*12/(4*4) = 1.5.
    assert _names(got[str(fx.b)]) == [("chips", "chips", "Chips")]
    # C (45 and 60 days ago): steak via wine 3.0 (confidence 1), wine via steak 3.0 (0.5),
    # chips via steak 1.5.
    assert [x["sku"] for x in got[str(fx.c)]["suggestions"]] == ["steak", "wine", "chips"]
    # G: wine via steak 3.0, diaper via milk 1.714286.
    assert _names(got[str(fx.g)]) == [("wine", "wine", "Wine"), ("diaper", "diaper", "Diapers")]
    # D's bread is 100 days old (outside the 90-day basket window), E bought 400 days ago, F never.
    for m in (fx.d, fx.e, fx.f):
        assert got[str(m)]["suggestions"] == []
    assert got[str(fx.g)]["segment"] == "potential" and got[str(fx.g)]["lifecycle"] == "active"
    assert got[str(fx.g)]["tags"] == [
        "scene:birthday_month",
        "dyn:price_sensitive",
        "tier:basic",
        "age:under_18",
    ]
    # The same as the member view's suggestions (one rule: server.intel.baskets).
    with sessions() as s:
        for m in (fx.a, fx.b, fx.c, fx.g):
            mine = [x["sku"] for x in baskets.suggestions(s, CFG, m, T0)][:3]
            assert [x["sku"] for x in got[str(m)]["suggestions"]] == mine
        # Nothing changed: nothing sent again, and what was sent is stamped with this run.
        assert publish_member_intel(s, CFG, NOW, full=True) == 0
        s.commit()
        assert (
            s.execute(text("SELECT count(*) FROM intel_pull_sent WHERE sent_at = :t"), {"t": T0}).scalar()
            == 7
        )


def _publish_counting(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as s:
        s.execute(text("DELETE FROM intel_pull_sent"))
        with _counting(s) as seen:
            sent = publish_member_intel(s, CFG, NOW, full=True)
            s.commit()
    return sent, len(seen)


def test_publish_statements_do_not_grow_with_members(chain: Chain, sessions: sessionmaker[Session]) -> None:
    build(chain)
    with sessions() as s:
        recompute(s, CFG, full=True, as_of=T0)
    small = _publish_counting(sessions)
    # 30 more members, each with two baskets of milk and bread plus one of wine and steak
    # 50 days ago (so each has suggestions of their own).
    for i in range(30):
        m = chain.member("S1", T0 - 100 * timedelta(days=1))
        chain.sale("S1", m, T0 - timedelta(days=50 + i % 5), [Line("milk", 1, 1000), Line("bread", 1, 500)])
        chain.sale("S1", m, T0 - timedelta(days=40), [Line("wine", 1, 9000), Line("steak", 1, 5000)])
    chain.commit()
    with sessions() as s:
        recompute(s, CFG, full=True, as_of=T0)
    big = _publish_counting(sessions)
    assert (small[0], big[0]) == (7, 37)
    assert big[1] == small[1], (small, big)
    with sessions() as s:
        got = _published(s)
    assert sum(1 for d in got.values() if d["suggestions"]) >= 30


@pytest.mark.parametrize("seed", [7, 11])
def test_ranked_partners_give_the_same_suggestions_as_every_pair(
    chain: Chain, sessions: sessionmaker[Session], seed: int
) -> None:
    """The many-members path (each item's partners ranked once, a member takes the first
    `limit` + its recent items of each) against every pair, on a random chain of 60 members
    and 12 items where members bought recently some of their items' best partners."""
    rnd = random.Random(seed)
    chain.store("S1")
    skus = [f"i{k:02d}" for k in range(12)]
    for sku in skus:
        chain.product(sku, "c")
    members = []
    for _ in range(60):
        m = chain.member("S1", T0 - 200 * timedelta(days=1))
        members.append(m)
        for _ in range(rnd.randint(1, 4)):
            basket = rnd.sample(skus[: rnd.choice((5, 12))], rnd.randint(1, 5))
            at = T0 - timedelta(days=rnd.choice((1, 3, 10, 40, 60, 80)), hours=rnd.randint(0, 23))
            chain.sale("S1", m, at, [Line(sku, 1, 100) for sku in basket])
    chain.commit()
    cfg = IntelConfig(min_support=1)
    with sessions() as s:
        recompute(s, cfg, full=True, as_of=T0)
    with sessions() as s:
        for limit in (1, 2, 3, 5):
            every = baskets.suggestions_for(s, cfg, members, T0, limit, ranked=False)
            ranked = baskets.suggestions_for(s, cfg, members, T0, limit, ranked=True)
            assert ranked == every
            assert sum(len(v) for v in every.values()) >= 40 * min(limit, 2)  # not vacuous

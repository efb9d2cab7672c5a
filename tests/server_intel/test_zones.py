"""A store's zone has one home, `stores.timezone`: intel's calendar rules (birthday month,
KPI day buckets) follow it when it changes, whichever command changed it; migration ia0001
moved the zones intel kept in its own table into it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from server.auth import add_store
from server.intel.config import IntelConfig
from server.intel.recompute import recompute
from server.intel.service import UnknownStore, set_zone
from server.migrate import alembic_config
from tests.server.conftest import create_database, drop_database
from tests.server_intel.chain import Chain, Line

pytestmark = pytest.mark.postgres
CFG = IntelConfig()
# 30 June 20:00 UTC: already 1 July (04:00) in Shanghai, still 30 June in UTC.
AS_OF = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)


def _tags(s: Session, member: object) -> list[str]:
    return list(
        s.execute(text("SELECT tags FROM intel_scores WHERE member_id = :m"), {"m": member}).scalar_one()
    )


def _day_buckets(s: Session) -> list[date]:
    return list(
        s.execute(
            text(
                "SELECT bucket FROM intel_kpis WHERE kpi = 'average_ticket' AND store_id = 'S1' "
                "AND period = 'day' ORDER BY bucket"
            )
        ).scalars()
    )


def test_zone_change_moves_the_calendar_rules(sessions: sessionmaker[Session], chain: Chain) -> None:
    chain.store("S1")  # Asia/Shanghai, the default
    chain.product("milk", "dairy")
    m = chain.member("S1", AS_OF - timedelta(days=300), birthday=date(1990, 7, 5))
    chain.received = AS_OF - timedelta(hours=1)
    chain.sale("S1", m, datetime(2026, 6, 30, 17, 0, tzinfo=UTC), [Line("milk", 1, 1000)])
    chain.commit()
    with sessions() as s:
        assert recompute(s, CFG, as_of=AS_OF).full
    with sessions() as s:
        assert "scene:birthday_month" in _tags(s, m)  # July in Shanghai
        assert _day_buckets(s) == [date(2026, 7, 1)]
        add_store(s, "S1", "", "UTC")  # `till-server store add S1 --timezone UTC`
        s.commit()
    with sessions() as s:
        result = recompute(s, CFG, as_of=AS_OF + timedelta(minutes=1))
        assert result.full  # the zone moved every bucket of the store
    with sessions() as s:
        assert "scene:birthday_month" not in _tags(s, m)  # still June in UTC
        assert _day_buckets(s) == [date(2026, 6, 30)]
        set_zone(s, "S1", "Asia/Shanghai")  # `till-server intel zone`: the same column
        s.commit()
        assert s.execute(text("SELECT timezone FROM stores WHERE id = 'S1'")).scalar_one() == "Asia/Shanghai"
    with sessions() as s:
        recompute(s, CFG, as_of=AS_OF + timedelta(minutes=2))
    with sessions() as s:
        assert "scene:birthday_month" in _tags(s, m)
        assert _day_buckets(s) == [date(2026, 7, 1)]
        with pytest.raises(UnknownStore):
            set_zone(s, "S404", "UTC")


def test_migration_moves_intel_zones_into_stores(pg_admin: str) -> None:
    url = create_database(pg_admin, prefix="lt_intel_mig_")
    try:
        cfg = alembic_config(url)
        command.upgrade(cfg, "ga0001")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO stores (id, name, created_at, timezone) VALUES "
                    "('S1', 'S1', now(), 'Asia/Shanghai'), ('S2', 'S2', now(), 'Asia/Shanghai')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO intel_store_zones (store_id, tz) VALUES ('S2', 'Asia/Urumqi'), ('S9', 'UTC')"
                )
            )
            conn.execute(
                text("INSERT INTO intel_state (key, value) VALUES ('as_of', '2026-06-01T00:00:00+00:00')")
            )
        command.upgrade(cfg, "ia0001")
        with engine.begin() as conn:
            zones = dict(conn.execute(text("SELECT id, timezone FROM stores")).all())
            assert zones == {"S1": "Asia/Shanghai", "S2": "Asia/Urumqi"}
            assert conn.execute(text("SELECT to_regclass('intel_store_zones')")).scalar_one() is None
            # the next recompute is a full one (the cohort rows start empty)
            assert conn.execute(text("SELECT count(*) FROM intel_state")).scalar_one() == 0
        command.downgrade(cfg, "ga0001")
        with engine.begin() as conn:
            back = dict(conn.execute(text("SELECT store_id, tz FROM intel_store_zones")).all())
            assert back == {"S1": "Asia/Shanghai", "S2": "Asia/Urumqi"}
        engine.dispose()
    finally:
        drop_database(pg_admin, url)


def test_migration_puts_pair_keys_in_the_c_collation(pg_admin: str) -> None:
    """in3001: pair and item keys in "C", each pair a < b in byte order (a pair the old
    collation ordered the other way round is turned, its count kept); the unread index on
    intel_sales (store_id, at) dropped; and back."""
    url = create_database(pg_admin, prefix="lt_intel_mig_")
    try:
        cfg = alembic_config(url)
        command.upgrade(cfg, "ia0001")
        engine = create_engine(url)
        with engine.begin() as conn:
            # ('b', 'a') stands for a pair the database's collation put the other way round.
            conn.execute(text("INSERT INTO intel_pairs (a, b, n) VALUES ('b', 'a', 3), ('x', 'y', 2)"))
            conn.execute(text("INSERT INTO intel_items (sku, n) VALUES ('a', 4), ('b', 5)"))
        command.upgrade(cfg, "in3001")

        def collations() -> dict[str, str | None]:
            with engine.begin() as conn:
                return dict(
                    conn.execute(
                        text(
                            "SELECT table_name || '.' || column_name, collation_name "
                            "FROM information_schema.columns WHERE table_name IN ('intel_pairs', "
                            "'intel_items') AND data_type LIKE 'character%'"
                        )
                    ).all()
                )

        def store_index() -> object:
            with engine.begin() as conn:
                return conn.execute(text("SELECT to_regclass('ix_intel_sales_store_at')")).scalar_one()

        def b_index() -> str:
            with engine.begin() as conn:
                q = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_intel_pairs_b'"
                return str(conn.execute(text(q)).scalar_one())

        assert collations() == {"intel_pairs.a": "C", "intel_pairs.b": "C", "intel_items.sku": "C"}
        with engine.begin() as conn:
            assert sorted(conn.execute(text("SELECT a, b, n FROM intel_pairs")).all()) == [
                ("a", "b", 3),
                ("x", "y", 2),
            ]
            assert sorted(conn.execute(text("SELECT sku, n FROM intel_items")).all()) == [("a", 4), ("b", 5)]
        assert store_index() is None
        assert b_index().endswith("(b)")
        command.downgrade(cfg, "c40001")
        assert set(collations().values()) == {None}
        assert store_index() is not None
        assert b_index().endswith("(b, a)")
        engine.dispose()
    finally:
        drop_database(pg_admin, url)

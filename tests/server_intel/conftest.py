"""Intel tests: one fresh PostgreSQL database per session (migrated), emptied before each
test, and a `Chain` to write a small chain's members and sales straight into the core tables
(tests/server_intel/chain.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.migrate import upgrade
from server.settings import ServerSettings
from tests.server.conftest import HQ_TOKEN, create_database, drop_database, pg_admin  # noqa: F401
from tests.server.support import ServerProcess
from tests.server_intel.chain import Chain


@pytest.fixture(scope="session")
def intel_url(pg_admin: str) -> Iterator[str]:  # noqa: F811
    url = create_database(pg_admin, prefix="lt_intel_")
    try:
        upgrade(ServerSettings(database_url=url))
        yield url
    finally:
        drop_database(pg_admin, url)


@pytest.fixture(scope="session")
def intel_engine(intel_url: str) -> Iterator[Engine]:
    engine = create_engine(intel_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(intel_engine: Engine) -> sessionmaker[Session]:
    with intel_engine.begin() as conn:
        names = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('server_alembic_version', 'server_meta')"
                )
            )
        ]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " CASCADE"))
    return sessionmaker(intel_engine, expire_on_commit=False)


@pytest.fixture
def chain(sessions: sessionmaker[Session]) -> Iterator[Chain]:
    with sessions() as s:
        yield Chain(s)


@pytest.fixture(scope="session")
def intel_server(intel_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        intel_url, tmp_path_factory.mktemp("intel_server"), LT_SERVER_ADMIN_TOKEN=HQ_TOKEN
    ).start()
    yield proc
    proc.stop()

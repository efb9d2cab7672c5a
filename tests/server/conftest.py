"""Server tests run against a real PostgreSQL (a fresh database per session, dropped at the
end) and a real `till-server serve` process on 127.0.0.1.

Without a reachable PostgreSQL the tests are skipped locally, but fail in CI (env CI set).
`LT_TEST_PG_ADMIN_URL` overrides the admin URL (default: postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.migrate import upgrade
from server.settings import ServerSettings
from tests.server.support import ServerProcess

HQ_TOKEN = "hq-token-for-tests-0123456789"  # LT_SERVER_ADMIN_TOKEN of the session's server
ADMIN_URL = os.environ.get("LT_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


def require_postgres() -> str:
    """The admin URL of a reachable PostgreSQL; skips the test without one (fails it in CI)."""
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # no server reachable
        engine.dispose()
        where = make_url(ADMIN_URL).render_as_string()
        reason = f"PostgreSQL not reachable at {where}: {exc.__class__.__name__}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: the server tests must run)")
        pytest.skip(reason)
    engine.dispose()
    return ADMIN_URL


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    yield require_postgres()


def create_database(admin_url: str, prefix: str = "lt_test_", template: str | None = None) -> str:
    """A new empty database (or a copy of `template`); returns its URL."""
    name = f"{prefix}{secrets.token_hex(5)}"
    engine = _admin_engine()
    with engine.connect() as conn:
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def db_url(pg_admin: str) -> Iterator[str]:
    url = create_database(pg_admin)
    try:
        upgrade(ServerSettings(database_url=url))
        yield url
    finally:
        drop_database(pg_admin, url)


@pytest.fixture(scope="session")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(db_url, tmp_path_factory.mktemp("server"), LT_SERVER_ADMIN_TOKEN=HQ_TOKEN).start()
    yield proc
    proc.stop()


@pytest.fixture
def store_id() -> str:
    return f"S{secrets.token_hex(4)}"


@pytest.fixture
def tmp_server_dir(tmp_path: Path) -> Path:
    return tmp_path

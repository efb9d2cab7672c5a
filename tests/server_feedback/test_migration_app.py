"""Our Alembic revision matches the models, goes down and up again, and the core's
create_app serves the feedback page through its documented hook."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Engine

import server.models as sm
from server.migrate import alembic_config, upgrade
from server.settings import load_settings
from tests.server_feedback.conftest import serve

OURS = {"feedback", "feedback_tickets", "feedback_ticket_events", "feedback_compensations", "feedback_alerts"}


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(ctx, sm.Base.metadata) if str(d).find("feedback") >= 0]


@pytest.mark.postgres
def test_postgres_revision_matches_models_and_downgrades(pg_engine: Engine) -> None:
    assert set(inspect(pg_engine).get_table_names()) >= OURS
    assert _diff(pg_engine) == []


def test_sqlite_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(load_settings(database_url=url))
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) >= OURS
        assert _diff(engine) == []
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "s0001")
        assert not OURS & set(inspect(engine).get_table_names())
        assert "sales" in inspect(engine).get_table_names()  # the core's tables stay
        upgrade(load_settings(database_url=url))
        assert set(inspect(engine).get_table_names()) >= OURS
    finally:
        engine.dispose()


def test_create_app_includes_the_feedback_router(tmp_path: Path) -> None:
    from server.app import create_app

    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(load_settings(database_url=url))
    app = create_app(load_settings(database_url=url))
    with serve(app) as base:
        r = requests.get(f"{base}/f/LTF1.forged.token?lang=en", timeout=10)
        assert r.status_code == 404 and "We cannot open this feedback link" in r.text
        r = requests.get(f"{base}/api/v1/tickets/{uuid.uuid4()}", timeout=10)
        assert r.status_code == 503  # no admin token in the core's settings

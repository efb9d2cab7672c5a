"""`till-server db upgrade`: run the server's Alembic migrations (server/migrations)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from server.meta import ensure_epoch
from server.settings import ServerSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(settings: ServerSettings, revision: str = "heads") -> str:
    """Bring the database to `revision` and make sure it has an epoch; returns the epoch."""
    from sqlalchemy.orm import Session

    engine = create_engine(settings.database_url, hide_parameters=True)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(settings.database_url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        with Session(engine) as s:
            epoch = ensure_epoch(s)
            s.commit()
        return epoch
    finally:
        engine.dispose()

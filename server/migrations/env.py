"""Alembic environment for the server's database (PostgreSQL, or SQLite for the demo).

Run through ``till-server db upgrade`` (server/migrate.py), which passes the connection.
Other server packages register their tables on ``server.models.Base``; import their models
module here so autogenerate sees them.
"""

from __future__ import annotations

import contextlib
import importlib

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from server.models import Base

for _module in (
    "server.feedback.models",
    "server.intel.models",
    "server.console.models",
    "server.push.models",
    "server.gifts.models",
    "server.intel_pull",
):
    with contextlib.suppress(ModuleNotFoundError):
        importlib.import_module(_module)

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        version_table="server_alembic_version",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

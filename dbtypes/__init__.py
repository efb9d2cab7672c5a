"""What the till's store (`app.store.orm`) and the server's tables (`server.models`) declare
alike: the constraint naming convention (Alembic names constraints and indexes from it) and
the column type for times (aware in, aware UTC out). Both import it from here; it imports only
SQLAlchemy and the domain's clock rule, so the server need not import the till's store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.engine import Dialect

from app.domain.clock import require_aware

__all__ = ["NAMING", "UtcDateTime"]

NAMING: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out. SQLite keeps no zone (the till's store holds
    UTC ISO text), PostgreSQL's `timestamptz` does; a naive datetime is refused (ValueError)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return require_aware(value, "a time stored in the database").astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

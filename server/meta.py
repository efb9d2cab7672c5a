"""The server's epoch: tills keep a pull cursor per epoch, and a restored server has a new one.

The epoch is a random value stored in the database, joined on PostgreSQL with the database's
OID. Restoring a backup means creating a database and loading it, which gives a new OID, so
the epoch changes by itself and every till resyncs from 0. For an in-place restore (point in
time recovery), run ``till-server db new-epoch``.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from server.models import ServerMeta

EPOCH_KEY = "epoch"


def new_epoch_value() -> str:
    return secrets.token_hex(8)


def ensure_epoch(s: Session) -> str:
    row = s.get(ServerMeta, EPOCH_KEY)
    if row is None:
        row = ServerMeta(key=EPOCH_KEY, value=new_epoch_value())
        s.add(row)
        s.flush()
    return row.value


def renew_epoch(s: Session) -> str:
    row = s.get(ServerMeta, EPOCH_KEY)
    value = new_epoch_value()
    if row is None:
        s.add(ServerMeta(key=EPOCH_KEY, value=value))
    else:
        row.value = value
    s.flush()
    return value


def current_epoch(s: Session) -> str:
    stored = s.execute(select(ServerMeta.value).where(ServerMeta.key == EPOCH_KEY)).scalar_one_or_none()
    if stored is None:
        stored = ensure_epoch(s)
    if s.get_bind().dialect.name == "postgresql":
        oid = s.execute(text("SELECT oid FROM pg_database WHERE datname = current_database()")).scalar_one()
        return f"{stored}.{oid}"
    return stored

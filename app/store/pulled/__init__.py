"""The till's store as pulled changes reach it: the adapters of the `app.ports.PulledRows` port
that `sync.apply` decides changes against. `SessionRows` (rows.py) asks the session change by
change; `BulkRows` (bulk.py) answers a whole run from `prefetch` and inserts new rows through
`inserts`; `values` converts JSON to column values; `dirty` lists the rows the unsent outbox
names (kept as they are)."""

from __future__ import annotations

from app.store.pulled.bulk import BulkRows, Slow
from app.store.pulled.dirty import Dirty, parse_uuid, unsent_changes
from app.store.pulled.rows import SessionRows
from app.store.pulled.values import BadChange, coerce, row_values

__all__ = [
    "BadChange",
    "BulkRows",
    "Dirty",
    "SessionRows",
    "Slow",
    "coerce",
    "parse_uuid",
    "row_values",
    "unsent_changes",
]

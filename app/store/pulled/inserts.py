"""Rows a bulk run adds, and how they are inserted: through the driver, one executemany per
stretch of rows with the same columns, with each parameter's bind processor looked up once
(SQLAlchemy would otherwise look them up, and build a parameter dict, row by row: a third of a
first pull's time). The stored text is the same as through the ORM, defaults included."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import Connection, insert

from app.store import orm
from app.store.pulled.values import column_keys


class NewRow:
    """A row a run adds, held as its column values until `BulkRows.flush` inserts it with the
    others in bulk (building ORM objects and flushing them through the unit of work cost more
    than deciding the changes). Its columns read and write as attributes, like the pending ORM
    row it stands for: a column not given reads None."""

    __slots__ = ("model", "values")

    model: type[orm.Base]
    values: dict[str, Any]

    def __init__(self, model: type[orm.Base], values: dict[str, Any]) -> None:
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            if name not in column_keys(self.model):
                raise AttributeError(f"{self.model.__tablename__} has no column {name!r}") from None
            return None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in column_keys(self.model):
            raise AttributeError(f"{self.model.__tablename__} has no column {name!r}")
        self.values[name] = value


# An INSERT's SQL and, per parameter: the key it takes from a row and its bind processor, or
# (None, None, the stored form of the column's default).
InsertPlan = tuple[str, tuple[tuple[str | None, Any, Any], ...]]


class Inserter:
    """Inserts `NewRow`s of one connection, remembering each (model, columns) plan."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.plans: dict[tuple[type[orm.Base], tuple[str, ...]], InsertPlan | None] = {}

    def insert(self, model: type[orm.Base], rows: list[NewRow]) -> None:
        """Insert `rows` in their order: one executemany per stretch of rows with the same
        columns (an INSERT names the columns of its first row), so a row never comes before one
        it refers to."""
        for keys, group in itertools.groupby(rows, key=lambda r: tuple(r.values)):
            stretch = [r.values for r in group]
            plan = self.plan(model, keys)
            if plan is None:
                self.conn.execute(insert(model), stretch)
                continue
            sql, binds = plan
            self.conn.exec_driver_sql(
                sql,
                [  # (processors take None too, as in SQLAlchemy)
                    tuple(
                        default if key is None else (values[key] if process is None else process(values[key]))
                        for key, process, default in binds
                    )
                    for values in stretch
                ],
            )

    def plan(self, model: type[orm.Base], keys: tuple[str, ...]) -> InsertPlan | None:
        """The driver-level INSERT of `model` rows holding `keys`. None when a column left out
        has a default that must be computed per row; such rows go through Core."""
        if (model, keys) not in self.plans:
            self.plans[(model, keys)] = self._make_plan(model, keys)
        return self.plans[(model, keys)]

    def _make_plan(self, model: type[orm.Base], keys: tuple[str, ...]) -> InsertPlan | None:
        table = model.__mapper__.local_table
        dialect = self.conn.dialect
        defaults: dict[str, Any] = {}
        for column in table.columns:
            if column.key not in keys and column.default is not None:
                if not column.default.is_scalar:
                    return None
                defaults[column.key] = column.default.arg
        compiled = insert(model).compile(dialect=dialect, column_keys=[*keys, *defaults])
        binds: list[tuple[str | None, Any, Any]] = []
        for name in compiled.positiontup or ():
            column = table.c[name]
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if name in keys:
                binds.append((name, process, None))
            else:
                value = defaults[name]
                binds.append((None, None, value if process is None else process(value)))
        return str(compiled), tuple(binds)

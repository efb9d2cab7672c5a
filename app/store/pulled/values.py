"""Pulled JSON values as the till's column types: each column's converter looked up once (a
first pull converts hundreds of thousands of rows), each UUID of a run parsed once."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from app.store import orm


class BadChange(ValueError):
    """A pulled change that cannot be read; it is skipped and reported."""


def to_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _to_datetime(value: Any) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _to_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadChange(f"not an integer: {value!r}")
    return int(value)


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    uuid.UUID: to_uuid,
    datetime: _to_datetime,
    date: _to_date,
    bool: _to_bool,
    int: _to_int,
    str: str,
}


def coerce(python_type: type | None, value: Any) -> Any:
    """`value` from JSON as `python_type` (None stays None; JSON columns as they come)."""
    convert = _CONVERTERS.get(python_type) if python_type is not None else None
    return value if value is None or convert is None else convert(value)


class Uuids(dict[Any, uuid.UUID]):
    """The UUIDs of one run, each parsed once (a member's id comes again in its ledger entries
    and coupons): `uuids[text]` parses `text` the first time and raises ValueError if it is
    not a UUID."""

    def __missing__(self, text: Any) -> uuid.UUID:
        parsed = self[text] = to_uuid(text)
        return parsed

    def get_id(self, value: Any) -> uuid.UUID | None:
        """`value` as a UUID; None when it is empty or not one (its handler reports that)."""
        try:
            return self[value] if value else None
        except (ValueError, TypeError):
            return None


def _python_type(column: Any) -> type | None:
    kind = column.type
    for candidate in (kind, getattr(kind, "impl", None)):  # a TypeDecorator: its implementation
        if candidate is None:
            continue
        try:
            found = candidate.python_type
        except NotImplementedError:
            continue
        if found is not object:
            return found  # type: ignore[no-any-return]
    return None


@functools.cache
def columns(model: type[orm.Base]) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Each column's key and the converter its JSON value goes through; None: JSON columns,
    taken as they come."""
    out = []
    for column in model.__table__.columns:
        python_type = _python_type(column)
        out.append((column.key, None if python_type is None else _CONVERTERS.get(python_type)))
    return tuple(out)


@functools.cache
def column_keys(model: type[orm.Base]) -> frozenset[str]:
    return frozenset(key for key, _ in columns(model))


def row_values(model: type[orm.Base], data: dict[str, Any], uuids: Uuids | None = None) -> dict[str, Any]:
    """The columns of `model` present in `data`, converted from JSON; other keys are ignored
    (a newer server may send more). UUIDs are parsed through `uuids` when given."""
    out: dict[str, Any] = {}
    for key, convert in columns(model):
        if key not in data:
            continue
        value = data[key]
        if value is None or convert is None:
            out[key] = value
            continue
        try:
            out[key] = uuids[value] if uuids is not None and convert is to_uuid else convert(value)
        except (ValueError, TypeError) as exc:
            raise BadChange(f"{model.__tablename__}.{key}: {exc}") from exc
    return out

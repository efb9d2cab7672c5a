"""Time: always timezone-aware. The store's local zone decides calendar rules (expiry, birthdays)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def require_aware(value: datetime, what: str = "timestamp") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value.isoformat()}")
    return value


def local_time(at: datetime, tz: tzinfo) -> datetime:
    """`at` as the wall-clock time of the store whose zone is `tz`. Every calendar rule (birthday
    month, expiry year-end, shift dates, printed times) reads its date from this, never from a
    UTC timestamp's own fields."""
    return require_aware(at, "timestamp").astimezone(tz)


def local_date(at: datetime, tz: tzinfo) -> date:
    """The store's calendar date at the instant `at` (2026-03-31T17:00Z in Shanghai: 1 April)."""
    return local_time(at, tz).date()

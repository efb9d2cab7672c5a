"""HQ's loyalty program on the server: the published versions, the one in force, publishing.

A version is published once and never changed (`program_versions`); publishing queues a
`program` change for every till (store_id and member_id both empty: every store pulls it). The
push handlers tier, expire and price with `Programs`: the version a sale names when HQ
published it, else the version in force at the event's time; before HQ published any, the
built-in defaults (`app.domain.program.DEFAULT_PROGRAM`). The calendar is the store's
(`stores.timezone`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_TZ, require_aware
from app.domain.program import (
    DEFAULT_PROGRAM,
    EARLIEST,
    LATEST,
    LoyaltyProgram,
    ProgramError,
    in_force,
    parse_program,
)
from server.models import ProgramVersion, Store
from server.pull import record_change

# A version may take effect this long before the moment it is published (a clock a little
# behind, a slow request), not more: a past start would change what sales already made meant.
PUBLISH_SLACK = timedelta(minutes=5)


def versions(s: Session) -> list[LoyaltyProgram]:
    """Every published version, oldest first."""
    rows = s.execute(select(ProgramVersion).order_by(ProgramVersion.version)).scalars()
    return [parse_program(r.body) for r in rows]


@dataclass
class Programs:
    """The published versions, read once (per push batch, per request)."""

    all: list[LoyaltyProgram] = field(default_factory=list)

    @classmethod
    def load(cls, s: Session) -> Programs:
        return cls(versions(s))

    def at(self, when: datetime) -> LoyaltyProgram:
        """The version in force at `when` (the defaults before HQ published one)."""
        return in_force(self.all, when) or DEFAULT_PROGRAM

    def for_sale(self, named: int | None, at: datetime) -> LoyaltyProgram:
        """The version a sale names, when HQ published it; else the one in force at its time
        (a till that could not have known another, or one older than program versions)."""
        if named:
            for p in self.all:
                if p.version == named:
                    return p
        return self.at(at)


def store_zone(s: Session, store_id: str) -> ZoneInfo:
    """The store's time zone (the default zone for a store the server does not know)."""
    name = s.execute(select(Store.timezone).where(Store.id == store_id)).scalar_one_or_none()
    return check_zone(name) if name else DEFAULT_TZ


def check_zone(name: str) -> ZoneInfo:
    """ValueError with a clear message for a zone name that is not an IANA zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)") from None


def check_start(start: datetime, now: datetime) -> None:
    """ProgramError unless `start` may begin a version published at `now`: aware, in the
    program's range, not in the past (beyond `PUBLISH_SLACK`)."""
    require_aware(start, "effective_from")
    if not EARLIEST <= start < LATEST:
        raise ProgramError("effective_from: must be between 2000-01-01 and 2100-01-01")
    if start < now - PUBLISH_SLACK:
        raise ProgramError(
            f"effective_from: {start.isoformat()} is in the past; a version can only "
            "take effect from now on (publish a new version instead)"
        )


def publish(
    s: Session, program: LoyaltyProgram, now: datetime, effective_from: datetime | None = None, by: str = ""
) -> LoyaltyProgram:
    """Publish `program` as the next version, effective from `effective_from` (else the
    program's own `effective_from` when it is not the default, else `now`). ProgramError when
    the start is in the past. Takes a transaction-scoped lock so two publishers cannot draw
    the same version; the caller commits."""
    start = effective_from
    if start is None:
        start = program.effective_from if "effective_from" in program.model_fields_set else now
    check_start(start, now)
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(7_340_002)))
    latest = s.execute(select(func.max(ProgramVersion.version))).scalar_one_or_none() or 0
    published = parse_program(
        {
            **program.to_data(),
            "version": int(latest) + 1,  # validated again
            "effective_from": start.isoformat(),
        }
    )
    s.add(
        ProgramVersion(
            version=published.version,
            effective_from=published.effective_from,
            body=published.to_data(),
            published_at=now,
            published_by=by[:80],
        )
    )
    record_change(s, "program", str(published.version), published.to_data(), at=now)
    return published

"""The loyalty program versions a till holds: stored as they are pulled from HQ.

`TillContext.program_at(at)` picks the version in force at an event's time from these (and the
home's `program.json` before any of them applies).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.program import LoyaltyProgram, ProgramError, parse_program
from app.services.context import TillContext
from app.store import orm


def store_program_version(s: Session, data: dict[str, Any], now: datetime) -> LoyaltyProgram:
    """Keep a pulled program version (validated first; ProgramError names what is wrong). The
    same version again replaces the stored one (HQ's copy is the truth). The caller commits and
    then calls `TillContext.invalidate_program`."""
    program = parse_program(data)
    if program.version < 1:
        raise ProgramError("version: HQ's program versions count from 1")
    row = s.get(orm.ProgramVersion, program.version)
    body = program.to_data()
    if row is None:
        s.add(orm.ProgramVersion(version=program.version, effective_from=program.effective_from,
                                 body=body, received_at=now))
    else:
        row.effective_from = program.effective_from
        row.body = body
        row.received_at = now
    return program


def program_versions(ctx: TillContext) -> list[LoyaltyProgram]:
    """The versions this till holds, oldest first."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(select(orm.ProgramVersion).order_by(orm.ProgramVersion.version))
        return [parse_program(r.body) for r in rows.scalars()]

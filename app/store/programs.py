"""Storing the loyalty program versions a till pulls (`program_versions`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.domain.program import LoyaltyProgram, ProgramError, parse_program
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
        s.add(
            orm.ProgramVersion(
                version=program.version, effective_from=program.effective_from, body=body, received_at=now
            )
        )
    else:
        row.effective_from = program.effective_from
        row.body = body
        row.received_at = now
    return program

"""The loyalty program versions a till holds: stored as they are pulled from HQ.

`TillContext.program_at(at)` picks the version in force at an event's time from these (and the
home's `program.json` before any of them applies).
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.program import LoyaltyProgram, parse_program
from app.services.context import TillContext
from app.store import orm
from app.store.programs import store_program_version

__all__ = ["program_versions", "store_program_version"]


def program_versions(ctx: TillContext) -> list[LoyaltyProgram]:
    """The versions this till holds, oldest first."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(select(orm.ProgramVersion).order_by(orm.ProgramVersion.version))
        return [parse_program(r.body) for r in rows.scalars()]

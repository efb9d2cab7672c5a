"""HQ's loyalty program (server/program.py), behind `Authorization: Bearer <LT_SERVER_ADMIN_TOKEN>`
(503 while none is set), as the conflicts API is.

- `GET  /api/v1/program?at=`: the version in force at `at` (default now) and every version.
- `POST /api/v1/program {program, effective_from?, published_by}`: publish the next version
  (201); the server numbers it and sends it to every till. 422 with the field at fault for a
  program that cannot be used, or a start in the past.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.domain.program import LoyaltyProgram, ProgramError
from server.db import SessionDep
from server.errors import ApiError
from server.models import ProgramVersion
from server.program import Programs, publish
from server.routes.hq import require_admin
from sync.protocol import API_PREFIX, ErrorBody

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no or wrong admin token"},
    422: {"model": ErrorBody, "description": "a program that cannot be used, or a start in the past"},
    503: {"model": ErrorBody, "description": "no admin token is set on the server"},
}

router = APIRouter(prefix=f"{API_PREFIX}/program", tags=["hq"], dependencies=[Depends(require_admin)])


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    program: LoyaltyProgram
    effective_from: AwareDatetime | None = Field(
        default=None, description="default: the program's own effective_from if given, else now"
    )
    published_by: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")


def _summary(row: ProgramVersion) -> dict[str, Any]:
    return {
        "version": row.version,
        "effective_from": row.effective_from.isoformat(),
        "published_at": row.published_at.isoformat(),
        "published_by": row.published_by,
    }


@router.get("", responses=_ERRORS)
def get_program(s: SessionDep, at: Annotated[AwareDatetime | None, Query()] = None) -> dict[str, Any]:
    when = at or datetime.now(UTC)
    if not datetime(2000, 1, 1, tzinfo=UTC) <= when < datetime(2100, 1, 1, tzinfo=UTC):
        raise ApiError(422, "invalid_request", "at: must be between 2000-01-01 and 2100-01-01")
    current = Programs.load(s).at(when)
    rows = s.query(ProgramVersion).order_by(ProgramVersion.version).all()
    return {"at": when.isoformat(), "in_force": current.to_data(), "versions": [_summary(r) for r in rows]}


@router.post("", status_code=201, responses=_ERRORS)
def post_program(body: PublishIn, s: SessionDep) -> dict[str, Any]:
    now = datetime.now(UTC)
    try:
        published = publish(s, body.program, now, body.effective_from, by=body.published_by)
    except ProgramError as exc:
        raise ApiError(422, "invalid_program", str(exc)) from None
    s.commit()
    return published.to_data()

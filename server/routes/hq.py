"""HQ's review of the conflicts the server settled by rule (server/README.md, conflict rules).

Behind `Authorization: Bearer <LT_SERVER_ADMIN_TOKEN>` (503 while none is set), as the tickets
API is. Nothing here changes what the rules decided: resolving a conflict records that HQ has
looked at it, who, when and what they did about it.

- `GET  /api/v1/conflicts?kind=&terminal_id=&member_id=&open=&limit=&offset=`
- `POST /api/v1/conflicts/{id}/resolve {note, actor}`: 409 when already resolved.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.bounds import MAX_OFFSET, Text
from server.db import SessionDep
from server.errors import ApiError
from server.models import Conflict
from sync.protocol import API_PREFIX, ErrorBody

hq_token = HTTPBearer(
    auto_error=False, scheme_name="hqToken", description="HQ's admin token (LT_SERVER_ADMIN_TOKEN)"
)


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(hq_token)] = None,
) -> None:
    token = str(getattr(request.app.state.settings, "admin_token", "") or "")
    if not token:
        raise ApiError(503, "not_configured", "the HQ API is not configured (no admin token)")
    given = credentials.credentials.strip() if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(
            401, "unauthenticated", "admin bearer token required", headers={"WWW-Authenticate": "Bearer"}
        )


_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no or wrong admin token"},
    404: {"model": ErrorBody, "description": "no such conflict"},
    409: {"model": ErrorBody, "description": "already resolved"},
    422: {"model": ErrorBody, "description": "malformed request"},
    503: {"model": ErrorBody, "description": "no admin token is set on the server"},
}

router = APIRouter(prefix=f"{API_PREFIX}/conflicts", tags=["hq"], dependencies=[Depends(require_admin)])


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(min_length=1, max_length=500)
    actor: Text = Field(min_length=1, max_length=80)


def conflict_json(c: Conflict) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "kind": c.kind,
        "at": c.at.isoformat(),
        "member_id": str(c.member_id) if c.member_id else None,
        "sale_id": str(c.sale_id) if c.sale_id else None,
        "terminal_id": c.terminal_id,
        "details": c.details,
        "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
    }


@router.get("", responses=_ERRORS)
def list_conflicts(
    s: SessionDep,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    terminal_id: Annotated[str | None, Query(max_length=40)] = None,
    member_id: uuid.UUID | None = None,
    open: bool | None = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Conflicts, newest first; open ones only unless `open` is false (resolved) or empty (all)."""
    q = select(Conflict)
    if kind:
        q = q.where(Conflict.kind == kind)
    if terminal_id:
        q = q.where(Conflict.terminal_id == terminal_id)
    if member_id is not None:
        q = q.where(Conflict.member_id == member_id)
    if open is True:
        q = q.where(Conflict.resolved_at.is_(None))
    elif open is False:
        q = q.where(Conflict.resolved_at.is_not(None))
    rows = s.execute(q.order_by(Conflict.at.desc(), Conflict.id).limit(limit).offset(offset)).scalars()
    return {"conflicts": [conflict_json(c) for c in rows]}


class AlreadyResolved(Exception):
    """The conflict was resolved before."""


def resolve(s: Session, conflict_id: uuid.UUID, note: str, actor: str, now: datetime) -> Conflict | None:
    """Mark a conflict reviewed: who, when and what they did (the HQ API and the console call
    this). None when there is no such conflict; :class:`AlreadyResolved` when it was before."""
    row = s.execute(select(Conflict).where(Conflict.id == conflict_id).with_for_update()).scalar_one_or_none()
    if row is None:
        return None
    if row.resolved_at is not None:
        raise AlreadyResolved(str(conflict_id))
    row.resolved_at = now
    row.details = {**(row.details or {}), "resolution": {"note": note, "actor": actor, "at": now.isoformat()}}
    s.flush()
    return row


@router.post("/{conflict_id}/resolve", responses=_ERRORS)
def resolve_conflict(conflict_id: uuid.UUID, body: ResolveIn, s: SessionDep) -> dict[str, Any]:
    try:
        row = resolve(s, conflict_id, body.note, body.actor, datetime.now(UTC))
    except AlreadyResolved:
        raise ApiError(409, "already_resolved", "this conflict was already resolved") from None
    if row is None:
        raise ApiError(404, "not_found", "no such conflict")
    s.commit()
    return conflict_json(row)

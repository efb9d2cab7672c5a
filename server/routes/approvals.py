"""HQ's side of the trust in tills (DOMAIN.md, "Trust"), behind the admin token like the
conflicts API (server/routes/hq.py):

- `GET  /api/v1/held-events?status=held&terminal_id=&limit=&offset=`: adjustments and
  compensations held above the program's limits (newest first).
- `POST /api/v1/held-events/{id}/approve|reject {actor, note}`: 409 when decided before.
- `GET  /api/v1/store-staff?store_id=` and `PUT /api/v1/store-staff {staff_id, store_id, role,
  name, active}`: the till staff HQ knows, whose approval counts for adjustments at that store.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from server.db import SessionDep
from server.errors import ApiError
from server.push.approvals import NotHeld, decide, held_json, put_staff
from server.push.models import HeldEvent, StoreStaff
from server.routes.hq import require_admin
from sync.protocol import API_PREFIX, ErrorBody

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no or wrong admin token"},
    404: {"model": ErrorBody, "description": "no such held event"},
    409: {"model": ErrorBody, "description": "already decided"},
    422: {"model": ErrorBody, "description": "malformed request"},
    503: {"model": ErrorBody, "description": "no admin token is set on the server"},
}

router = APIRouter(prefix=API_PREFIX, tags=["hq"], dependencies=[Depends(require_admin)])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00]*$")
    note: str = Field(default="", max_length=500, pattern=r"^[^\x00]*$")


class StaffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_id: uuid.UUID
    store_id: str = Field(min_length=1, max_length=40, pattern=r"^[^\x00]*$")
    role: Literal["cashier", "supervisor", "manager"]
    name: str = Field(default="", max_length=80, pattern=r"^[^\x00]*$")
    active: bool = True


@router.get("/held-events", responses=_ERRORS)
def list_held(
    s: SessionDep,
    status: Literal["held", "approved", "rejected"] | None = "held",
    terminal_id: Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    q = select(HeldEvent)
    if status is not None:
        q = q.where(HeldEvent.status == status)
    if terminal_id:
        q = q.where(HeldEvent.terminal_id == terminal_id)
    rows = s.execute(q.order_by(HeldEvent.held_at.desc(), HeldEvent.id).limit(limit).offset(offset)).scalars()
    return {"held_events": [held_json(h) for h in rows]}


def _decide(s: SessionDep, held_id: uuid.UUID, body: DecisionIn, approve: bool) -> dict[str, Any]:
    try:
        row = decide(s, held_id, approve, body.actor, body.note, datetime.now(UTC))
    except NotHeld:
        raise ApiError(409, "already_decided", "this held event was already approved or rejected") from None
    if row is None:
        raise ApiError(404, "not_found", "no such held event")
    s.commit()
    return held_json(row)


@router.post("/held-events/{held_id}/approve", responses=_ERRORS)
def approve_held(held_id: uuid.UUID, body: DecisionIn, s: SessionDep) -> dict[str, Any]:
    return _decide(s, held_id, body, approve=True)


@router.post("/held-events/{held_id}/reject", responses=_ERRORS)
def reject_held(held_id: uuid.UUID, body: DecisionIn, s: SessionDep) -> dict[str, Any]:
    return _decide(s, held_id, body, approve=False)


@router.get("/store-staff", responses=_ERRORS)
def list_staff(
    s: SessionDep,
    store_id: Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00]*$")] = None,
) -> dict[str, Any]:
    q = select(StoreStaff)
    if store_id:
        q = q.where(StoreStaff.store_id == store_id)
    rows = s.execute(q.order_by(StoreStaff.store_id, StoreStaff.staff_id).limit(5000)).scalars()
    return {
        "staff": [
            {
                "staff_id": str(r.staff_id),
                "store_id": r.store_id,
                "role": r.role,
                "name": r.name,
                "active": r.active,
            }
            for r in rows
        ]
    }


@router.put("/store-staff", responses=_ERRORS)
def put_store_staff(body: StaffIn, s: SessionDep) -> dict[str, Any]:
    row = put_staff(s, body.staff_id, body.store_id, body.role, body.name, body.active, datetime.now(UTC))
    s.commit()
    return {
        "staff_id": str(row.staff_id),
        "store_id": row.store_id,
        "role": row.role,
        "name": row.name,
        "active": row.active,
    }

"""HQ's gift API, behind `Authorization: Bearer <LT_SERVER_ADMIN_TOKEN>` (503 while none is set):

- `GET /api/v1/gifts?active=`: the catalogue, each with its stock per store.
- `PUT /api/v1/gifts/{id} {name_zh, name_en, points, active}`: add or change a gift (201 when new).
- `PUT /api/v1/gifts/{id}/stock/{store_id} {stock}`: set a store's stock (404 for an unknown
  gift or store).
- `GET /api/v1/gifts/redemptions?member_id=&store_id=&limit=&offset=`: what tills handed out.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from server.db import SessionDep
from server.errors import ApiError
from server.gifts.models import Gift, GiftRedemption
from server.gifts.service import MAX_STOCK, GiftError, GiftIn, gift_json, list_gifts, save_gift, set_stock
from server.routes.hq import require_admin
from sync.protocol import API_PREFIX, ErrorBody

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no or wrong admin token"},
    404: {"model": ErrorBody, "description": "no such gift or store"},
    422: {"model": ErrorBody, "description": "a field that cannot be used"},
    503: {"model": ErrorBody, "description": "no admin token is set on the server"},
}

router = APIRouter(prefix=f"{API_PREFIX}/gifts", tags=["hq"], dependencies=[Depends(require_admin)])

GiftId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
StoreId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f/]+$")]


class StockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stock: int = Field(ge=0, le=MAX_STOCK)


@router.get("", responses=_ERRORS)
def get_gifts(s: SessionDep, active: Annotated[bool | None, Query()] = None) -> dict[str, Any]:
    return {"gifts": list_gifts(s, active_only=bool(active))}


@router.get("/redemptions", responses=_ERRORS)
def get_redemptions(
    s: SessionDep,
    member_id: Annotated[uuid.UUID | None, Query()] = None,
    store_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    q = select(GiftRedemption).order_by(GiftRedemption.at.desc(), GiftRedemption.id)
    if member_id is not None:
        q = q.where(GiftRedemption.member_id == member_id)
    if store_id is not None:
        q = q.where(GiftRedemption.store_id == store_id)
    rows = s.execute(q.limit(limit).offset(offset)).scalars()
    return {
        "redemptions": [
            {
                "id": str(r.id),
                "gift_id": r.gift_id,
                "member_id": str(r.member_id),
                "store_id": r.store_id,
                "terminal_id": r.terminal_id,
                "points": r.points,
                "at": r.at.isoformat(),
                "reversed_at": r.reversed_at.isoformat() if r.reversed_at else None,
            }
            for r in rows
        ]
    }


@router.put("/{gift_id}", responses=_ERRORS)
def put_gift(gift_id: GiftId, body: GiftIn, s: SessionDep, response: Response) -> dict[str, Any]:
    try:
        g, created = save_gift(s, gift_id, body, datetime.now(UTC))
    except GiftError as exc:
        raise ApiError(422, "invalid_gift", str(exc)) from None
    s.commit()
    if created:
        response.status_code = 201
    return gift_json(s, g)


@router.put("/{gift_id}/stock/{store_id}", responses=_ERRORS)
def put_stock(gift_id: GiftId, store_id: StoreId, body: StockIn, s: SessionDep) -> dict[str, Any]:
    try:
        set_stock(s, gift_id, store_id, body.stock, datetime.now(UTC))
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except GiftError as exc:
        raise ApiError(422, "invalid_stock", str(exc)) from None
    s.commit()
    g = s.get(Gift, gift_id)
    assert g is not None
    return gift_json(s, g)

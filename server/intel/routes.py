"""HQ's intel API, behind the admin token (as the conflicts and tickets APIs are); the KPI
routes are in server/intel/kpi_routes.py. Included by server/app.py.

- `GET    /api/v1/intel/members/{member_id}`: RFM, lifecycle, segment(s), tags, 12-month
  figures and suggestions (404 until a recompute has scored the member)
- `GET    /api/v1/intel/items/{sku}/bought-with?limit=10`: co-occurrence (support, confidence, lift)
- `GET    /api/v1/intel/segments`, `PUT /api/v1/intel/segments/{id} {name, rule}`,
  `DELETE /api/v1/intel/segments/{id}`, `GET /api/v1/intel/segments/{id}/members?limit&offset`
  (`core`, `potential`, `dormant`, `lost` too)
- `PUT    /api/v1/intel/stores/{store_id}/zone {tz}`
- `POST   /api/v1/intel/recompute {full}`: runs one now (409 `busy` while one runs; 409
  `unsupported` on SQLite)
- campaigns and bearer coupon batches: server/intel/campaign_routes.py
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from server.bounds import MAX_OFFSET
from server.db import SessionDep
from server.errors import ApiError
from server.intel import baskets, service
from server.intel.campaign_routes import router as campaign_router
from server.intel.deps import ConfigDep
from server.intel.kpi_routes import router as kpi_router
from server.intel.recompute import IntelBusy, IntelUnsupported, recompute
from server.routes.hq import require_admin
from sync.protocol import API_PREFIX, ErrorBody

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no or wrong admin token"},
    404: {"model": ErrorBody, "description": "not found"},
    409: {"model": ErrorBody, "description": "a recompute is running, or the database is not PostgreSQL"},
    422: {"model": ErrorBody, "description": "malformed request or rule"},
    503: {"model": ErrorBody, "description": "no admin token, or a bad LT_INTEL_* setting"},
}

router = APIRouter()
intel = APIRouter(prefix=f"{API_PREFIX}/intel", tags=["intel"], dependencies=[Depends(require_admin)])
NO_NUL = r"^[^\x00]+$"  # PostgreSQL text cannot hold a NUL
SegmentId = Annotated[str, Path(min_length=1, max_length=40, pattern=NO_NUL)]


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120, pattern=NO_NUL)
    rule: dict[str, Any]


class ZoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tz: str = Field(min_length=1, max_length=64)


class RecomputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full: bool = False


@intel.get("/members/{member_id}", responses=_ERRORS)
def member(member_id: uuid.UUID, s: SessionDep, cfg: ConfigDep) -> dict[str, Any]:
    view = service.member_view(s, cfg, member_id)
    if view is None:
        raise ApiError(404, "not_found", "no scores for this member (unknown, or not recomputed since)")
    return view


@intel.get("/items/{sku}/bought-with", responses=_ERRORS)
def bought_with(
    sku: Annotated[str, Path(min_length=1, max_length=32, pattern=NO_NUL)],
    s: SessionDep,
    cfg: ConfigDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    as_of = service.last_as_of(s)
    items = baskets.bought_with(s, cfg, sku, as_of, limit) if as_of else []
    return {
        "sku": sku,
        "as_of": as_of.isoformat() if as_of else None,
        "min_support": cfg.min_support,
        "items": items,
    }


@intel.get("/segments", responses=_ERRORS)
def segments(s: SessionDep) -> dict[str, Any]:
    return {"segments": service.list_segments(s)}


@intel.put("/segments/{segment_id}", responses=_ERRORS)
def put_segment(segment_id: SegmentId, body: SegmentIn, s: SessionDep) -> dict[str, Any]:
    try:
        seg = service.save_segment(s, segment_id, body.name, body.rule)
    except service.SegmentError as exc:
        raise ApiError(422, "invalid_rule", str(exc)) from exc
    s.commit()
    return seg


@intel.delete("/segments/{segment_id}", responses=_ERRORS)
def delete_segment(segment_id: SegmentId, s: SessionDep) -> dict[str, Any]:
    if not service.remove_segment(s, segment_id):
        raise ApiError(404, "not_found", "no such segment")
    s.commit()
    return {"removed": segment_id}


@intel.get("/segments/{segment_id}/members", responses=_ERRORS)
def segment_members(
    segment_id: SegmentId,
    s: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    return {"segment": segment_id, "members": service.segment_members(s, segment_id, limit, offset)}


@intel.put("/stores/{store_id}/zone", responses=_ERRORS)
def put_zone(
    store_id: Annotated[str, Path(min_length=1, max_length=40, pattern=NO_NUL)], body: ZoneIn, s: SessionDep
) -> dict[str, Any]:
    try:
        service.set_zone(s, store_id, body.tz)
    except service.UnknownStore as exc:
        raise ApiError(404, "unknown_store", str(exc)) from exc
    except service.ZoneError as exc:
        raise ApiError(422, "invalid_zone", str(exc)) from exc
    s.commit()
    return {"store_id": store_id, "tz": body.tz}


@intel.post("/recompute", responses=_ERRORS)
def post_recompute(body: RecomputeIn, s: SessionDep, cfg: ConfigDep) -> dict[str, Any]:
    try:
        result = recompute(s, cfg, full=body.full).as_json()
    except IntelBusy as exc:
        raise ApiError(409, "busy", str(exc)) from exc
    except IntelUnsupported as exc:
        raise ApiError(409, "unsupported", str(exc)) from exc
    from server.intel_pull import publish_member_intel  # to the members' tills

    publish_member_intel(s, cfg, datetime.now(UTC), full=body.full)
    s.commit()
    return result


router.include_router(intel)
router.include_router(campaign_router)
router.include_router(kpi_router)

"""HQ's campaign API (admin token), included by server/intel/routes.py:

- `GET  /api/v1/intel/campaigns` · `PUT /api/v1/intel/campaigns/{id}` (`CampaignIn`)
- `POST /api/v1/intel/campaigns/run` → what each active campaign issued and held out now
- `GET  /api/v1/intel/campaigns/{id}/report` → issued, redeemed, cost, treated vs control,
  uplift, incremental revenue, ROI (server/intel/campaign_report.py)
- `POST /api/v1/intel/coupon-batches/{id}` (`BatchIn`) → the printable codes
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select

from server.db import SessionDep
from server.errors import ApiError
from server.intel.batches import BatchIn, issue_batch
from server.intel.campaign_report import campaign_report
from server.intel.campaigns import CampaignIn, run_campaigns, save_campaign
from server.intel.deps import ConfigDep
from server.intel.models import IntelCampaign
from server.routes.hq import require_admin
from sync.protocol import API_PREFIX, ErrorBody

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no or wrong admin token"},
    404: {"model": ErrorBody, "description": "no such campaign"},
    409: {"model": ErrorBody, "description": "batch id taken"},
    422: {"model": ErrorBody, "description": "malformed campaign or batch"},
    503: {"model": ErrorBody, "description": "no admin token is set on the server"},
}
Id = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
router = APIRouter(prefix=f"{API_PREFIX}/intel", tags=["intel"], dependencies=[Depends(require_admin)])


def campaign_json(c: IntelCampaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind,
        "params": c.params,
        "coupon": c.coupon,
        "starts_at": c.starts_at.isoformat(),
        "ends_at": c.ends_at.isoformat(),
        "budget": c.budget,
        "per_member_cap": c.per_member_cap,
        "control_pct": c.control_pct,
        "active": c.active,
    }


@router.get("/campaigns", responses=_ERRORS)
def list_campaigns(s: SessionDep) -> dict[str, Any]:
    rows = s.execute(select(IntelCampaign).order_by(IntelCampaign.id)).scalars()
    return {"campaigns": [campaign_json(c) for c in rows]}


@router.put("/campaigns/{campaign_id}", responses=_ERRORS)
def put_campaign(campaign_id: Id, body: CampaignIn, s: SessionDep) -> dict[str, Any]:
    try:
        c = save_campaign(s, campaign_id, body)
    except ValueError as exc:
        raise ApiError(422, "invalid_campaign", str(exc)) from exc
    s.commit()
    return campaign_json(c)


@router.post("/campaigns/run", responses=_ERRORS)
def post_run(s: SessionDep, cfg: ConfigDep) -> dict[str, Any]:
    runs = run_campaigns(s, cfg)
    s.commit()
    return {
        "runs": [{"campaign_id": r.campaign_id, "issued": r.issued, "held_out": r.held_out} for r in runs]
    }


@router.get("/campaigns/{campaign_id}/report", responses=_ERRORS)
def get_report(campaign_id: Id, s: SessionDep) -> dict[str, Any]:
    c = s.get(IntelCampaign, campaign_id)
    if c is None:
        raise ApiError(404, "not_found", "no such campaign")
    return campaign_report(s, c)


@router.post("/coupon-batches/{batch_id}", responses=_ERRORS)
def post_batch(batch_id: Id, body: BatchIn, s: SessionDep) -> dict[str, Any]:
    try:
        codes = issue_batch(s, batch_id, body)
    except ValueError as exc:
        status = 409 if "exists" in str(exc) else 422
        raise ApiError(status, "batch_exists" if status == 409 else "invalid_batch", str(exc)) from exc
    s.commit()
    return {"batch_id": batch_id, "count": len(codes), "codes": codes}

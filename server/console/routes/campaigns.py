"""Segments and campaigns (server/intel): the built-in and HQ segments with their size as of
intel's last recompute, defining a segment by its rule, the campaigns with their results
(issued, held out, redeemed, cost, uplift against the control group, ROI: intel's own
campaign_report), and running the active campaigns now. PostgreSQL only, like intel."""

from __future__ import annotations

import json
from typing import Any, Final

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from server.console.forms import text as text_field
from server.console.web import PREFIX, ActionCtx, ConsoleRoute, Ctx, PageCtx, Refused, go, render
from server.intel import service
from server.intel.campaign_report import campaign_report
from server.intel.campaigns import run_campaigns
from server.intel.deps import get_config
from server.intel.models import IntelCampaign

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

BUILT_IN: Final = ("core", "potential", "dormant", "lost")


def _sizes(ctx: Ctx, ids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for sid in ids:
        q = (
            "SELECT count(*) FROM intel_scores WHERE segment = :g"
            if sid in BUILT_IN
            else "SELECT count(*) FROM intel_scores WHERE segments ? :g"
        )
        out[sid] = int(ctx.s.execute(text(q), {"g": sid}).scalar_one())
    return out


@router.get("/campaigns")
def campaigns(ctx: PageCtx) -> HTMLResponse:
    ctx.require("campaigns")
    try:
        segs = service.list_segments(ctx.s)
        sizes = _sizes(ctx, list(BUILT_IN) + [x["id"] for x in segs])
        rows = ctx.s.execute(select(IntelCampaign).order_by(IntelCampaign.id)).scalars().all()
        reports = [(c, campaign_report(ctx.s, c)) for c in rows]
        as_of = service.last_as_of(ctx.s)
    except DBAPIError:  # no intel tables here (the SQLite demo)
        ctx.s.rollback()
        return render(
            ctx,
            "campaigns.html",
            unavailable=True,
            segs=[],
            sizes={},
            reports=[],
            as_of=None,
            built_in=BUILT_IN,
        )
    return render(
        ctx,
        "campaigns.html",
        unavailable=False,
        segs=segs,
        sizes=sizes,
        reports=reports,
        as_of=as_of,
        built_in=BUILT_IN,
    )


@router.post("/segments")
def segment_save(ctx: ActionCtx) -> Response:
    ctx.require("campaigns")
    seg_id = text_field(ctx, "segment_id", limit=40)
    name = text_field(ctx, "name", limit=120)
    raw = text_field(ctx, "rule", limit=4000)
    try:
        rule: Any = json.loads(raw)
    except json.JSONDecodeError:
        raise Refused(400, "err_rule", why="JSON") from None
    try:
        service.save_segment(ctx.s, seg_id, name, rule)
    except service.SegmentError as exc:
        raise Refused(400, "err_rule", why=str(exc)) from None
    ctx.audit("segment_saved", f"segment:{seg_id}", rule=rule)
    return go(ctx, f"{PREFIX}/campaigns")


@router.post("/campaigns/run")
def campaigns_run(ctx: ActionCtx) -> Response:
    ctx.require("campaigns")
    runs = run_campaigns(ctx.s, get_config(ctx.request), ctx.now)
    ctx.audit("campaigns_run", "campaigns", issued={r.campaign_id: r.issued for r in runs})
    return go(ctx, f"{PREFIX}/campaigns")

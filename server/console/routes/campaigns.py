"""Segments and campaigns (server/intel): the built-in and HQ segments with their size as of
intel's last recompute, defining a segment by its rule, the campaigns with their results
(issued, held out, redeemed, cost, uplift against the control group, ROI: intel's own
campaign_report), and running the active campaigns now. PostgreSQL only, like intel."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Final

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from server.console.forms import choice, local_time, whole
from server.console.forms import text as text_field
from server.console.routes.campaign_form import BUILT_IN, COUPON_KINDS, coupon_terms, first_error
from server.console.routes.stores import qr_svg
from server.console.web import PREFIX, ActionCtx, ConsoleRoute, Ctx, PageCtx, Refused, chain_zone, go, render
from server.intel import service
from server.intel.batches import MAX_BATCH, BatchIn, issue_batch
from server.intel.campaign_report import campaign_report
from server.intel.campaigns import run_campaigns
from server.intel.deps import get_config
from server.intel.models import IntelCampaign, IntelCouponBatch
from server.intel.segments import SegmentRule, compile_rule
from server.models import Coupon, Store

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)


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


# ---------------------------------------------------------------- create, pause, results

_SIZE_SQL: Final = """
SELECT count(*) FROM (
  SELECT sc.r, sc.f, sc.m, sc.lifecycle, mb.tier,
         ARRAY(SELECT jsonb_array_elements_text(sc.tags)) AS tags,
         COALESCE(st.spend, 0) AS spend, COALESCE(st.visits, 0) AS visits,
         COALESCE(st.stores, '[]'::jsonb) AS stores, COALESCE(st.categories, '[]'::jsonb) AS categories
  FROM intel_scores sc JOIN members mb ON mb.id = sc.member_id
  LEFT JOIN intel_member_stats st ON st.member_id = sc.member_id
  WHERE mb.merged_into IS NULL
) tagged WHERE {cond}
"""


def rule_size(ctx: Ctx, rule: SegmentRule) -> int:
    """Members matching a rule being edited, over the figures of intel's last recompute (the
    rule's own SQL, :func:`server.intel.segments.compile_rule`, on the same columns)."""
    cond, params = compile_rule(rule, "live")
    return int(ctx.s.execute(text(_SIZE_SQL.format(cond=cond)), params).scalar_one())


@router.get("/segments/size")
def segment_size(ctx: PageCtx, rule: str = "", segment: str = "") -> HTMLResponse:
    """The htmx fragment under the segment editor and the campaign form's segment picker."""
    ctx.require("campaigns")
    try:
        if segment:
            n = _sizes(ctx, [segment[:40]])[segment[:40]]
        else:
            n = rule_size(ctx, SegmentRule.model_validate(json.loads(rule or "{}")))
    except (json.JSONDecodeError, ValidationError, ValueError) as exc:
        why = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else "JSON"
        return render(ctx, "segment_size.html", n=None, why=why)
    except DBAPIError:
        ctx.s.rollback()
        return render(ctx, "segment_size.html", n=None, why=ctx.t("intel_unavailable"))
    return render(ctx, "segment_size.html", n=n, why="")


# ---------------------------------------------------------------- bearer coupon batches

CODES_PER_PAGE: Final = 120


@router.get("/campaigns/batches")
def batches(ctx: PageCtx) -> HTMLResponse:
    ctx.require("campaigns")
    try:
        rows = (
            ctx.s.execute(select(IntelCouponBatch).order_by(IntelCouponBatch.created_at.desc()))
            .scalars()
            .all()
        )
    except DBAPIError:
        ctx.s.rollback()
        rows = []
    stores = ctx.s.execute(select(Store.id, Store.name).order_by(Store.id)).all()
    today = ctx.now.astimezone(chain_zone()).replace(second=0, microsecond=0, tzinfo=None)
    return render(
        ctx,
        "batches.html",
        batches=rows,
        stores=stores,
        coupon_kinds=COUPON_KINDS,
        starts=today.isoformat(timespec="minutes"),
        ends=(today + timedelta(days=30)).isoformat(timespec="minutes"),
        zone=str(chain_zone()),
    )


@router.post("/campaigns/batches")
def batch_create(ctx: ActionCtx) -> Response:
    ctx.require("campaigns")
    bid = text_field(ctx, "batch_id", limit=40)
    if not bid.replace("_", "").replace("-", "").isalnum():
        raise Refused(400, "err_campaign_id")
    store = ctx.field("store_id", 40)
    if store and ctx.s.get(Store, store) is None:
        raise Refused(400, "err_choice", field="store_id")
    coupon_kind = choice(ctx, "coupon_kind", COUPON_KINDS)
    body = {
        "name": text_field(ctx, "name", limit=120),
        "count": whole(ctx, "count", low=1, high=MAX_BATCH, blank=None),
        "store_id": store or None,
        "coupon": coupon_terms(ctx, coupon_kind),
        "valid_from": local_time(ctx, "valid_from"),
        "valid_to": local_time(ctx, "valid_to"),
    }
    try:
        parsed = BatchIn.model_validate(body)
    except ValidationError as exc:
        raise Refused(400, "err_campaign", why=first_error(exc)) from None
    try:
        codes = issue_batch(ctx.s, bid, parsed)
    except ValueError as exc:
        raise Refused(409, "err_campaign", why=str(exc)) from None
    ctx.audit("batch_issued", f"batch:{bid}", count=len(codes), store=store or None)
    return go(ctx, f"{PREFIX}/campaigns/batches/{bid}")


@router.get("/campaigns/batches/{bid}")
def batch_print(ctx: PageCtx, bid: str, page: int = 1) -> HTMLResponse:
    """The batch's codes, each as a QR and its text, laid out for printing (print CSS)."""
    ctx.require("campaigns")
    try:
        batch = ctx.s.get(IntelCouponBatch, bid[:40])
    except DBAPIError:
        ctx.s.rollback()
        batch = None
    if batch is None:
        raise Refused(404, "err_not_found")
    pages = max(1, -(-batch.count // CODES_PER_PAGE))
    page = min(max(page, 1), pages)
    rows = (
        ctx.s.execute(
            select(Coupon)
            .where(Coupon.issued_reason == f"batch:{batch.id}"[:64])
            .order_by(Coupon.code)
            .limit(CODES_PER_PAGE)
            .offset((page - 1) * CODES_PER_PAGE)
        )
        .scalars()
        .all()
    )
    codes = [(c.code, qr_svg(c.code), c.status) for c in rows]
    first = rows[0] if rows else None
    return render(ctx, "batch.html", batch=batch, codes=codes, c=first, page=page, pages=pages)


def _campaign(ctx: Ctx, cid: str) -> IntelCampaign:
    try:
        row = ctx.s.get(IntelCampaign, cid[:40])
    except DBAPIError:
        ctx.s.rollback()
        raise Refused(404, "err_not_found") from None
    if row is None:
        raise Refused(404, "err_not_found")
    return row


@router.get("/campaigns/{cid}")
def campaign_page(ctx: PageCtx, cid: str) -> HTMLResponse:
    ctx.require("campaigns")
    c = _campaign(ctx, cid)
    return render(ctx, "campaign.html", c=c, r=campaign_report(ctx.s, c), coupon=c.coupon, params=c.params)


@router.post("/campaigns/{cid}/pause")
def campaign_pause(ctx: ActionCtx, cid: str) -> Response:
    return _set_active(ctx, cid, active=False)


@router.post("/campaigns/{cid}/resume")
def campaign_resume(ctx: ActionCtx, cid: str) -> Response:
    return _set_active(ctx, cid, active=True)


def _set_active(ctx: Ctx, cid: str, *, active: bool) -> Response:
    ctx.require("campaigns")
    c = _campaign(ctx, cid)
    c.active = active
    ctx.audit("campaign_resumed" if active else "campaign_paused", f"campaign:{c.id}")
    return go(ctx, f"{PREFIX}/campaigns/{c.id}")

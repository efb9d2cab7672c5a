"""The campaign form: a new campaign (`/console/campaigns/new`) and editing one
(`/console/campaigns/<id>/edit`), both checked by intel's `CampaignIn` and saved by its
`save_campaign`, audited.

The form shows the fields of the chosen kind only (console.js hides the others; without
JavaScript every field is shown and those of other kinds are ignored). Once a campaign has
chosen anyone (a coupon issued or a member held out as control), who qualifies (kind and its
parameters), the coupon template, the start and the control share are fixed: issued coupons
carry their terms, and changing who qualifies or the held-out share midway would make the
report compare unlike groups. The name, the end, the budget (not below the coupons already
issued), the per-member cap and whether it runs may still change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from server.console.forms import choice, local_time, whole, yuan_to_fen
from server.console.forms import text as text_field
from server.console.web import PREFIX, ActionCtx, ConsoleRoute, Ctx, PageCtx, Refused, chain_zone, go, render
from server.intel import service
from server.intel.campaigns import CampaignIn, save_campaign
from server.intel.models import IntelCampaign, IntelCampaignIssue

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

BUILT_IN: Final = ("core", "potential", "dormant", "lost")
KINDS: Final = ("segment", "welcome", "birthday", "wakeup", "cross_sell", "frequency")
COUPON_KINDS: Final = ("amount_off", "percent_off")
# The parameters each kind reads (server/intel/campaigns.py); the form shows only these.
KIND_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "segment": ("segment",),
    "welcome": ("days",),
    "birthday": (),
    "wakeup": ("days",),
    "cross_sell": ("bought", "hours"),
    "frequency": ("visits",),
}
_FIELDS: Final = ("segment", "days", "visits", "bought", "hours")
# What stays as it was once the campaign has chosen anyone (see the module's docstring).
FIXED_ONCE_ISSUED: Final = ("kind", "params", "coupon", "starts_at", "control_pct")


def segment_choices(ctx: Ctx) -> list[tuple[str, str]]:
    out = [(sid, ctx.t("seg_" + sid)) for sid in BUILT_IN]
    try:
        out += [(x["id"], x["name"]) for x in service.list_segments(ctx.s)]
    except DBAPIError:
        ctx.s.rollback()
    return out


def _local_input(ctx: Ctx, at: datetime) -> str:
    return at.astimezone(chain_zone()).replace(tzinfo=None).isoformat(timespec="minutes")


def _yuan(fen: int | None) -> str:
    if not fen:
        return ""
    return str(fen // 100) if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _values(ctx: Ctx, c: IntelCampaign | None) -> dict[str, Any]:
    """What the form's fields hold: a new campaign's defaults, or the campaign as saved."""
    if c is None:
        start = ctx.now.replace(second=0, microsecond=0)
        return {
            "campaign_id": "",
            "name": "",
            "kind": "segment",
            "segment": "",
            "days": 0,
            "visits": 3,
            "bought": "",
            "hours": 48,
            "coupon_kind": "amount_off",
            "coupon_name": "",
            "amount": "",
            "threshold": "",
            "percent": "",
            "cap": "",
            "valid_days": 14,
            "starts": _local_input(ctx, start),
            "ends": _local_input(ctx, start + timedelta(days=30)),
            "budget": "",
            "per_member_cap": 1,
            "control_pct": 10,
            "active": True,
        }
    p, k = c.params or {}, c.coupon or {}
    return {
        "campaign_id": c.id,
        "name": c.name,
        "kind": c.kind,
        "segment": p.get("segment", ""),
        "days": p.get("days", 0),
        "visits": p.get("visits", 3),
        "bought": ", ".join(p.get("bought", [])),
        "hours": p.get("hours", 48),
        "coupon_kind": k.get("kind", "amount_off"),
        "coupon_name": k.get("name", ""),
        "amount": _yuan(k.get("amount")),
        "threshold": _yuan(k.get("threshold")),
        "percent": "" if k.get("percent") in (None, "0") else k.get("percent"),
        "cap": _yuan(k.get("cap")),
        "valid_days": k.get("valid_days", 14),
        "starts": _local_input(ctx, c.starts_at),
        "ends": _local_input(ctx, c.ends_at),
        "budget": "" if c.budget is None else c.budget,
        "per_member_cap": c.per_member_cap,
        "control_pct": c.control_pct,
        "active": c.active,
    }


def _form(ctx: Ctx, c: IntelCampaign | None, status_code: int = 200) -> HTMLResponse:
    chosen, issued = _chosen(ctx, c.id) if c is not None else (0, 0)
    return render(
        ctx,
        "campaign_new.html",
        status_code=status_code,
        editing=c,
        fixed=chosen > 0,
        issued=issued,
        v=_values(ctx, c),
        kinds=KINDS,
        field_kinds={f: " ".join(k for k, fs in KIND_FIELDS.items() if f in fs) for f in _FIELDS},
        coupon_kinds=COUPON_KINDS,
        segments=segment_choices(ctx),
        zone=str(chain_zone()),
    )


@router.get("/campaigns/new")
def campaign_new(ctx: PageCtx) -> HTMLResponse:
    ctx.require("campaigns")
    return _form(ctx, None)


def _words(ctx: Ctx, name: str) -> list[str]:
    return [w.strip() for w in ctx.field(name, 2000).replace("，", ",").split(",") if w.strip()]


def coupon_terms(ctx: Ctx, coupon_kind: str) -> dict[str, Any]:
    """The coupon template's fields (amounts in yuan, kept in fen), for CouponTerms to check."""
    amount = yuan_to_fen(ctx, "amount") if coupon_kind == "amount_off" else 0
    if coupon_kind == "amount_off" and not amount:
        raise Refused(400, "err_required", field="amount")
    return {
        "kind": coupon_kind,
        "name": text_field(ctx, "coupon_name", limit=120, required=False),
        "amount": amount,
        "threshold": yuan_to_fen(ctx, "threshold"),
        "percent": ctx.field("percent", 6) or "0",
        "cap": yuan_to_fen(ctx, "cap") or None,
        "valid_days": whole(ctx, "valid_days", low=1, high=366, blank=14),
    }


def first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return ".".join(str(x) for x in first["loc"]) + ": " + str(first["msg"])


def _params(ctx: Ctx, kind: str) -> dict[str, Any]:
    """The kind's own parameters from the form; the other kinds' fields are ignored."""
    wanted = KIND_FIELDS[kind]
    out: dict[str, Any] = {}
    if "days" in wanted:
        out["days"] = whole(ctx, "days", low=0, high=3650)
    if "bought" in wanted:
        out["bought"] = _words(ctx, "bought")
    if "hours" in wanted:
        out["hours"] = whole(ctx, "hours", low=1, high=24 * 30, blank=48)
    if "visits" in wanted:
        out["visits"] = whole(ctx, "visits", low=1, high=100, blank=3)
    if "segment" in wanted:
        out["segment"] = ctx.field("segment", 40)
    return out


def _body(ctx: Ctx, fixed_from: IntelCampaign | None) -> dict[str, Any]:
    """The campaign as the form gives it, for CampaignIn; with `fixed_from`, the fields fixed
    once it has chosen anyone come from the saved campaign, whatever the form says."""
    budget = whole(ctx, "budget", low=1, high=10**8, blank=-1)
    body: dict[str, Any] = {
        "name": text_field(ctx, "name", limit=120),
        "ends_at": local_time(ctx, "ends_at"),
        "budget": None if budget < 0 else budget,
        "per_member_cap": whole(ctx, "per_member_cap", low=1, high=1000, blank=1),
        "active": ctx.field("active", 3) == "on",
    }
    if fixed_from is not None:
        c = fixed_from
        body.update(
            kind=c.kind, params=c.params, coupon=c.coupon, starts_at=c.starts_at, control_pct=c.control_pct
        )
        return body
    kind = choice(ctx, "kind", KINDS)
    body.update(
        kind=kind,
        params=_params(ctx, kind),
        coupon=coupon_terms(ctx, choice(ctx, "coupon_kind", COUPON_KINDS)),
        starts_at=local_time(ctx, "starts_at"),
        control_pct=whole(ctx, "control_pct", low=0, high=90),
    )
    return body


def _check(body: dict[str, Any]) -> CampaignIn:
    try:
        return CampaignIn.model_validate(body)
    except ValidationError as exc:
        raise Refused(400, "err_campaign", why=first_error(exc)) from None


def _save(ctx: Ctx, cid: str, parsed: CampaignIn) -> IntelCampaign:
    try:
        return save_campaign(ctx.s, cid, parsed)
    except ValueError as exc:
        raise Refused(400, "err_campaign", why=str(exc)) from None


@router.post("/campaigns")
def campaign_create(ctx: ActionCtx) -> Response:
    ctx.require("campaigns")
    cid = text_field(ctx, "campaign_id", limit=40)
    if not cid.replace("_", "").replace("-", "").isalnum():
        raise Refused(400, "err_campaign_id")
    parsed = _check(_body(ctx, None))
    if ctx.s.get(IntelCampaign, cid) is not None:
        raise Refused(409, "err_campaign_exists", id=cid)
    _save(ctx, cid, parsed)
    ctx.audit(
        "campaign_saved",
        f"campaign:{cid}",
        kind=parsed.kind,
        budget=parsed.budget,
        control_pct=parsed.control_pct,
    )
    return go(ctx, f"{PREFIX}/campaigns/{cid}")


def _chosen(ctx: Ctx, cid: str) -> tuple[int, int]:
    """Members the campaign has chosen (coupons and control), and coupons it issued."""
    rows = ctx.s.execute(
        select(IntelCampaignIssue.control, func.count())
        .where(IntelCampaignIssue.campaign_id == cid)
        .group_by(IntelCampaignIssue.control)
    ).all()
    by = {bool(control): int(n) for control, n in rows}
    return by.get(True, 0) + by.get(False, 0), by.get(False, 0)


def _campaign(ctx: Ctx, cid: str) -> IntelCampaign:
    try:
        row = ctx.s.get(IntelCampaign, cid[:40])
    except DBAPIError:  # no intel tables here (the SQLite demo)
        ctx.s.rollback()
        raise Refused(404, "err_not_found") from None
    if row is None:
        raise Refused(404, "err_not_found")
    return row


@router.get("/campaigns/{cid}/edit")
def campaign_edit(ctx: PageCtx, cid: str) -> HTMLResponse:
    ctx.require("campaigns")
    return _form(ctx, _campaign(ctx, cid))


_COMPARED: Final = (
    "name",
    "kind",
    "params",
    "coupon",
    "starts_at",
    "ends_at",
    "budget",
    "per_member_cap",
    "control_pct",
    "active",
)


@router.post("/campaigns/{cid}/edit")
def campaign_update(ctx: ActionCtx, cid: str) -> Response:
    ctx.require("campaigns")
    c = _campaign(ctx, cid)
    chosen, issued = _chosen(ctx, c.id)
    body = _body(ctx, c if chosen else None)
    if body["budget"] is not None and body["budget"] < issued:
        raise Refused(400, "err_budget_below_issued", n=issued)
    parsed = _check(body)
    before = {k: getattr(c, k) for k in _COMPARED}
    _save(ctx, c.id, parsed)
    changed = {k: [_plain(before[k]), _plain(getattr(c, k))] for k in _COMPARED if before[k] != getattr(c, k)}
    ctx.audit("campaign_edited", f"campaign:{c.id}", changed=changed, fixed=bool(chosen))
    return go(ctx, f"{PREFIX}/campaigns/{c.id}")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value

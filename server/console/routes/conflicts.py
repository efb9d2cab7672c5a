"""Held back and conflicts: the conflicts the push rules settled (both figures from their
details), resolved with a note (as the HQ API does, server/routes/hq.py), the events parked as
rejected, and the console's own audit trail."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from typing import Any, Final

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from server.console.forms import text
from server.console.models import ConsoleAudit
from server.console.parked import reason_parts, summary
from server.console.web import (
    PREFIX,
    ActionCtx,
    ConsoleRoute,
    Ctx,
    PageCtx,
    Refused,
    go,
    parse_uuid,
    render,
)
from server.models import Conflict, ParkedEvent, Sale, Terminal
from server.push.approvals import NotHeld, decide
from server.push.models import HeldEvent
from server.push.points_rules import HOLD_REASONS
from server.routes.hq import AlreadyResolved, resolve

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)


def _scope_terminals(ctx: Ctx) -> list[str] | None:
    if ctx.stores is None:
        return None
    return list(ctx.s.execute(select(Terminal.id).where(Terminal.store_id.in_(ctx.stores))).scalars())


@router.get("/conflicts")
def conflicts(ctx: PageCtx, show: str = "open", kind: str = "", parked: str = "open") -> HTMLResponse:
    ctx.require("conflicts")
    q = select(Conflict)
    if show != "all":
        q = q.where(Conflict.resolved_at.is_(None))
    if kind:
        q = q.where(Conflict.kind == kind[:32])
    terms = _scope_terminals(ctx)
    if terms is not None:
        q = q.where(Conflict.terminal_id.in_(terms))
    rows = ctx.s.execute(q.order_by(Conflict.at.desc(), Conflict.id).limit(200)).scalars().all()
    parked = parked if parked in ("open", "reviewed") else "open"
    pq = select(ParkedEvent).where(
        ParkedEvent.reviewed_at.is_(None) if parked == "open" else ParkedEvent.reviewed_at.is_not(None)
    )
    if terms is not None:
        pq = pq.where(ParkedEvent.terminal_id.in_(terms))
    order = ParkedEvent.received_at.desc() if parked == "open" else ParkedEvent.reviewed_at.desc()
    parked_rows = ctx.s.execute(pq.order_by(order, ParkedEvent.id).limit(100)).scalars().all()
    tills = sorted({p.terminal_id for p in parked_rows})
    till_stores: dict[str, str] = {
        tid: sid
        for tid, sid in ctx.s.execute(select(Terminal.id, Terminal.store_id).where(Terminal.id.in_(tills)))
    }
    kinds = sorted(set(ctx.s.execute(select(Conflict.kind).distinct()).scalars()))
    hq = select(HeldEvent).where(HeldEvent.status == "held")
    if ctx.stores is not None:
        hq = hq.where(HeldEvent.store_id.in_(ctx.stores))
    held = ctx.s.execute(hq.order_by(HeldEvent.held_at.desc()).limit(100)).scalars().all()
    return render(
        ctx,
        "conflicts.html",
        conflicts=rows,
        parked=parked_rows,
        parked_show=parked,
        till_stores=till_stores,
        reason_parts=reason_parts,
        summary=summary,
        show=show,
        kind=kind,
        kinds=kinds,
        sales=_sales(ctx, rows),
        fen_keys=FEN_KEYS,
        time_keys=TIME_KEYS,
        ordered=ordered,
        held=held,
        hold_reasons=HOLD_REASONS,
    )


@router.post("/held/{held_id}/{verdict}")
def decide_held(held_id: str, verdict: str, ctx: ActionCtx) -> Response:
    """Approve (the entry is applied and reaches the tills) or reject a points entry held back
    above the program's limits (server/push/approvals.decide, as the HQ API does)."""
    ctx.require("conflicts")
    if verdict not in ("approve", "reject"):
        raise Refused(404, "err_not_found")
    note = text(ctx, "note", limit=500)
    row = ctx.s.get(HeldEvent, parse_uuid(held_id))
    if row is None or not ctx.may_see_store(row.store_id):
        raise Refused(404, "err_not_found")
    try:
        decide(ctx.s, row.id, verdict == "approve", ctx.user.username if ctx.user else "-", note, ctx.now)
    except NotHeld:
        raise Refused(409, "err_already_resolved") from None
    ctx.audit(f"held_{verdict}d", f"held:{row.id}", points=row.points, member=str(row.member_id))
    return go(ctx, f"{PREFIX}/conflicts")


# The order detail fields are shown in: what went wrong, then each figure next to the one it
# is compared with (the details are JSONB, whose key order is not the writer's).
FIELD_ORDER: Final = (
    "fault",
    "line_no",
    "sku",
    "claimed_list_unit",
    "list_unit",
    "unit",
    "percent_below_list",
    "limit_percent",
    "role",
    "approver_id",
    "gift_id",
    "claimed",
    "claimed_points",
    "computed",
    "catalogue",
    "redeemed",
    "posted",
    "points",
    "balance",
    "stock",
    "after",
    "claimed_reversed",
    "reversed",
    "claimed_given_back",
    "given_back",
    "program",
    "kind",
    "amount",
    "threshold",
    "days",
    "valid_from",
    "valid_to",
    "code",
    "discount",
    "status",
    "total_due",
)
_RANK: Final = {k: i for i, k in enumerate(FIELD_ORDER)}


def ordered(details: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(details.items(), key=lambda kv: (_RANK.get(kv[0], len(_RANK)), kv[0]))


# Detail fields holding fen, and times (ISO text), shown as such.
FEN_KEYS = frozenset(
    {"discount", "total_due", "claimed_list_unit", "list_unit", "unit", "amount", "threshold"}
)
TIME_KEYS = frozenset({"valid_from", "valid_to"})


def _sales(ctx: Ctx, rows: Sequence[Conflict]) -> dict[str, Sale]:
    """The sales the conflicts name (the flagged one and, for a reused coupon, the first), so
    both sides' figures are on the screen."""
    ids: set[uuid.UUID] = set()
    for c in rows:
        if c.sale_id:
            ids.add(c.sale_id)
        first = (c.details or {}).get("first_sale_id")
        if isinstance(first, str):
            with contextlib.suppress(ValueError):
                ids.add(uuid.UUID(first))
    if not ids:
        return {}
    return {str(x.id): x for x in ctx.s.execute(select(Sale).where(Sale.id.in_(ids))).scalars()}


@router.post("/conflicts/{conflict_id}/resolve")
def resolve_one(conflict_id: str, ctx: ActionCtx) -> Response:
    ctx.require("conflicts")
    note = text(ctx, "note", limit=500)
    row = ctx.s.get(Conflict, parse_uuid(conflict_id))
    terms = _scope_terminals(ctx)
    if row is None or (terms is not None and row.terminal_id not in terms):
        raise Refused(404, "err_not_found")
    try:
        resolve(ctx.s, row.id, note, ctx.user.username if ctx.user else "-", ctx.now)
    except AlreadyResolved:
        raise Refused(409, "err_already_resolved") from None
    ctx.audit("conflict_resolved", f"conflict:{row.id}", kind=row.kind)
    return go(ctx, f"{PREFIX}/conflicts")


@router.post("/parked/{parked_id}/review")
def review_parked(parked_id: str, ctx: ActionCtx) -> Response:
    """Mark an event parked as rejected as reviewed, with a note (who, when). The event stays as
    it was received, and its `events` row (the dedup record: a retry still gets "rejected")
    is not touched."""
    ctx.require("conflicts")
    note = text(ctx, "note", limit=500)
    try:
        pid = int(parked_id)
    except ValueError:
        raise Refused(404, "err_not_found") from None
    row = ctx.s.get(ParkedEvent, pid) if 0 < pid < 2**63 else None
    terms = _scope_terminals(ctx)
    if row is None or (terms is not None and row.terminal_id not in terms):
        raise Refused(404, "err_not_found")
    if row.reviewed_at is not None:
        raise Refused(409, "err_already_resolved")
    row.reviewed_at = ctx.now
    row.reviewed_by = ctx.user.username if ctx.user else "-"
    row.review_note = note
    ctx.audit(
        "parked_reviewed",
        f"parked:{row.id}",
        event=str(row.event_id),
        terminal=row.terminal_id,
        reason=row.reason.partition(":")[0],
    )
    return go(ctx, f"{PREFIX}/conflicts#parked")


@router.get("/audit")
def audit(ctx: PageCtx, target: str = "") -> HTMLResponse:
    ctx.require("audit")
    q = select(ConsoleAudit)
    if target:
        q = q.where(ConsoleAudit.target == target[:80])
    rows = ctx.s.execute(q.order_by(ConsoleAudit.at.desc()).limit(300)).scalars().all()
    return render(ctx, "audit.html", rows=rows, target=target)

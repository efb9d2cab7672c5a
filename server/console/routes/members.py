"""Members: search (phone, card, name), the member's page, revealing the full phone (audited),
and a manual points adjustment with a reason within the role's limit (tills pull it)."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from app.domain import points as ledger
from app.domain.ids import MemberId
from app.domain.members import display_phone, mask_phone
from server.console import members_query as mq
from server.console.forms import text, whole
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
from server.models import LedgerEntry, Member
from server.pull import ledger_added

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

# Largest manual adjustment (either sign) a role may make in one go.
ADJUST_LIMIT: Final = {"hq_admin": 20_000, "area_manager": 5_000, "store_manager": 2_000}


def masked(member: Member) -> str:
    if not member.phone or member.phone.startswith("merged:"):
        return "—"
    try:
        return mask_phone(member.phone)
    except ValueError:
        return "***"


def _member(ctx: Ctx, member_id: str) -> Member:
    member = ctx.s.get(Member, parse_uuid(member_id))
    if member is None or member.stub or not mq.may_see(ctx.s, member.id, ctx.stores):
        raise Refused(404, "err_not_found")  # another store's member does not exist for this user
    return member


@router.get("/members")
def search(ctx: PageCtx, q: str = "") -> HTMLResponse:
    ctx.require("members")
    how, found = mq.search(ctx.s, q, ctx.stores)
    tpl = "members_results.html" if ctx.htmx else "members.html"
    return render(ctx, tpl, q=q[:80], how=how, found=found, masked=masked)


@router.get("/members/{member_id}")
def member_page(member_id: str, ctx: PageCtx) -> HTMLResponse:
    ctx.require("members")
    member = _member(ctx, member_id)
    if member.merged_into is not None:
        return render(ctx, "member_merged.html", member=member)
    view = mq.member_view(ctx.s, member, ctx.now)
    limit = ADJUST_LIMIT.get(ctx.user.role if ctx.user else "", 0)
    return render(
        ctx,
        "member.html",
        v=view,
        m=member,
        masked=masked(member),
        phone=None,
        adjust_limit=limit if ctx.can("members.adjust") else 0,
    )


@router.post("/members/{member_id}/phone")
def reveal_phone(member_id: str, ctx: ActionCtx) -> Response:
    """The full number, once, for this request; every reveal is in the audit trail."""
    ctx.require("members.reveal")
    member = _member(ctx, member_id)
    if not member.phone:
        raise Refused(404, "err_not_found")
    ctx.audit("reveal_phone", f"member:{member.id}")
    phone = display_phone(member.phone)
    if ctx.htmx:
        return render(ctx, "phone_fragment.html", phone=phone)
    view = mq.member_view(ctx.s, member, ctx.now)
    limit = ADJUST_LIMIT.get(ctx.user.role if ctx.user else "", 0)
    return render(
        ctx,
        "member.html",
        v=view,
        m=member,
        masked=masked(member),
        phone=phone,
        adjust_limit=limit if ctx.can("members.adjust") else 0,
    )


@router.post("/members/{member_id}/adjust")
def adjust(member_id: str, ctx: ActionCtx) -> Response:
    ctx.require("members.adjust")
    member = _member(ctx, member_id)
    limit = ADJUST_LIMIT.get(ctx.user.role if ctx.user else "", 0)
    points = whole(ctx, "points", low=-limit, high=limit, blank=None)
    reason = text(ctx, "reason", limit=150)
    if points == 0:
        raise Refused(400, "err_zero_points")
    if points < 0:
        view = mq.member_view(ctx.s, member, ctx.now)
        if -points > view.available:
            raise Refused(409, "err_not_enough_points", available=view.available)
    entry = ledger.adjust(MemberId(member.id), points, ctx.now, f"console:{reason}")
    row = LedgerEntry(
        id=entry.id,
        member_id=member.id,
        kind=str(entry.kind),
        points=entry.points,
        at=entry.at,
        expires_at=entry.expires_at,
        sale_id=None,
        refund_id=None,
        note=entry.note[:200],
        terminal_id=None,
        event_id=None,
    )
    ctx.s.add(row)
    ctx.s.flush()
    ledger_added(ctx.s, row, ctx.now)
    ctx.audit("points_adjusted", f"member:{member.id}", points=points, reason=reason, entry=str(row.id))
    return go(ctx, f"{PREFIX}/members/{member.id}")

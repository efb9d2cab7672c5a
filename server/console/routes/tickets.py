"""Tickets workbench: queues by severity and SLA, the ticket with its history, and the work on
it: assignment, internal notes, the reply to the customer, the follow-up call (回访) with its
outcome, and closing with a reason and an optional compensation that tills pull."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from server.console.accounts import PERMISSIONS
from server.console.forms import choice, text, whole, yuan_to_fen
from server.console.models import StaffUser
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
from server.feedback import service
from server.feedback.models import Ticket, TicketEvent
from server.feedback.routes import config_from_app
from server.models import Store

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

SEVERITIES: Final = ("major", "urgent", "normal")
TEAMS: Final = ("front_end", "store_service", "quality", "facilities", "merchandising", "store_manager")
FOLLOW_UP_OUTCOMES: Final = ("satisfied", "partly", "not_satisfied", "no_answer", "call_back")
CLOSE_REASONS: Final = ("resolved", "compensated", "explained", "no_fault", "unreachable", "duplicate")


def _ticket(ctx: Ctx, ticket_id: str) -> Ticket:
    try:
        ticket = service.get_ticket(ctx.s, parse_uuid(ticket_id))
    except service.TicketNotFound:
        raise Refused(404, "err_not_found") from None
    if not ctx.may_see_store(ticket.store_id):
        raise Refused(404, "err_not_found")  # another store's ticket does not exist for this user
    return ticket


def _workers(ctx: Ctx, store_id: str) -> list[StaffUser]:
    users = (
        ctx.s.execute(select(StaffUser).where(StaffUser.disabled.is_(False)).order_by(StaffUser.username))
        .scalars()
        .all()
    )
    return [
        u
        for u in users
        if "tickets.work" in PERMISSIONS.get(u.role, frozenset())
        and (not u.store_ids or store_id in u.store_ids)
    ]


@router.get("/alerts")
def alerts(ctx: PageCtx) -> HTMLResponse:
    """The navigation's alert (htmx refreshes it every minute)."""
    ctx.require("tickets")
    return render(ctx, "alert_fragment.html")


@router.get("/tickets")
def queues(ctx: PageCtx, status: str = "open", store: str = "", view: str = "") -> HTMLResponse:
    ctx.require("tickets")
    attention = view == "attention"
    q = select(Ticket)
    if attention:  # the alert's queue: past the SLA or escalated (server/feedback's rule)
        status = "open"
        q = q.where(service.attention_clause(ctx.now))
    q = q.where(Ticket.status == "closed") if status == "closed" else q.where(Ticket.status != "closed")
    if ctx.stores is not None:
        q = q.where(Ticket.store_id.in_(ctx.stores))
    if store:
        q = q.where(Ticket.store_id == store[:40])
    order = (Ticket.closed_at.desc(),) if status == "closed" else (Ticket.due_at, Ticket.id)
    rows = ctx.s.execute(q.order_by(*order).limit(300)).scalars().all()
    by_sev: dict[str, list[Ticket]] = {sev: [] for sev in SEVERITIES}
    for t in rows:
        by_sev.setdefault(t.severity, []).append(t)
    stores = ctx.s.execute(select(Store).order_by(Store.id)).scalars().all()
    stores = [st for st in stores if ctx.may_see_store(st.id)]
    overdue = sum(1 for t in rows if t.status != "closed" and t.due_at < ctx.now)
    tpl = "tickets_queue.html" if ctx.htmx else "tickets.html"
    return render(
        ctx,
        tpl,
        queues=by_sev,
        status="closed" if status == "closed" else "open",
        store=store,
        stores=stores,
        overdue=overdue,
        total=len(rows),
        view="attention" if attention else "",
    )


@router.get("/tickets/{ticket_id}")
def ticket_page(ticket_id: str, ctx: PageCtx) -> HTMLResponse:
    ctx.require("tickets")
    ticket = _ticket(ctx, ticket_id)
    return render(
        ctx,
        "ticket.html",
        t=ticket,
        fb=ticket.feedback,
        comp=ticket.compensation,
        workers=_workers(ctx, ticket.store_id),
        teams=TEAMS,
        outcomes=FOLLOW_UP_OUTCOMES,
        reasons=CLOSE_REASONS,
        overdue=ticket.status != "closed" and ticket.due_at < ctx.now,
    )


def _done(ctx: Ctx, ticket: Ticket, what: str, **detail: Any) -> Response:
    ctx.audit(f"ticket_{what}", f"ticket:{ticket.id}", **detail)
    return go(ctx, f"{PREFIX}/tickets/{ticket.id}")


def _record(ctx: Ctx, ticket: Ticket, kind: str, **detail: Any) -> None:
    if ticket.status == "closed":
        raise service.InvalidTransition("the ticket is closed")
    user = ctx.user.username if ctx.user else "-"
    ticket.history.append(TicketEvent(at=ctx.now, actor=user, action=kind, detail=detail))
    if ticket.status == "open":
        ticket.status = "in_progress"
    ticket.updated_at = ctx.now


def _actor(ctx: Ctx) -> str:
    return ctx.user.username if ctx.user else "-"


def _transition(fn: Any) -> Any:
    try:
        return fn()
    except service.InvalidTransition:
        raise Refused(409, "err_ticket_closed") from None
    except service.CannotCompensate as exc:
        raise Refused(409, "err_cannot_compensate", why=str(exc)) from None


@router.post("/tickets/{ticket_id}/assign")
def assign(ticket_id: str, ctx: ActionCtx) -> Response:
    ctx.require("tickets.work")
    ticket = _ticket(ctx, ticket_id)
    names = {u.username for u in _workers(ctx, ticket.store_id)}
    assignee = choice(ctx, "assignee", names)
    team = ctx.field("team", 40) or None
    if team is not None and team not in TEAMS:
        raise Refused(400, "err_choice", field="team")
    _transition(lambda: service.assign_ticket(ctx.s, ticket.id, assignee, _actor(ctx), ctx.now, team=team))
    return _done(ctx, ticket, "assigned", assignee=assignee, team=team)


@router.post("/tickets/{ticket_id}/note")
def note(ticket_id: str, ctx: ActionCtx) -> Response:
    ctx.require("tickets.work")
    ticket = _ticket(ctx, ticket_id)
    body = text(ctx, "note", limit=500)
    _transition(lambda: _record(ctx, ticket, "note", note=body, internal=True))
    return _done(ctx, ticket, "note")


@router.post("/tickets/{ticket_id}/reply")
def reply(ticket_id: str, ctx: ActionCtx) -> Response:
    ctx.require("tickets.work")
    ticket = _ticket(ctx, ticket_id)
    body = text(ctx, "reply", limit=1000)
    channel = choice(ctx, "channel", ("phone", "sms", "in_store"))
    _transition(lambda: _record(ctx, ticket, "reply", text=body, channel=channel))
    return _done(ctx, ticket, "reply", channel=channel)


@router.post("/tickets/{ticket_id}/follow-up")
def follow_up(ticket_id: str, ctx: ActionCtx) -> Response:
    ctx.require("tickets.work")
    ticket = _ticket(ctx, ticket_id)
    outcome = choice(ctx, "outcome", FOLLOW_UP_OUTCOMES)
    body = text(ctx, "note", limit=500, required=False)
    _transition(lambda: _record(ctx, ticket, "follow_up", outcome=outcome, note=body))
    return _done(ctx, ticket, "follow_up", outcome=outcome)


@router.post("/tickets/{ticket_id}/close")
def close(ticket_id: str, ctx: ActionCtx) -> Response:
    ctx.require("tickets.work")
    ticket = _ticket(ctx, ticket_id)
    reason = choice(ctx, "reason", CLOSE_REASONS)
    body = text(ctx, "resolution", limit=2000, required=False)
    points = whole(ctx, "points", low=0, high=5000)
    coupon = yuan_to_fen(ctx, "coupon_yuan", limit_fen=20_000)
    threshold = yuan_to_fen(ctx, "threshold_yuan", limit_fen=1_000_000)
    comp = (
        service.CompensationRequest(points=points, coupon_amount=coupon, coupon_threshold=threshold)
        if (points or coupon)
        else None
    )
    ports = config_from_app(ctx.request).ports
    resolution = f"[{reason}] {body}".strip()
    _transition(
        lambda: service.close_ticket(
            ctx.s, ticket.id, _actor(ctx), ctx.now, ports, resolution=resolution, compensation=comp
        )
    )
    return _done(ctx, ticket, "closed", reason=reason, points=points, coupon_fen=coupon)

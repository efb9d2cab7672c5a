"""The weekly ticket report: per week (Monday to Sunday in each store's zone), the tickets
opened and closed, how many were closed within their SLA and how long they took, by feedback
category (what customers complained about) and by close reason (the cause HQ found). As a page
and as CSV for a spreadsheet; a store manager sees only their stores."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.clock import DEFAULT_TZ
from server.bounds import has_control
from server.console.routes.tickets import CLOSE_REASONS
from server.console.web import PREFIX, ConsoleRoute, Ctx, PageCtx, Refused, chain_zone, render
from server.feedback.models import Ticket
from server.feedback.rules import CATEGORIES
from server.models import Store

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

MAX_WEEKS: Final = 26
NO_CATEGORY: Final = "none"


@dataclass
class Week:
    start: date  # the Monday
    opened: int = 0
    closed: int = 0
    within_sla: int = 0
    hours_to_close: list[float] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)
    causes: dict[str, int] = field(default_factory=dict)

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.hours_to_close), 1) if self.hours_to_close else None

    @property
    def sla_percent(self) -> int | None:
        return round(100 * self.within_sla / self.closed) if self.closed else None


def _monday(at: datetime, tz: ZoneInfo) -> date:
    day = at.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def cause_of(resolution: str) -> str:
    """The close reason the console wrote at the head of the resolution (``[explained] …``)."""
    if resolution.startswith("[") and "]" in resolution:
        reason = resolution[1 : resolution.index("]")]
        if reason in CLOSE_REASONS:
            return reason
    return "other"


def weekly(ctx: Ctx, weeks: int, store: str = "") -> list[Week]:
    """The last `weeks` weeks, newest first, of the tickets this user may see."""
    zones = {sid: ZoneInfo(tz) for sid, tz in ctx.s.execute(select(Store.id, Store.timezone))}
    this_monday = _monday(ctx.now, chain_zone())
    out = {this_monday - timedelta(weeks=i): Week(this_monday - timedelta(weeks=i)) for i in range(weeks)}
    since = datetime.combine(min(out), datetime.min.time(), tzinfo=chain_zone()) - timedelta(days=1)
    q = select(Ticket).options(selectinload(Ticket.feedback)).where(Ticket.opened_at >= since)
    if ctx.stores is not None:
        q = q.where(Ticket.store_id.in_(ctx.stores))
    if store:
        q = q.where(Ticket.store_id == store[:64])
    for t in ctx.s.execute(q).scalars():
        tz = zones.get(t.store_id, DEFAULT_TZ)
        week = out.get(_monday(t.opened_at, tz))
        if week is not None:
            week.opened += 1
            category = t.feedback.category or NO_CATEGORY
            week.categories[category] = week.categories.get(category, 0) + 1
        if t.closed_at is None:
            continue
        done = out.get(_monday(t.closed_at, tz))
        if done is None:
            continue
        done.closed += 1
        done.within_sla += t.closed_at <= t.due_at
        done.hours_to_close.append((t.closed_at - t.opened_at).total_seconds() / 3600)
        cause = cause_of(t.resolution)
        done.causes[cause] = done.causes.get(cause, 0) + 1
    return sorted(out.values(), key=lambda w: w.start, reverse=True)


def _weeks(value: int) -> int:
    return max(1, min(MAX_WEEKS, value))


def _store(value: str) -> str:
    if has_control(value) or not all(c.isalnum() or c in "-_" for c in value):
        raise Refused(400, "err_store_id")
    return value[:64]


CAUSES: Final = (*CLOSE_REASONS, "other")
COLUMNS: Final = (*CATEGORIES, NO_CATEGORY)


@router.get("/tickets-report")
def tickets_report(ctx: PageCtx, weeks: int = 8, store: str = "") -> HTMLResponse:
    ctx.require("tickets")
    n = _weeks(weeks)
    stores = [
        st for st in ctx.s.execute(select(Store).order_by(Store.id)).scalars() if ctx.may_see_store(st.id)
    ]
    return render(
        ctx,
        "report_tickets.html",
        rows=weekly(ctx, n, _store(store)),
        weeks=n,
        store=store,
        stores=stores,
        categories=COLUMNS,
        causes=CAUSES,
    )


@router.get("/tickets-report.csv")
def tickets_report_csv(ctx: PageCtx, weeks: int = 8, store: str = "") -> Response:
    ctx.require("tickets")
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(
        ["week", "opened", "closed", "within_sla", "median_hours_to_close"]
        + [f"category_{c}" for c in COLUMNS]
        + [f"cause_{c}" for c in CAUSES]
    )
    for w in weekly(ctx, _weeks(weeks), _store(store)):
        out.writerow(
            [
                w.start.isoformat(),
                w.opened,
                w.closed,
                w.within_sla,
                "" if w.median_hours is None else w.median_hours,
            ]
            + [w.categories.get(c, 0) for c in COLUMNS]
            + [w.causes.get(c, 0) for c in CAUSES]
        )
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ticket-report.csv"'},
    )

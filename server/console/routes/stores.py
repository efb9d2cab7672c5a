"""Stores and terminals: add a store, enrol a terminal (one-time code and its QR), revoke one;
each till's state, last seen, clock flag, how long since it synced, what of it is parked, and
the stores' daily sales as a chart."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from app.domain.clock import DEFAULT_TZ
from app.domain.enrolment import enrol_qr_text
from server.auth import EnrolError, add_store, issue_enrol_code, revoke_terminal
from server.console.forms import text
from server.console.web import (
    PREFIX,
    ActionCtx,
    ConsoleRoute,
    Ctx,
    PageCtx,
    Refused,
    go,
    render,
)
from server.models import Conflict, ParkedEvent, Sale, Store, Terminal

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

CHART_DAYS: Final = 60
LAG_WARN: Final = timedelta(minutes=15)


def _terminal_rows(ctx: Ctx, store_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    terms = (
        ctx.s.execute(
            select(Terminal).where(Terminal.store_id.in_(store_ids)).order_by(Terminal.store_id, Terminal.id)
        )
        .scalars()
        .all()
    )
    parked = dict(
        ctx.s.execute(
            select(ParkedEvent.terminal_id, func.count())
            .where(ParkedEvent.reviewed_at.is_(None))
            .group_by(ParkedEvent.terminal_id)
        )
        .tuples()
        .all()
    )
    conflicts = dict(
        ctx.s.execute(
            select(Conflict.terminal_id, func.count())
            .where(Conflict.resolved_at.is_(None))
            .group_by(Conflict.terminal_id)
        )
        .tuples()
        .all()
    )
    out: dict[str, list[dict[str, Any]]] = {sid: [] for sid in store_ids}
    for t in terms:
        state = "revoked" if t.revoked_at else ("enrolled" if t.enrolled_at else "awaiting")
        lag = ctx.now - t.last_seen_at if t.last_seen_at else None
        out.setdefault(t.store_id, []).append(
            {
                "t": t,
                "state": state,
                "lag_min": int(lag.total_seconds() // 60) if lag is not None else None,
                "lagging": state == "enrolled" and (lag is None or lag > LAG_WARN),
                "parked": int(parked.get(t.id, 0)),
                "conflicts": int(conflicts.get(t.id, 0)),
            }
        )
    return out


def _chart(ctx: Ctx, store_ids: list[str]) -> dict[str, Any]:
    """Daily sales (fen) per store for the last CHART_DAYS days, by the store's calendar day
    (`stores.timezone`: a New York store's evening sales are on its own day, not Shanghai's)."""
    since = ctx.now - timedelta(days=CHART_DAYS)
    zones = {
        sid: ZoneInfo(tz)
        for sid, tz in ctx.s.execute(select(Store.id, Store.timezone).where(Store.id.in_(store_ids)))
    }
    in_zone = [zones.get(sid, DEFAULT_TZ) for sid in store_ids] or [DEFAULT_TZ]
    days = sorted(
        {
            (ctx.now - timedelta(days=i)).astimezone(z).date()
            for i in range(CHART_DAYS, -1, -1)
            for z in in_zone
        }
    )
    series: dict[str, dict[str, int]] = {sid: {} for sid in store_ids}
    if ctx.s.get_bind().dialect.name == "postgresql":
        day = func.date(func.timezone(Store.timezone, Sale.at))
        rows = ctx.s.execute(
            select(Sale.store_id, day, func.sum(Sale.total_due))
            .join(Store, Store.id == Sale.store_id)
            .where(Sale.at >= since, Sale.store_id.in_(store_ids))
            .group_by(Sale.store_id, day)
        ).all()
        for sid, d, total in rows:
            series[sid][str(d)] = int(total)
    else:  # SQLite demo: read the rows
        for sid, at, total in ctx.s.execute(
            select(Sale.store_id, Sale.at, Sale.total_due).where(
                Sale.at >= since, Sale.store_id.in_(store_ids)
            )
        ):
            key = str(at.astimezone(zones.get(sid, DEFAULT_TZ)).date())
            series[sid][key] = series[sid].get(key, 0) + int(total)
    labels = [str(d) for d in days]
    return {
        "days": labels,
        "series": [{"name": sid, "data": [series[sid].get(d, 0) / 100 for d in labels]} for sid in store_ids],
    }


@router.get("/stores")
def stores(ctx: PageCtx) -> HTMLResponse:
    ctx.require("stores")
    rows = [
        st for st in ctx.s.execute(select(Store).order_by(Store.id)).scalars() if ctx.may_see_store(st.id)
    ]
    ids = [st.id for st in rows]
    return render(
        ctx,
        "stores.html",
        stores=rows,
        terminals=_terminal_rows(ctx, ids),
        chart=json.dumps(_chart(ctx, ids)),
        chart_days=CHART_DAYS,
    )


@router.post("/stores")
def store_add(ctx: ActionCtx) -> Response:
    ctx.require("stores.manage")
    store_id = text(ctx, "store_id", limit=40)
    if not all(c.isalnum() or c in "-_" for c in store_id):
        raise Refused(400, "err_store_id")
    name = text(ctx, "name", limit=120)
    add_store(ctx.s, store_id, name)
    ctx.audit("store_saved", f"store:{store_id}", name=name)
    return go(ctx, f"{PREFIX}/stores")


def qr_svg(payload: str) -> str:
    img = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.find("<svg") :]


@router.post("/stores/{store_id}/enrol")
def enrol(store_id: str, ctx: ActionCtx) -> Response:
    ctx.require("stores.manage")
    terminal_id = text(ctx, "terminal_id", limit=40)
    settings = ctx.request.app.state.settings
    try:
        code = issue_enrol_code(ctx.s, store_id[:40], terminal_id, settings.enrol_code_ttl_s)
    except EnrolError as exc:
        raise Refused(409, "err_enrol", why=str(exc)) from None
    server_url = (settings.public_base_url or str(ctx.request.base_url)).rstrip("/")
    payload = enrol_qr_text(server_url, code)
    ctx.audit("terminal_enrol_code", f"terminal:{terminal_id}", store=store_id)
    return render(
        ctx,
        "enrol.html",
        code=code,
        terminal_id=terminal_id,
        store_id=store_id,
        server_url=server_url,
        qr=qr_svg(payload),
        hours=settings.enrol_code_ttl_s // 3600,
    )


@router.post("/terminals/{terminal_id}/revoke")
def revoke(terminal_id: str, ctx: ActionCtx) -> Response:
    ctx.require("stores.manage")
    term = ctx.s.get(Terminal, terminal_id[:40])
    if term is None or not ctx.may_see_store(term.store_id):
        raise Refused(404, "err_not_found")
    if term.revoked_at is None:
        try:
            revoke_terminal(ctx.s, term.id)
        except EnrolError as exc:
            raise Refused(409, "err_enrol", why=str(exc)) from None
        ctx.audit("terminal_revoked", f"terminal:{term.id}")
    return go(ctx, f"{PREFIX}/stores")

"""Dashboard: the member-intelligence KPIs (server/intel, as of its last recompute) as cards
and ECharts charts, per store or for the chain, by day, week or month in the store's zone.
The figures are read through intel's own KPI reader (server/intel/kpi_routes.kpi_series)."""

from __future__ import annotations

import json
from typing import Any, Final

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from server.console.web import PREFIX, ConsoleRoute, Ctx, PageCtx, Refused, render
from server.errors import ApiError
from server.intel.deps import get_config
from server.intel.kpi_routes import kpi_series
from server.models import Store

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

CARDS: Final = (
    "average_ticket",
    "items_per_sale",
    "member_share",
    "repurchase_rate",
    "new_members",
    "coupon_redemption",
    "feedback_score",
    "nps",
    "ticket_sla",
)
CHARTS: Final = (
    ("average_ticket", "line"),
    ("nps", "line"),
    ("repurchase_rate", "line"),
    ("ticket_sla", "bar"),
)
PERIODS: Final = ("day", "week", "month")


def _series(ctx: Ctx, kpi: str, store: str, period: str) -> dict[str, Any]:
    try:
        cfg = get_config(ctx.request)
        return kpi_series(kpi, ctx.s, cfg, store=store, period=period, from_=None, to=None)  # type: ignore[arg-type]
    except ApiError:
        return {"points": [], "as_of": None, "unit": ""}
    except DBAPIError:  # no intel tables (the SQLite demo): no figures
        ctx.s.rollback()
        return {"points": [], "as_of": None, "unit": ""}


def _display(kpi: str, unit: str, value: Any) -> str:
    if value is None:
        return "—"
    if unit == "fen":
        return f"¥{int(value) / 100:,.2f}"
    if unit == "ratio":
        return f"{float(value) * 100:.1f}%"
    if unit == "nps":
        return f"{float(value):+.1f}"
    return f"{float(value):.2f}"


def _chart_value(unit: str, value: Any) -> Any:
    if value is None:
        return None
    if unit == "fen":
        return round(int(value) / 100, 2)
    if unit == "ratio":
        return round(float(value) * 100, 1)
    return value


@router.get("/dashboard")
def dashboard(ctx: PageCtx, store: str = "", period: str = "week") -> HTMLResponse:
    ctx.require("dashboard")
    rows = ctx.s.execute(select(Store).order_by(Store.id)).scalars()
    stores = [st for st in rows if ctx.may_see_store(st.id)]
    allowed = ([] if ctx.stores is not None else ["*"]) + [st.id for st in stores]
    store = store or (allowed[0] if allowed else "")
    if store not in allowed:
        raise Refused(404, "err_not_found")
    period = period if period in PERIODS else "week"
    cards, as_of = [], None
    read = {kpi: _series(ctx, kpi, store, period) for kpi in CARDS}
    for kpi in CARDS:
        data = read[kpi]
        as_of = as_of or data.get("as_of")
        points = data.get("points", [])
        last = points[-1] if points else None
        prev = points[-2] if len(points) > 1 else None
        unit = data.get("unit", "")
        cards.append(
            {
                "kpi": kpi,
                "value": _display(kpi, unit, last["value"] if last else None),
                "prev": _display(kpi, unit, prev["value"] if prev else None),
                "bucket": last["bucket"] if last else "",
            }
        )
    charts = []
    for kpi, kind in CHARTS:
        data = read.get(kpi) or _series(ctx, kpi, store, period)
        pts = data.get("points", [])
        charts.append(
            {
                "kpi": kpi,
                "json": json.dumps(
                    {
                        "days": [p["bucket"] for p in pts],
                        "type": kind,
                        "series": [
                            {
                                "name": ctx.t("kpi_" + kpi),
                                "data": [_chart_value(data.get("unit", ""), p["value"]) for p in pts],
                            }
                        ],
                    }
                ),
            }
        )
    return render(
        ctx,
        "dashboard.html",
        cards=cards,
        charts=charts,
        store=store,
        period=period,
        stores=stores,
        chain=ctx.stores is None,
        as_of=as_of,
        periods=PERIODS,
    )

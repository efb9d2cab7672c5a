"""HQ's KPI API (the console draws these), behind `Authorization: Bearer <LT_SERVER_ADMIN_TOKEN>`.
Figures are as of the last `intel recompute` (`as_of` in every answer).

- `GET /api/v1/kpi` → the catalogue: every KPI's name, unit, what `num` and `den` count.
- `GET /api/v1/kpi/{kpi}?store=*&period=day|week|month&from=YYYY-MM-DD&to=YYYY-MM-DD`
  → `{kpi, store, period, unit, from, to, as_of, points: [{bucket, num, den, value, extra}]}`,
  oldest bucket first, only buckets with data. `store` `*` is the chain (default). `bucket`
  is the period's first day in the store's zone (weeks start on Monday). Defaults: `to`
  today, `from` 30 days / 26 weeks / 12 months before. At most 400 buckets per answer.
  `retention` and `clv` are monthly, by registration month (cohort) and registration store.
  Errors: 404 `unknown_kpi`, 422 `invalid_request` (bad period, date, range), 401, 503.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from sqlalchemy import text

from server.db import SessionDep
from server.errors import ApiError
from server.intel.deps import ConfigDep
from server.intel.service import last_as_of
from server.routes.hq import require_admin
from sync.protocol import API_PREFIX, ErrorBody

# name: (unit, what num counts, what den counts, how value is made)
CATALOGUE: dict[str, tuple[str, str, str, str]] = {
    "average_ticket": ("fen", "money taken (fen)", "sales", "num // den"),
    "items_per_sale": ("items", "items sold (qty)", "sales", "num / den"),
    "member_share": ("ratio", "sales to a member", "sales", "num / den"),
    "new_members": ("ratio", "members registered", "sales", "num / den"),
    "repurchase_rate": ("ratio", "members with 2+ sales in the period", "members with a sale", "num / den"),
    "coupon_redemption": (
        "ratio",
        "coupons issued in the period and since redeemed",
        "coupons issued",
        "num / den",
    ),
    "feedback_score": ("stars", "stars given", "answers", "num / den"),
    "nps": ("nps", "promoters (9-10) minus detractors (0-6)", "answers", "100 * num / den"),
    "ticket_sla": ("ratio", "tickets closed by their due time", "tickets closed", "num / den"),
    "retention": (
        "ratio",
        "cohort members buying the month after registering",
        "cohort size",
        "num / den; extra.months[i] months after, extra.active[i] buyers",
    ),
    "clv": ("fen", "the cohort's spend to date (fen, gross of refunds)", "cohort size", "num // den"),
}
MONTHLY_ONLY = ("retention", "clv")
MAX_BUCKETS = 400
_EARLIEST, _LATEST = date(2000, 1, 1), date(2100, 12, 31)

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no or wrong admin token"},
    404: {"model": ErrorBody, "description": "unknown KPI"},
    422: {"model": ErrorBody, "description": "bad period, date or range"},
    503: {"model": ErrorBody, "description": "no admin token is set on the server"},
}

router = APIRouter(prefix=f"{API_PREFIX}/kpi", tags=["kpi"], dependencies=[Depends(require_admin)])


def value_of(kpi: str, num: int, den: int) -> int | float | None:
    if den == 0:
        return None
    if CATALOGUE[kpi][0] == "fen":
        return num // den
    if kpi == "nps":
        return round(100 * num / den, 1)
    return round(num / den, 4)


@router.get("", responses=_ERRORS)
def catalogue() -> dict[str, Any]:
    return {
        "kpis": [
            {
                "name": k,
                "unit": u,
                "num": n,
                "den": d,
                "value": v,
                "periods": ["month"] if k in MONTHLY_ONLY else ["day", "week", "month"],
            }
            for k, (u, n, d, v) in CATALOGUE.items()
        ]
    }


def _default_from(to: date, period: str) -> date:
    if period == "day":
        return to - timedelta(days=30)
    if period == "week":
        return to - timedelta(weeks=26)
    return date(to.year - 1, to.month, 1)


@router.get("/{kpi}", responses=_ERRORS)
def kpi_series(
    kpi: str,
    s: SessionDep,
    cfg: ConfigDep,
    store: Annotated[str, Query(min_length=1, max_length=40, pattern=r"^[^\x00]+$")] = "*",
    period: Literal["day", "week", "month"] = "month",
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
) -> dict[str, Any]:
    if kpi not in CATALOGUE:
        raise ApiError(404, "unknown_kpi", f"no KPI {kpi[:40]!r}; GET {API_PREFIX}/kpi lists them")
    if kpi in MONTHLY_ONLY and period != "month":
        raise ApiError(422, "invalid_request", f"{kpi} is monthly (by registration month): period=month")
    to = to or datetime.now(UTC).astimezone(ZoneInfo(cfg.default_tz)).date()
    if not (_EARLIEST <= to <= _LATEST) or (from_ is not None and not (_EARLIEST <= from_ <= _LATEST)):
        raise ApiError(422, "invalid_request", "dates must lie between 2000-01-01 and 2100-12-31")
    start = from_ or _default_from(to, period)
    if start > to:
        raise ApiError(422, "invalid_request", "from is after to")
    span = {"day": 1, "week": 7, "month": 28}[period]
    if (to - start).days // span > MAX_BUCKETS:
        raise ApiError(422, "invalid_request", f"at most {MAX_BUCKETS} {period}s per request")
    rows = s.execute(
        text(
            "SELECT bucket, num, den, extra FROM intel_kpis WHERE kpi = :k AND store_id = :s AND period = :p "
            "AND bucket BETWEEN :f AND :t ORDER BY bucket"
        ),
        {"k": kpi, "s": store, "p": period, "f": start, "t": to},
    ).all()
    as_of = last_as_of(s, "cohorts_as_of" if kpi in MONTHLY_ONLY else "as_of")
    return {
        "kpi": kpi,
        "store": store,
        "period": period,
        "unit": CATALOGUE[kpi][0],
        "from": start.isoformat(),
        "to": to.isoformat(),
        "as_of": as_of.isoformat() if as_of else None,
        "points": [
            {
                "bucket": r.bucket.isoformat(),
                "num": int(r.num),
                "den": int(r.den),
                "value": value_of(kpi, int(r.num), int(r.den)),
                "extra": r.extra or {},
            }
            for r in rows
        ],
    }

"""Campaigns the server runs (the source of truth; a till's own daily job keeps working
offline with what it holds). `run_campaigns` issues, for every active campaign inside its
dates, a member coupon to each member who qualifies now, and records who was chosen:

| kind | qualifies | reason (never twice per campaign) |
|---|---|---|
| `welcome` | registered in the last `days` (7) | `welcome` |
| `birthday` | birthday in this month (home store's zone) | `birthday:<year>` |
| `wakeup` | no purchase for `days` (30) or more | `wakeup:<last purchase date>` (once per dormant spell) |
| `cross_sell` | bought in `bought` categories in the last `hours` (48) | `cross_sell:<sale id>` |
| `frequency` | `visits` (3) or more purchases in the last 7 days | `frequency:<ISO week>` |
| `segment` | in the built-in or HQ segment `segment` (after `intel recompute`) | `segment` |

Marketing coupons go to members who opted in (welcome coupons to all). Members are taken in
id order until the `budget` (coupons in all) runs out, and never past `per_member_cap`
coupons of the campaign each. With `control_pct`, that share of the chosen (by a hash of
campaign and member, so the same member is always on the same side) is held out: recorded
with no coupon, for `campaign_report`'s uplift. Coupons are pulled by every store the member
is registered at, has bought at or was looked up from (`server.pull.coupon_changed`).
Nothing here commits.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain.ids import new_id
from server.intel.config import IntelConfig
from server.intel.models import IntelCampaign, IntelCampaignIssue
from server.intel.segments import Word
from server.models import Coupon
from server.pull import coupon_changed

Kind = Literal["welcome", "birthday", "wakeup", "cross_sell", "frequency", "segment"]


def plausible_time(value: datetime) -> datetime:
    """An aware time between 2000 and 2100 (as push accepts from tills)."""
    if value.tzinfo is None:
        raise ValueError("a time needs its zone, e.g. 2026-12-01T00:00:00+08:00")
    if not 2000 <= value.astimezone(UTC).year <= 2100:
        raise ValueError("a time between 2000 and 2100")
    return value


class CouponTerms(BaseModel):
    """The coupon a campaign issues (the till's coupon kinds; money in fen)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["amount_off", "percent_off", "points_multiplier", "free_gift"] = "amount_off"
    name: str = Field(default="", max_length=120, pattern=r"^[^\x00]*$")
    amount: int = Field(default=0, ge=0, le=10**8)
    threshold: int = Field(default=0, ge=0, le=10**9)
    percent: str = Field(default="0", pattern=r"^\d{1,2}(\.\d{1,2})?$")
    cap: int | None = Field(default=None, ge=0, le=10**8)
    multiplier: str = Field(default="1", pattern=r"^\d{1,2}(\.\d{1,2})?$")
    gift_sku: str | None = Field(default=None, max_length=32, pattern=r"^[^\x00]+$")
    categories: list[Word] = Field(default_factory=list, max_length=50)
    skus: list[Word] = Field(default_factory=list, max_length=200)
    valid_days: int = Field(default=14, ge=1, le=366)


class CampaignParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(default=0, ge=0, le=3650)  # welcome 7, wakeup 30 when 0
    bought: list[Word] = Field(default_factory=list, max_length=50)
    hours: int = Field(default=48, ge=1, le=24 * 30)
    visits: int = Field(default=3, ge=1, le=100)
    segment: str = Field(default="", max_length=40, pattern=r"^[^\x00]*$")


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120, pattern=r"^[^\x00]+$")
    kind: Kind
    params: CampaignParams = Field(default_factory=CampaignParams)
    coupon: CouponTerms
    starts_at: datetime
    ends_at: datetime
    budget: int | None = Field(default=None, ge=0, le=10**8)
    per_member_cap: int = Field(default=1, ge=1, le=1000)
    control_pct: int = Field(default=0, ge=0, le=90)
    active: bool = True

    _times = field_validator("starts_at", "ends_at")(plausible_time)


@dataclass
class CampaignRun:
    campaign_id: str
    issued: int
    held_out: int


_CANDIDATES: dict[str, str] = {
    "welcome": """SELECT m.id, 'welcome' AS reason FROM members m
                  WHERE m.registered_at >= :now - make_interval(days => :days) AND m.registered_at <= :now
                  {member}""",
    "birthday": """SELECT m.id,
                          'birthday:' || extract(year FROM (CAST(:now AS timestamptz) AT TIME ZONE {tz}))
                   FROM members m LEFT JOIN stores z ON z.id = m.store_id
                   WHERE m.birthday IS NOT NULL AND extract(month FROM m.birthday)
                         = extract(month FROM (CAST(:now AS timestamptz) AT TIME ZONE {tz})) {member}""",
    "wakeup": """SELECT m.id, 'wakeup:' || to_char(m.last_purchase_at AT TIME ZONE {tz}, 'YYYY-MM-DD')
                 FROM members m LEFT JOIN stores z ON z.id = m.store_id
                 WHERE m.last_purchase_at <= :now - make_interval(days => :days) {member}""",
    "cross_sell": """SELECT DISTINCT l.member_id, 'cross_sell:' || l.sale_id FROM intel_lines l
                     JOIN members m ON m.id = l.member_id
                     WHERE l.at > :now - make_interval(hours => :hours) AND l.at <= :now
                       AND l.category = ANY(:bought) {member}""",
    "frequency": """SELECT x.member_id, 'frequency:' || to_char(CAST(:now AS timestamptz), 'IYYY-IW')
                    FROM intel_sales x JOIN members m ON m.id = x.member_id
                    WHERE x.at > :now - interval '7 days' AND x.at <= :now {member}
                    GROUP BY x.member_id HAVING count(*) >= :visits""",
    "segment": """SELECT sc.member_id, 'segment' FROM intel_scores sc JOIN members m ON m.id = sc.member_id
                  WHERE (sc.segment = :segment OR sc.segments ? :segment) {member}""",
}


def _candidates(s: Session, cfg: IntelConfig, c: IntelCampaign, now: datetime) -> list[tuple[uuid.UUID, str]]:
    p = CampaignParams.model_validate(c.params)
    days = p.days or (7 if c.kind == "welcome" else 30)
    member = "AND m.merged_into IS NULL AND NOT m.stub"
    if c.kind != "welcome":
        member += " AND m.marketing_opt_in"
    cand = _CANDIDATES[c.kind].format(member=member, tz="COALESCE(z.timezone, :tz)")
    sql = f"""
        WITH cand (id, reason) AS ({cand})
        SELECT cand.* FROM cand
        WHERE NOT EXISTS (SELECT 1 FROM intel_campaign_issues i
                          WHERE i.campaign_id = :cid AND i.member_id = cand.id AND i.reason = cand.reason)
        ORDER BY 1, 2"""
    rows = s.execute(
        text(sql),
        {
            "now": now,
            "tz": cfg.default_tz,
            "days": days,
            "hours": p.hours,
            "bought": p.bought,
            "visits": p.visits,
            "segment": p.segment,
            "cid": c.id,
        },
    )
    return [(r[0], str(r[1])[:64]) for r in rows]


def in_control(campaign_id: str, member_id: uuid.UUID, pct: int) -> bool:
    """The same member is on the same side of a campaign every time."""
    digest = hashlib.sha256(f"{campaign_id}:{member_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < pct


def coupon_code(campaign_id: str, member_id: uuid.UUID, reason: str) -> str:
    digest = hashlib.sha256(f"{campaign_id}:{member_id}:{reason}".encode()).hexdigest()[:16].upper()
    return f"K{digest}"


def _issue(s: Session, c: IntelCampaign, member_id: uuid.UUID, reason: str, now: datetime) -> uuid.UUID:
    t = CouponTerms.model_validate(c.coupon)
    coupon = Coupon(
        id=uuid.UUID(str(new_id())),
        code=coupon_code(c.id, member_id, reason),
        name=t.name or c.name,
        kind=t.kind,
        amount=t.amount,
        percent=t.percent,
        cap=t.cap,
        threshold=t.threshold,
        multiplier=t.multiplier,
        gift_sku=t.gift_sku,
        categories=list(t.categories),
        skus=list(t.skus),
        stackable=False,
        member_only=True,
        member_id=member_id,
        store_id=None,
        valid_from=now,
        valid_to=min(now + timedelta(days=t.valid_days), c.ends_at),
        status="issued",
        issued_reason=f"campaign:{c.id}"[:64],
        issued_at=now,
        redeemed_sale_id=None,
        terminal_id=None,
    )
    s.add(coupon)
    s.flush()
    coupon_changed(s, coupon, now)
    return coupon.id


def run_campaign(s: Session, cfg: IntelConfig, c: IntelCampaign, now: datetime) -> CampaignRun:
    run = CampaignRun(c.id, 0, 0)
    if not c.active or not (c.starts_at <= now < c.ends_at):
        return run
    counts: dict[uuid.UUID, int] = dict(
        s.execute(
            text(
                "SELECT member_id, count(*) FROM intel_campaign_issues"
                " WHERE campaign_id = :c GROUP BY member_id"
            ),
            {"c": c.id},
        ).all()
    )
    issued_total = int(
        s.execute(
            text("SELECT count(*) FROM intel_campaign_issues WHERE campaign_id = :c AND NOT control"),
            {"c": c.id},
        ).scalar_one()
    )
    for member_id, reason in _candidates(s, cfg, c, now):
        if c.budget is not None and issued_total >= c.budget:
            break
        if counts.get(member_id, 0) >= c.per_member_cap:
            continue
        control = in_control(c.id, member_id, c.control_pct)
        coupon_id = None if control else _issue(s, c, member_id, reason, now)
        s.add(
            IntelCampaignIssue(
                campaign_id=c.id,
                member_id=member_id,
                reason=reason,
                control=control,
                coupon_id=coupon_id,
                at=now,
            )
        )
        counts[member_id] = counts.get(member_id, 0) + 1
        if control:
            run.held_out += 1
        else:
            run.issued += 1
            issued_total += 1
    s.flush()
    return run


def run_campaigns(s: Session, cfg: IntelConfig, now: datetime | None = None) -> list[CampaignRun]:
    """Every active campaign, in id order, one after another under an advisory lock."""
    now = now or datetime.now(UTC)
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x1A7E2})
    q = select(IntelCampaign).where(IntelCampaign.active).order_by(IntelCampaign.id)
    campaigns = list(s.execute(q).scalars())
    return [run_campaign(s, cfg, c, now) for c in campaigns]


def save_campaign(s: Session, campaign_id: str, body: CampaignIn) -> IntelCampaign:
    """Add or replace a campaign (who was already chosen stays chosen)."""
    if body.ends_at <= body.starts_at:
        raise ValueError("ends_at must be after starts_at")
    if body.kind == "cross_sell" and not body.params.bought:
        raise ValueError("a cross_sell campaign needs params.bought (categories)")
    if body.kind == "segment" and not body.params.segment:
        raise ValueError("a segment campaign needs params.segment")
    row = s.get(IntelCampaign, campaign_id)
    values: dict[str, Any] = {
        "name": body.name,
        "kind": body.kind,
        "params": body.params.model_dump(),
        "coupon": body.coupon.model_dump(),
        "starts_at": body.starts_at,
        "ends_at": body.ends_at,
        "budget": body.budget,
        "per_member_cap": body.per_member_cap,
        "control_pct": body.control_pct,
        "active": body.active,
    }
    if row is None:
        row = IntelCampaign(id=campaign_id, created_at=datetime.now(UTC), **values)
        s.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    s.flush()
    return row

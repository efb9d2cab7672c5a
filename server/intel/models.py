"""The tables intel writes (migration i0001). Everything here is derived from the core tables
(sales, refunds, members, coupons, feedback) and can be rebuilt with `intel recompute --full`,
except `intel_segments`, which HQ sets. A store's zone is `stores.timezone` (one home, shared with
the program's calendar rules); migration ia0001 moved the zones intel kept before into it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models import Base, JsonType

__all__ = [
    "IntelCampaign",
    "IntelCampaignIssue",
    "IntelCouponBatch",
    "IntelItem",
    "IntelKpi",
    "IntelLine",
    "IntelMemberCohort",
    "IntelMemberStats",
    "IntelPair",
    "IntelSale",
    "IntelScore",
    "IntelSegment",
    "IntelState",
]


class IntelState(Base):
    """Key/value: the watermark (events received up to), the last run's time and windows."""

    __tablename__ = "intel_state"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class IntelLine(Base):
    """One sale line, flattened from `sales.lines` with its product's category."""

    __tablename__ = "intel_lines"
    sale_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    member_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime]
    sku: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(40), default="")
    qty: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(BigInteger)
    promo: Mapped[bool] = mapped_column(Boolean)  # member price, promotion or coupon on the line
    organic: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (Index("ix_intel_lines_member_at", "member_id", "at"),)


class IntelMemberStats(Base):
    """A member's 12-month aggregates (the window ends at the run's `as_of`)."""

    __tablename__ = "intel_member_stats"
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    visits: Mapped[int] = mapped_column(Integer)
    spend: Mapped[int] = mapped_column(BigInteger)  # fen: sales' total_due minus refunds
    first_at: Mapped[datetime | None]
    last_at: Mapped[datetime | None]
    lines: Mapped[int] = mapped_column(Integer)
    promo_lines: Mapped[int] = mapped_column(Integer)
    organic_lines: Mapped[int] = mapped_column(Integer)
    baby_last_at: Mapped[datetime | None]
    stores: Mapped[list[str]] = mapped_column(JsonType, default=list)
    categories: Mapped[list[str]] = mapped_column(JsonType, default=list)


class IntelScore(Base):
    """What HQ and the till see of a member: RFM 1-5 (null: no purchase in 12 months),
    lifecycle stage, value segment, HQ rule segments and tags (most telling first)."""

    __tablename__ = "intel_scores"
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    r: Mapped[int | None] = mapped_column(Integer)
    f: Mapped[int | None] = mapped_column(Integer)
    m: Mapped[int | None] = mapped_column(Integer)
    lifecycle: Mapped[str] = mapped_column(String(16))
    segment: Mapped[str] = mapped_column(String(16), index=True)
    segments: Mapped[list[str]] = mapped_column(JsonType, default=list)
    tags: Mapped[list[str]] = mapped_column(JsonType, default=list)
    computed_at: Mapped[datetime]


class IntelSegment(Base):
    """A segment HQ defines as a rule (server/intel/segments.py says what a rule may name)."""

    __tablename__ = "intel_segments"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    rule: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime]


class IntelItem(Base):
    """Baskets (sales) in the basket window containing the sku (no row at zero). On
    PostgreSQL the key is in the "C" collation (migration in3001)."""

    __tablename__ = "intel_items"
    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class IntelPair(Base):
    """Baskets in the basket window containing both skus (a < b in byte order: on
    PostgreSQL both keys are in the "C" collation, migration in3001); no row at zero."""

    __tablename__ = "intel_pairs"
    a: Mapped[str] = mapped_column(String(32), primary_key=True)
    b: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_intel_pairs_b", "b"),)  # "pairs holding X as b"


class IntelSale(Base):
    """One sale as intel counts it: a narrow copy of `sales` (with its item count), written
    once; a sale is new to intel while it has no row here."""

    __tablename__ = "intel_sales"
    sale_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID | None]
    store_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    total: Mapped[int] = mapped_column(BigInteger)  # total_due, fen
    items: Mapped[int] = mapped_column(Integer)  # sum of the lines' qty
    lines: Mapped[int] = mapped_column(Integer)
    coupons: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_intel_sales_member_at", "member_id", "at"),
        Index("ix_intel_sales_at", "at"),
    )


class IntelMemberCohort(Base):
    """A member's part in the monthly cohorts (`retention`, `clv`): the registration month at
    the home store (its zone) and for the chain (the default zone), the months k = 0..12 after
    it with a purchase (bit k), and the member's spend to date. Rewritten for the members a run
    touches; the cohort KPIs are summed from it (server/intel/kpi.py)."""

    __tablename__ = "intel_member_cohorts"
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(String(40))  # home store ('' for none)
    store_cohort: Mapped[date] = mapped_column(Date)
    chain_cohort: Mapped[date] = mapped_column(Date)
    store_months: Mapped[int] = mapped_column(Integer)
    chain_months: Mapped[int] = mapped_column(Integer)
    spend: Mapped[int] = mapped_column(BigInteger)  # fen, every sale's total_due


class IntelKpi(Base):
    """One KPI figure: `num`/`den` for a store (or `*`, the chain), a period and its first day
    (local to the store; the chain uses the default zone). `extra` holds figures beside it."""

    __tablename__ = "intel_kpis"
    kpi: Mapped[str] = mapped_column(String(32), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    bucket: Mapped[date] = mapped_column(Date, primary_key=True)
    num: Mapped[int] = mapped_column(BigInteger)
    den: Mapped[int] = mapped_column(BigInteger)
    extra: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class IntelCampaign(Base):
    """A campaign HQ runs from the server (server/intel/campaigns.py): who qualifies (`kind`,
    `params`), the coupon each gets (`coupon`), when, how many in all (`budget`), how many per
    member (`per_member_cap`) and the share held out as a control group (`control_pct`)."""

    __tablename__ = "intel_campaigns"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    coupon: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    budget: Mapped[int | None] = mapped_column(Integer)
    per_member_cap: Mapped[int] = mapped_column(Integer, default=1)
    control_pct: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class IntelCampaignIssue(Base):
    """One member chosen by a campaign for one reason (never twice for the same reason): a
    coupon, or, for the control group, none (`control`)."""

    __tablename__ = "intel_campaign_issues"
    campaign_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)
    control: Mapped[bool] = mapped_column(Boolean)
    coupon_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime]
    __table_args__ = (Index("ix_intel_campaign_issues_coupon", "coupon_id"),)


class IntelCouponBatch(Base):
    """A batch of printable bearer coupon codes HQ issued (the coupons are in `coupons`)."""

    __tablename__ = "intel_coupon_batches"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    store_id: Mapped[str | None] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]

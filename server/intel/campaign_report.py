"""What a campaign did, from the core tables (fresh, no recompute needed): coupons issued and
redeemed (the redeeming sale named by the push, `coupons.redeemed_sale_id`), what the
coupons cost (their discount on those sales), and the chosen members' purchases in the
coupon's validity after they were chosen, treated against the held-out control group.

- conversion = members with a purchase in the horizon / members; uplift = treated − control
- incremental revenue = (treated mean spend − control mean spend) × treated members
- ROI = (incremental revenue − coupon cost) / coupon cost (null without a control or a cost)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel.campaigns import CouponTerms
from server.intel.models import IntelCampaign

_GROUPS = """
WITH iss AS (SELECT member_id, control, at FROM intel_campaign_issues WHERE campaign_id = :c),
after AS (
  SELECT iss.member_id, iss.control, count(x.id) AS visits, COALESCE(sum(x.total_due), 0) AS spend
  FROM iss LEFT JOIN sales x ON x.member_id = iss.member_id AND x.at > iss.at AND x.at <= iss.at + :horizon
  GROUP BY iss.member_id, iss.control)
SELECT control, count(*) AS members, count(*) FILTER (WHERE visits > 0) AS buyers, sum(spend) AS spend
FROM after GROUP BY control
"""

_REDEEMED = """
SELECT count(*) AS redeemed, COALESCE(sum(d.discount), 0) AS cost, COALESCE(sum(x.total_due), 0) AS revenue
FROM intel_campaign_issues i
JOIN coupons c ON c.id = i.coupon_id AND c.status = 'redeemed'
LEFT JOIN sales x ON x.id = c.redeemed_sale_id
LEFT JOIN LATERAL (SELECT sum((e->>'discount')::bigint) AS discount
                   FROM jsonb_array_elements(CASE WHEN jsonb_typeof(x.coupons) = 'array' THEN x.coupons
                                                  ELSE '[]'::jsonb END) e
                   WHERE e->>'code' = c.code) d ON true
WHERE i.campaign_id = :c
"""


def campaign_report(s: Session, c: IntelCampaign) -> dict[str, Any]:
    horizon = timedelta(days=CouponTerms.model_validate(c.coupon).valid_days)
    groups = {bool(r.control): r for r in s.execute(text(_GROUPS), {"c": c.id, "horizon": horizon})}
    red = s.execute(text(_REDEEMED), {"c": c.id}).one()

    def side(control: bool) -> dict[str, Any]:
        g = groups.get(control)
        members, buyers, spend = (int(g.members), int(g.buyers), int(g.spend)) if g else (0, 0, 0)
        return {
            "members": members,
            "buyers": buyers,
            "spend": spend,
            "conversion": round(buyers / members, 4) if members else None,
            "mean_spend": spend // members if members else None,
        }

    treated, control = side(False), side(True)
    uplift = incremental = roi = None
    if treated["members"] and control["members"]:
        uplift = round(treated["conversion"] - control["conversion"], 4)
        incremental = (treated["mean_spend"] - control["mean_spend"]) * treated["members"]
        if red.cost:
            roi = round((incremental - int(red.cost)) / int(red.cost), 4)
    rate = round(int(red.redeemed) / treated["members"], 4) if treated["members"] else None
    return {
        "campaign_id": c.id,
        "name": c.name,
        "kind": c.kind,
        "horizon_days": horizon.days,
        "issued": treated["members"],
        "held_out": control["members"],
        "redeemed": int(red.redeemed),
        "redemption_rate": rate,
        "coupon_cost": int(red.cost),
        "redeeming_sales_revenue": int(red.revenue),
        "treated": treated,
        "control": control,
        "uplift": uplift,
        "incremental_revenue": incremental,
        "roi": roi,
    }

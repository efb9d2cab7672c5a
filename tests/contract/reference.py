"""A deliberately naive second implementation of the quote contract, for checking the engine.

Works on the JSON basket directly, with Fractions throughout and the domain's Fraction-based
largest-remainder helpers; it shares no code with app.pricing. Slow, and only for valid input.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Any

from app.domain.allocation import allocate, allocate_exact

TIERS = {"basic": "1.0", "silver": "1.2", "gold": "1.5", "black": "2.0"}


def _t(s: str | None) -> datetime | None:
    return None if s is None else datetime.fromisoformat(s)


def _in_scope(line: dict[str, Any], spec: dict[str, Any]) -> bool:
    cats, skus = spec.get("categories") or [], spec.get("skus") or []
    return (not cats and not skus) or line["category"] in cats or line["sku"] in skus


def reference_quote(b: dict[str, Any]) -> dict[str, Any]:
    at = datetime.fromisoformat(b["at"])
    prog = {"earn_points_per_yuan": 1, "tier_multipliers": TIERS, "points_per_yuan_redeemed": 100,
            "redeem_step": 100, "redeem_max_share": "0.5", **(b.get("program") or {})}
    member = b.get("member")
    lines = b["lines"]
    n = len(lines)
    list_t = [ln["unit_price"] * ln["qty"] for ln in lines]
    line_t = [
        min(ln["unit_price"], ln.get("member_price") if ln.get("member_price") is not None
            else ln["unit_price"]) * ln["qty"] if member else list_t[i]
        for i, ln in enumerate(lines)
    ]
    net = list(line_t)
    cdisc = [0] * n
    cmult: list[list[Fraction]] = [[] for _ in range(n)]
    applied: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    any_blocking = False
    for c in b.get("coupons") or []:
        vf, vt = _t(c.get("valid_from")), _t(c.get("valid_to"))
        member_only = c.get("member_only", False) or c["kind"] == "points_multiplier"
        scope = [i for i in range(n) if net[i] > 0 and _in_scope(lines[i], c)]
        targets = scope
        if c["kind"] == "free_gift":
            targets = [i for i in range(n) if lines[i]["sku"] == c["gift_sku"] and net[i] > 0][:1]
        reason = None
        if c["code"] in {a["code"] for a in applied}:
            reason = "duplicate"
        elif vf is not None and at < vf:
            reason = "not_yet_valid"
        elif vt is not None and at > vt:
            reason = "expired"
        elif member_only and not member:
            reason = "member_only"
        elif applied and (any_blocking or not c.get("stackable", False)):
            reason = "not_stackable"
        elif not scope or not targets:
            reason = "no_eligible_lines"
        elif sum(net[i] for i in scope) < c.get("threshold", 0):
            reason = "below_threshold"
        if reason:
            rejected.append({"code": c["code"], "reason": reason})
            continue
        base = sum(net[i] for i in scope)
        if c["kind"] == "amount_off":
            d = min(c["amount"], base)
        elif c["kind"] == "percent_off":
            exact = Fraction(base) * Fraction(str(c["percent"])) / 100
            d = int(exact + Fraction(1, 2))  # half up (exact >= 0)
            if c.get("cap") is not None:
                d = min(d, c["cap"])
            d = min(d, base)
        elif c["kind"] == "free_gift":
            i = targets[0]
            d = int(Fraction(net[i], lines[i]["qty"]) + Fraction(1, 2))
        else:
            d = 0
            for i in targets:
                cmult[i].append(Fraction(str(c["multiplier"])))
        parts = allocate(d, [net[i] for i in targets]) if d else [0] * len(targets)
        for i, p in zip(targets, parts, strict=True):
            net[i] -= p
            cdisc[i] += p
        applied.append({"code": c["code"], "discount": d})
        any_blocking = any_blocking or not c.get("stackable", False)

    req = b.get("redeem_points", 0)
    pts, value, capped, prej = 0, 0, False, None
    step, ppy = prog["redeem_step"], prog["points_per_yuan_redeemed"]
    if req:
        if not member:
            prej = "no_member"
        elif req % step:
            prej = "bad_step"
        elif req > member["points_balance"]:
            prej = "insufficient_points"
        else:
            limit = sum(net) * Fraction(str(prog["redeem_max_share"]))
            pts = req
            while Fraction(pts * 100, ppy) > limit:  # walk down one step at a time
                pts -= step
                capped = True
            value = pts * 100 // ppy
    pdisc = allocate(value, net) if value else [0] * n
    for i in range(n):
        net[i] -= pdisc[i]

    earned = [0] * n
    total_earned = 0
    if member:
        bday = member.get("birthday")
        rate = Fraction(str(prog["earn_points_per_yuan"])) * Fraction(
            str(prog["tier_multipliers"][member["tier"]]))
        exact = []
        for i, ln in enumerate(lines):
            ms = list(cmult[i])
            for p in b.get("promotions") or []:
                if p["kind"] == "birthday_multiplier":
                    if bday and date.fromisoformat(bday).month == at.month:
                        ms.append(Fraction(str(p["multiplier"])))
                else:
                    s, e = _t(p.get("starts")), _t(p.get("ends"))
                    if (s is None or s <= at) and (e is None or at < e) and _in_scope(ln, p):
                        ms.append(Fraction(str(p["multiplier"])))
            exact.append(Fraction(net[i], 100) * rate * max(ms, default=Fraction(1)))
        total_earned, earned = allocate_exact(exact)

    return {
        "lines": [{"sku": ln["sku"], "qty": ln["qty"], "list_total": list_t[i],
                   "line_total": line_t[i], "coupon_discount": cdisc[i],
                   "points_discount": pdisc[i], "net": net[i], "points_earned": earned[i]}
                  for i, ln in enumerate(lines)],
        "subtotal": sum(list_t), "member_savings": sum(list_t) - sum(line_t),
        "coupon_discount": sum(cdisc), "applied_coupons": applied, "rejected_coupons": rejected,
        "points_redeemed": pts, "points_value": value, "points_capped": capped,
        "points_rejected": prej, "total_due": sum(net), "points_earned": total_earned,
    }

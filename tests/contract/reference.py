"""A deliberately naive second implementation of the quote contract, for checking the engine.

Works on the JSON basket directly, with Fractions throughout, and shares no code with
app.pricing or app.domain.allocation: its largest-remainder rounding (`_round_shares`) is
its own, written from the contract's words. Slow, and only for valid input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

TIERS = {"basic": "1.0", "silver": "1.2", "gold": "1.5", "black": "2.0"}


def _t(s: str | None) -> datetime | None:
    return None if s is None else datetime.fromisoformat(s)


def _in_scope(line: dict[str, Any], spec: dict[str, Any]) -> bool:
    cats, skus = spec.get("categories") or [], spec.get("skus") or []
    return (not cats and not skus) or line["category"] in cats or line["sku"] in skus


def _round_shares(total: int, shares: list[Fraction]) -> list[int]:
    """Whole parts of exact `shares` that sum to `total`: each share's floor, then one more
    unit to the shares with the largest fractional parts (the earlier on a tie)."""
    parts = [math.floor(s) for s in shares]
    ranked = sorted(range(len(shares)), key=lambda i: (parts[i] - shares[i], i))
    for i in ranked[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _split(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder)."""
    whole = sum(weights)
    if not total or not whole:
        return [0] * len(weights)
    return _round_shares(total, [Fraction(total * w, whole) for w in weights])


@dataclass
class _Basket:
    b: dict[str, Any]
    at: datetime
    member: dict[str, Any] | None
    lines: list[dict[str, Any]]
    list_t: list[int]
    line_t: list[int]
    net: list[int]
    cdisc: list[int]
    cmult: list[list[Fraction]]
    applied: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    any_blocking: bool = False


def _basket(b: dict[str, Any]) -> _Basket:
    member = b.get("member")
    lines = b["lines"]
    list_t = [ln["unit_price"] * ln["qty"] for ln in lines]
    line_t = [
        min(
            ln["unit_price"],
            ln.get("member_price") if ln.get("member_price") is not None else ln["unit_price"],
        )
        * ln["qty"]
        if member
        else list_t[i]
        for i, ln in enumerate(lines)
    ]
    n = len(lines)
    return _Basket(
        b,
        datetime.fromisoformat(b["at"]),
        member,
        lines,
        list_t,
        line_t,
        list(line_t),
        [0] * n,
        [[] for _ in range(n)],
    )


def _reject_reason(q: _Basket, c: dict[str, Any], scope: list[int], targets: list[int]) -> str | None:
    vf, vt = _t(c.get("valid_from")), _t(c.get("valid_to"))
    member_only = c.get("member_only", False) or c["kind"] == "points_multiplier"
    checks = [
        (c["code"] in {a["code"] for a in q.applied}, "duplicate"),
        (vf is not None and q.at < vf, "not_yet_valid"),
        (vt is not None and q.at > vt, "expired"),
        (member_only and not q.member, "member_only"),
        (bool(q.applied) and (q.any_blocking or not c.get("stackable", False)), "not_stackable"),
        (not scope or not targets, "no_eligible_lines"),
        (sum(q.net[i] for i in scope) < c.get("threshold", 0), "below_threshold"),
    ]
    return next((reason for failed, reason in checks if failed), None)


def _discount(q: _Basket, c: dict[str, Any], scope: list[int], targets: list[int]) -> int:
    base = sum(q.net[i] for i in scope)
    if c["kind"] == "amount_off":
        return int(min(c["amount"], base))
    if c["kind"] == "percent_off":
        d = int(Fraction(base) * Fraction(str(c["percent"])) / 100 + Fraction(1, 2))  # half up
        return min(d if c.get("cap") is None else min(d, c["cap"]), base)
    if c["kind"] == "free_gift":
        i = targets[0]
        return int(Fraction(q.net[i], q.lines[i]["qty"]) + Fraction(1, 2))
    for i in targets:  # points_multiplier: no money off
        q.cmult[i].append(Fraction(str(c["multiplier"])))
    return 0


def _coupons(q: _Basket) -> None:
    n = len(q.lines)
    for c in q.b.get("coupons") or []:
        scope = [i for i in range(n) if q.net[i] > 0 and _in_scope(q.lines[i], c)]
        targets = scope
        if c["kind"] == "free_gift":
            targets = [i for i in range(n) if q.lines[i]["sku"] == c["gift_sku"] and q.net[i] > 0][:1]
        reason = _reject_reason(q, c, scope, targets)
        if reason:
            q.rejected.append({"code": c["code"], "reason": reason})
            continue
        d = _discount(q, c, scope, targets)
        for i, p in zip(targets, _split(d, [q.net[i] for i in targets]), strict=True):
            q.net[i] -= p
            q.cdisc[i] += p
        q.applied.append({"code": c["code"], "discount": d})
        q.any_blocking = q.any_blocking or not c.get("stackable", False)


def _redeem(q: _Basket, prog: dict[str, Any]) -> tuple[int, int, bool, str | None]:
    """(points, value, capped, rejection)."""
    req = q.b.get("redeem_points", 0)
    step, ppy = prog["redeem_step"], prog["points_per_yuan_redeemed"]
    if not req:
        return 0, 0, False, None
    if not q.member:
        return 0, 0, False, "no_member"
    if req % step:
        return 0, 0, False, "bad_step"
    if req > q.member["points_balance"]:
        return 0, 0, False, "insufficient_points"
    limit = sum(q.net) * Fraction(str(prog["redeem_max_share"]))
    pts, capped = req, False
    while Fraction(pts * 100, ppy) > limit:  # walk down one step at a time
        pts -= step
        capped = True
    return pts, pts * 100 // ppy, capped, None


def _multiplier(q: _Basket, i: int) -> Fraction:
    ms = list(q.cmult[i])
    bday = q.member.get("birthday") if q.member else None
    for p in q.b.get("promotions") or []:
        if p["kind"] == "birthday_multiplier":
            if bday and date.fromisoformat(bday).month == q.at.month:
                ms.append(Fraction(str(p["multiplier"])))
            continue
        s, e = _t(p.get("starts")), _t(p.get("ends"))
        if (s is None or s <= q.at) and (e is None or q.at < e) and _in_scope(q.lines[i], p):
            ms.append(Fraction(str(p["multiplier"])))
    return max(ms, default=Fraction(1))


def _earn(q: _Basket, prog: dict[str, Any]) -> tuple[int, list[int]]:
    """The points earned in all (the exact sum rounded down once) and per line."""
    if not q.member:
        return 0, [0] * len(q.lines)
    tier = Fraction(str(prog["tier_multipliers"][q.member["tier"]]))
    rate = Fraction(str(prog["earn_points_per_yuan"])) * tier
    exact = [Fraction(q.net[i], 100) * rate * _multiplier(q, i) for i in range(len(q.lines))]
    total = math.floor(sum(exact, Fraction(0)))
    return total, _round_shares(total, exact)


def reference_quote(b: dict[str, Any]) -> dict[str, Any]:
    prog = {
        "earn_points_per_yuan": 1,
        "tier_multipliers": TIERS,
        "points_per_yuan_redeemed": 100,
        "redeem_step": 100,
        "redeem_max_share": "0.5",
        **(b.get("program") or {}),
    }
    q = _basket(b)
    _coupons(q)
    pts, value, capped, prej = _redeem(q, prog)
    pdisc = _split(value, q.net)
    for i, p in enumerate(pdisc):
        q.net[i] -= p
    total_earned, earned = _earn(q, prog)
    return {
        "lines": [
            {
                "sku": ln["sku"],
                "qty": ln["qty"],
                "list_total": q.list_t[i],
                "line_total": q.line_t[i],
                "coupon_discount": q.cdisc[i],
                "points_discount": pdisc[i],
                "net": q.net[i],
                "points_earned": earned[i],
            }
            for i, ln in enumerate(q.lines)
        ],
        "subtotal": sum(q.list_t),
        "member_savings": sum(q.list_t) - sum(q.line_t),
        "coupon_discount": sum(q.cdisc),
        "applied_coupons": q.applied,
        "rejected_coupons": q.rejected,
        "points_redeemed": pts,
        "points_value": value,
        "points_capped": capped,
        "points_rejected": prej,
        "total_due": sum(q.net),
        "points_earned": total_earned,
    }

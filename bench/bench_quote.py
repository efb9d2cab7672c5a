"""Benchmark the pricing engine: a 100-line basket, 50 promotions, 3 coupons.

Run: python bench/bench_quote.py [runs]. Prints p50/p99 milliseconds of price() alone and of
run_quote() (JSON parse + validation + price + render) on the same basket as JSON text.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.pricing.engine import price
from app.pricing.jsonio import parse_basket, run_quote

CATEGORIES = ["dairy", "produce", "bakery", "drinks", "snacks", "frozen", "household", "粮油"]


def build_basket_json(n_lines: int = 100, n_promotions: int = 50) -> dict[str, Any]:
    lines = []
    for i in range(n_lines):
        line: dict[str, Any] = {
            "sku": f"69{i:011d}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "unit_price": 199 + (i * 137) % 9000,
            "qty": 1 + i % 4,
        }
        if i % 3 == 0:
            line["member_price"] = line["unit_price"] - 50
        lines.append(line)
    promotions: list[dict[str, Any]] = []
    for j in range(n_promotions):
        promo: dict[str, Any] = {
            "id": f"P{j}",
            "kind": "points_multiplier",
            "multiplier": f"{1 + j % 4}.{j % 10}",
            "starts": "2026-11-01T00:00:00+08:00",
            "ends": "2026-12-01T00:00:00+08:00",
        }
        if j % 2:
            promo["categories"] = [CATEGORIES[j % len(CATEGORIES)]]
        else:
            promo["skus"] = [f"69{(j * 7 + k) % n_lines:011d}" for k in range(5)]
        promotions.append(promo)
    promotions.append({"id": "BDAY", "kind": "birthday_multiplier", "multiplier": "3"})
    coupons = [
        {
            "code": "DAIRY10",
            "kind": "percent_off",
            "percent": "10",
            "cap": 1500,
            "categories": ["dairy"],
            "stackable": True,
        },
        {
            "code": "SNACK5",
            "kind": "amount_off",
            "amount": 500,
            "threshold": 2000,
            "categories": ["snacks"],
            "stackable": True,
        },
        {"code": "ALL3", "kind": "percent_off", "percent": "3.5", "stackable": True},
    ]
    return {
        "at": "2026-11-22T10:30:00+08:00",
        "member": {"tier": "gold", "points_balance": 1_000_000, "birthday": "1990-11-03"},
        "lines": lines,
        "promotions": promotions,
        "coupons": coupons,
        "redeem_points": 20_000,
    }


def _percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49] * 1000, qs[98] * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    data = build_basket_json()
    text = json.dumps(data, ensure_ascii=False)
    basket = parse_basket(data)
    quote = price(basket)
    assert (
        quote.subtotal - quote.member_savings - quote.coupon_discount - quote.points_value == quote.total_due
    )
    print(
        f"basket: {len(basket.lines)} lines, {len(basket.promotions)} promotions, "
        f"{len(basket.coupons)} coupons ({len(quote.applied_coupons)} applied), "
        f"points {quote.points_redeemed} redeemed, {quote.points_earned} earned"
    )

    cases = (("price()", lambda: price(basket)), ("run_quote(json)", lambda: run_quote(text)))
    for label, fn in cases:
        for _ in range(50):
            fn()
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        p50, p99 = _percentiles(samples)
        worst = max(samples) * 1000
        print(f"{label:<16} runs={runs}  p50={p50:.3f} ms  p99={p99:.3f} ms  max={worst:.3f} ms")


if __name__ == "__main__":
    main()

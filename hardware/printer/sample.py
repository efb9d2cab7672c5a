"""A sample receipt: for printer tests, the benchmark and a printer's test page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.domain.receipt import Receipt, ReceiptLine, ReceiptPoints, ReceiptTotals

SAMPLE_ITEMS = (
    ("牛奶 Milk 1L", "6901234567892", 2, 1190),
    ("酸奶 Yogurt", "6902345678901", 1, 650),
    ("大米 5kg", "6903456789012", 1, 4590),
    ("红酒 Red wine", "6904567890123", 1, 12800),
    ("进口特级初榨橄榄油 Extra Virgin Olive Oil 750ml（西班牙）", "6905678901234", 3, 8950),
)


def sample_receipt(
    items: tuple[tuple[str, str, int, int], ...] = SAMPLE_ITEMS,
    feedback_url: str = "http://127.0.0.1:8000/f/0193f4c2-7a1e-7d3b-9c41-2f5e8a9b0c1d.Xq3vB9",
    language: str = "zh_CN",
    member: bool = True,
    receipt_no: str = "S001-T01-000042",
) -> Receipt:
    """A receipt with `items` as (name, sku, qty, unit price in fen)."""
    lines = tuple(
        ReceiptLine(
            name=n,
            sku=sku,
            qty=q,
            unit_price=p,
            line_total=q * p,
            discount=100 if i == 0 else 0,
            net=q * p - (100 if i == 0 else 0),
        )
        for i, (n, sku, q, p) in enumerate(items)
    )
    subtotal = sum(ln.line_total for ln in lines)
    total = subtotal - 100 - 200
    paid = (total // 10_000 + 1) * 10_000
    zh = language.startswith("zh")
    return Receipt(
        store_name="乐忠超市 · 演示店" if zh else "Loyalty Mart · Demo Store",
        store_address="上海市浦东新区世纪大道 100 号",
        store_phone="021-6000 0000",
        terminal_id="T01",
        receipt_no=receipt_no,
        sale_id="0193f4c2-7a1e-7d3b-9c41-2f5e8a9b0c1d",
        at=datetime(2026, 11, 22, 10, 30, 5, tzinfo=timezone(timedelta(hours=8))),
        cashier="李娜" if zh else "Li Na",
        lines=lines,
        totals=ReceiptTotals(
            subtotal=subtotal,
            member_savings=200,
            coupon_discount=100,
            points_value=0,
            total_due=total,
            paid=paid,
            change_due=paid - total,
            payments=(("cash", paid),),
        ),
        coupons=(("WELCOME10", 100),),
        member="138****8000" if member else None,
        points=ReceiptPoints(
            earned=total // 100,
            redeemed=0,
            balance=12_345,
            expiring_soon=300,
            tier="silver",
            tier_progress="再消费 ¥1,240.00 升级金卡" if zh else "¥1,240.00 more to Gold",
        )
        if member
        else None,
        feedback_url=feedback_url,
        footer=("谢谢惠顾，欢迎再次光临",) if zh else ("Thank you for shopping with us",),
        language=language,
    )

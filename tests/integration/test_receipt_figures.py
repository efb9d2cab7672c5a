"""Printed receipts on a real till: the amounts add up, reprints say COPY, an English till
prints English, the welcome slip labels the card and says what the coupon is worth."""

from __future__ import annotations

import re
from typing import Any

from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.context import TillContext
from app.services.members import RegisterMember, register_member
from app.services.receipts import receipt_for
from hardware.printer.document import compose
from hardware.printer.escpos_render import EscposOptions, render_escpos
from ui.services import TillServices, new_sale_id, welcome_slip

MILK, RICE, WINE = "6901234567892", "6903456789012", "6904567890123"
AMOUNT = re.compile(r"(-?)[￥]?(\d[\d,]*\.\d\d)\s*$")


def _fen(line: str) -> int:
    m = AMOUNT.search(line)
    assert m, line
    return (-1 if m.group(1) else 1) * int(m.group(2).replace(",", "").replace(".", ""))


def _member_sale(till: TillContext, staff: dict[str, Any]) -> str:
    reg = register_member(
        till, RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id)
    )
    complete_sale(
        till,
        CompleteSale(
            new_sale_id(),
            staff["cashier"].id,
            Cart((CartLine(WINE, 10),), member_id=reg.member.id),
            (Tender("card", 128_000),),
        ),
    )
    cart = Cart(
        (CartLine(MILK, 2), CartLine(RICE, 1)),
        member_id=reg.member.id,
        coupon_codes=(reg.welcome_coupon or "",),
        redeem_points=500,
    )
    done = complete_sale(
        till, CompleteSale(new_sale_id(), staff["cashier"].id, cart, (Tender("cash", 10_000),))
    )
    return done.receipt_no


def test_the_printed_amounts_add_up(till: TillContext, staff, products) -> None:  # type: ignore[no-untyped-def]
    receipt = receipt_for(till, _member_sale(till, staff), language="zh_CN")
    lines = compose(receipt, 80).text_lines()
    items = [ln for ln in lines if ln.startswith(("牛奶", "大米"))]
    assert len(items) == 2
    subtotal = _fen(next(ln for ln in lines if ln.startswith("小计")))
    assert subtotal == sum(_fen(ln) for ln in items) == 2 * 1190 + 4590  # at member prices
    coupon = _fen(next(ln for ln in lines if ln.startswith("优惠券")))
    points = _fen(next(ln for ln in lines if ln.startswith("积分抵扣")))
    total = _fen(next(ln for ln in lines if ln.startswith("应付")))
    assert subtotal + coupon + points == total == receipt.totals.total_due
    saved = next(ln for ln in lines if ln.startswith("会员价已为您节省"))
    assert _fen(saved) == receipt.totals.member_savings == 2 * 100 + 400  # said, not taken off again
    assert not any("COPY" in ln for ln in lines)


def test_a_reprint_is_marked_copy(till: TillContext, staff, products, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hardware.printer.printers import FilePrinter

    no = _member_sale(till, staff)
    services = TillServices(till, FilePrinter(tmp_path, EscposOptions()))
    services.print_sale(no)
    first = (tmp_path / f"{no}.bin").read_bytes()
    services.print_sale(no, copy=True)
    again = (tmp_path / f"{no}.bin").read_bytes()
    assert "COPY / 重印".encode("gb18030") not in first
    assert "COPY / 重印".encode("gb18030") in again


def test_an_english_till_prints_english(till: TillContext, staff, products) -> None:  # type: ignore[no-untyped-def]
    receipt = receipt_for(till, _member_sale(till, staff), language="en")
    text = "\n".join(compose(receipt, 80, chinese=True).text_lines())
    assert "Milk 1L" in text and "Rice 5kg" in text and "牛奶" not in text and "大米" not in text
    assert "Subtotal" in text and "TOTAL" in text and "应付" not in text
    assert receipt.store_name == till.config.store.name_en
    ascii_only = render_escpos(receipt, EscposOptions(chinese=False))
    assert b"Milk 1L" in ascii_only and b"RMB" in ascii_only


def test_the_welcome_slip_labels_the_card_and_the_coupon(till: TillContext, staff) -> None:  # type: ignore[no-untyped-def]
    reg = register_member(
        till, RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id)
    )
    slip = welcome_slip(till.config, reg, till.now())
    lines = compose(slip, 80).text_lines()
    assert f"会员卡号: {reg.member.card_no}" in lines
    assert not any(ln.startswith("单号") for ln in lines)
    coupon = next(c for c in reg.member.coupons if c.code == reg.welcome_coupon)
    worth = [ln for ln in lines if "有效期至" in ln]
    assert worth and "减" in worth[0] and coupon.valid_to.strftime("%Y-%m") in worth[0]

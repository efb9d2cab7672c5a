"""Refunds at the counter: what is left per line, the preview, the reason kept and sent, and the
printed refund slip and X/Z reports (laid out, as PNG, and as ESC/POS bytes over TCP)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from app.config import PrinterConfig
from app.domain.ids import RefundId, new_id
from app.services.context import TillContext
from app.services.errors import Invalid
from app.services.refunds import (
    OverRefund,
    RefundSale,
    preview_refund,
    refund_sale,
    refundable_lines,
)
from app.services.shifts import close_shift, open_shift, x_report
from app.services.slips import refund_slip, report_slip
from app.store import orm
from hardware.printer.document import compose
from hardware.printer.factory import make_printer
from hardware.printer.png_render import render_png
from tests.integration.conftest import MILK, RICE, WINE, register, sell
from tests.integration.test_printer_support import FakeNetworkPrinter, parse, printed_lines, text_only

pytestmark = pytest.mark.usefixtures("products")

# Set to a folder to keep the rendered slips for looking at (they go to tmp_path otherwise).
PNG_DIR = os.environ.get("LT_SLIP_PNG_DIR")


@pytest.fixture
def fake_printer() -> Iterator[FakeNetworkPrinter]:
    p = FakeNetworkPrinter()
    yield p
    p.close()


def _refund(till: TillContext, staff: dict[str, Any], ref: str, lines: dict[int, int], **kw: Any) -> Any:
    return refund_sale(
        till,
        RefundSale(
            refund_id=RefundId(new_id()),
            sale_ref=ref,
            lines=lines,
            cashier_id=staff["cashier"].id,
            approver_id=staff["supervisor"].id,
            approver_pin="5678",
            **kw,
        ),
    )


def _png(receipt: Any, tmp_path: Path, name: str, paper: int = 80, chinese: bool = True) -> Path:
    out = Path(PNG_DIR) if PNG_DIR else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    path.write_bytes(render_png(receipt, paper_mm=paper, chinese=chinese))
    with Image.open(path) as img:
        assert img.width in (384, 576) and img.height > 300
    return path


def test_a_sale_reopened_after_a_partial_refund_shows_what_is_left(till: TillContext, staff) -> None:  # type: ignore[no-untyped-def]
    done = sell(till, staff, ((MILK, 2), (WINE, 1)))
    _refund(till, staff, done.receipt_no, {1: 1}, reason="damaged")
    sale_id, lines = refundable_lines(till, done.receipt_no)
    assert sale_id == done.sale_id
    assert [(ln.line_no, ln.sold, ln.refunded, ln.left) for ln in lines] == [(1, 2, 1, 1), (2, 1, 0, 1)]
    with pytest.raises(OverRefund) as over:
        preview_refund(till, done.receipt_no, {1: 2})
    assert over.value.item.startswith("牛奶") and over.value.left == 1 and over.value.line_no == 1
    assert "牛奶" in over.value.message and "only 1 of 2 left" in over.value.message


def test_the_preview_is_what_the_refund_gives_back(till: TillContext, staff) -> None:  # type: ignore[no-untyped-def]
    reg = register(till, staff)
    coupon = reg.welcome_coupon or ""
    done = sell(till, staff, ((MILK, 3), (RICE, 1)), member_id=reg.member.id, coupons=(coupon,))
    preview = preview_refund(till, done.receipt_no, {1: 3, 2: 1})
    assert preview.full and preview.coupons_returned == (reg.welcome_coupon,)
    with till.uow(write=False) as uow:  # nothing was written
        assert uow.session.execute(select(orm.Refund)).first() is None
    refunded = _refund(till, staff, done.receipt_no, {1: 3, 2: 1}, reason="other", reason_note="box was open")
    assert (refunded.money, refunded.points_reversed, refunded.coupons_returned) == (
        preview.money,
        preview.points_reversed,
        preview.coupons_returned,
    )
    assert preview.money == done.total_due


def test_the_reason_is_stored_and_sent(till: TillContext, staff) -> None:  # type: ignore[no-untyped-def]
    done = sell(till, staff, ((MILK, 2),))
    r = _refund(till, staff, done.receipt_no, {1: 1}, reason="other", reason_note="  the cap leaks ")
    with till.uow(write=False) as uow:
        row = uow.session.get_one(orm.Refund, r.refund_id)
        assert (row.reason, row.reason_note) == ("other", "the cap leaks")
        stored = uow.session.execute(
            select(orm.OutboxEvent.payload).where(orm.OutboxEvent.type == "refund.completed")
        ).scalar_one()
    payload = stored if isinstance(stored, dict) else json.loads(stored)
    assert (payload["reason"], payload["reason_note"]) == ("other", "the cap leaks")
    # "other" without words, and a code not on the list with words, as callers before the list
    with pytest.raises(Invalid, match="few words"):
        _refund(till, staff, done.receipt_no, {1: 1}, reason="other")
    r2 = _refund(till, staff, done.receipt_no, {1: 1}, reason="customer changed mind")
    with till.uow(write=False) as uow:
        row = uow.session.get_one(orm.Refund, r2.refund_id)
        assert (row.reason, row.reason_note) == ("other", "customer changed mind")


def test_refund_slip_in_chinese_and_english(till: TillContext, staff, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reg = register(till, staff)
    done = sell(till, staff, ((MILK, 2), (WINE, 1)), member_id=reg.member.id)
    r = _refund(till, staff, done.receipt_no, {1: 1, 2: 1}, reason="damaged", reason_note="瓶子破了")
    zh = refund_slip(till, r.refund_id, "zh_CN")
    text = "\n".join(compose(zh, 80).text_lines())
    assert "退货单" in text and "原单号" in text and done.receipt_no in text
    assert zh.receipt_no.startswith("R-") and f"退款单号: {zh.receipt_no}" in text
    assert "退款合计" in text and "￥" + f"{r.money / 100:,.2f}" in text
    assert "扣回积分" in text and f"-{r.points_reversed:,}" in text
    assert "商品损坏" in text and "瓶子破了" in text and "Wang Wei" in text and "顾客签名" in text
    # the refund's time in the store's zone (Asia/Shanghai), not UTC
    with till.uow(write=False) as uow:
        at = uow.session.get_one(orm.Refund, r.refund_id).at
    local = at.astimezone(till.tz)
    assert f"{local:%Y-%m-%d %H:%M}" in text and local.utcoffset() is not None
    # the items add up to the refund total
    assert sum(ln.line_total for ln in zh.lines) == r.money
    en = refund_slip(till, r.refund_id, "en")
    lines = compose(en, 58, chinese=False).text_lines()
    assert all(line.isascii() and len(line) <= 32 for line in lines)
    english = "\n".join(lines)
    assert "REFUND" in english and "Damaged" in english and "Original receipt" in english
    assert "Milk 1L" in english and "Red wine" in english
    assert "瓶子" not in english  # a Chinese note is not printed half in ASCII
    _png(zh, tmp_path, "refund-slip-zh_CN-80")
    _png(en, tmp_path, "refund-slip-en-58", paper=58, chinese=False)


def test_x_and_z_reports_print_the_shift_figures(till: TillContext, staff, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shift = open_shift(till, staff["cashier"].id, 20_000)
    done = sell(till, staff, ((MILK, 2),), shift_id=shift)
    sell(till, staff, ((RICE, 1),), shift_id=shift)
    _refund(till, staff, done.receipt_no, {1: 1}, reason="quality", shift_id=shift)
    x = x_report(till, shift)
    text = "\n".join(compose(report_slip(till, x, "Li Na", "zh_CN"), 80).text_lines())
    assert "X 报表" in text and "销售笔数" in text and "应有现金" in text
    assert f"￥{x.expected_cash / 100:,.2f}" in text and f"￥{x.gross / 100:,.2f}" in text
    assert "实点现金" not in text  # not counted yet
    z = close_shift(till, shift, staff["cashier"].id, x.expected_cash - 100)
    zslip = report_slip(till, z, "Li Na", "en")
    lines = compose(zslip, 58, chinese=False).text_lines()
    english = "\n".join(lines)
    assert all(len(line) <= 32 for line in lines)
    assert "Z REPORT" in english and f"Z{z.z_no:04d}" in english
    assert "Over / short" in english and "-RMB 1.00" in english
    assert "Cash counted" in english and "Refunds" in english
    assert f"{z.opened_at:%Y-%m-%d %H:%M}" in english  # local times, as on screen
    _png(report_slip(till, x, "Li Na", "zh_CN"), tmp_path, "x-report-zh_CN-80")
    _png(zslip, tmp_path, "z-report-en-58", paper=58, chinese=False)


def test_refund_slip_and_z_report_reach_a_network_printer(  # type: ignore[no-untyped-def]
    till: TillContext, staff, tmp_path: Path, fake_printer: FakeNetworkPrinter
) -> None:
    shift = open_shift(till, staff["cashier"].id, 0)
    done = sell(till, staff, ((WINE, 1),), shift_id=shift)
    r = _refund(till, staff, done.receipt_no, {1: 1}, reason="wrong_item", shift_id=shift)
    z = close_shift(till, shift, staff["cashier"].id, 0)
    printer = make_printer(
        PrinterConfig(kind="network", host="127.0.0.1", port=fake_printer.port, timeout_s=2.0), tmp_path
    )
    printer.print_receipt(refund_slip(till, r.refund_id, "zh_CN"))
    printer.print_receipt(report_slip(till, z, "Li Na", "zh_CN"))
    slip, report = fake_printer.wait_jobs(2)
    for data in (slip, report):
        p = parse(data)  # fails on any stray command byte
        assert b"\x1dV" in p.commands and p.qr_data == []  # cut, and no feedback QR
        for line in printed_lines(text_only(data)):
            assert sum(2 if ord(c) > 0x7F else 1 for c in line) <= 48, line
    slip_text = "\n".join(parse(slip).chinese)
    assert "退货单" in slip_text and "拿错商品" in slip_text and "红酒" in slip_text
    assert "Z 报表" in "\n".join(parse(report).chinese)

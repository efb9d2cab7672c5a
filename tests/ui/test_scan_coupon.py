"""A bearer coupon (a `B…` code, as the demo and HQ hand out) typed into the scan field is
applied to the sale, not looked up as a product barcode."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.domain.coupons import BEARER_PREFIX, new_coupon_code
from app.domain.scan import ScanKind, classify_scan
from app.services.context import TillContext
from sync.apply import apply_page
from sync.protocol import Change
from tests.sync.conftest import coupon_data
from tests.ui.cashier import WAIT_MS, priced, sign_in, type_enter
from ui.main_window import MainWindow

MILK = "6901234567892"


@pytest.fixture
def window(qtbot: QtBot, services, staff, products) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.start()
    return w


def _bearer_coupon(till: TillContext) -> str:
    """A bearer coupon of 5 yuan off, pulled from the server as any HQ coupon is."""
    code = new_coupon_code(BEARER_PREFIX)
    data = coupon_data(
        code, amount=500, valid_from="2026-01-01T00:00:00+00:00", valid_to="2027-12-31T00:00:00+00:00"
    )
    report = apply_page(till, [Change(seq=1, entity="coupon", op="upsert", key=data["id"], data=data)], 1)
    assert report.applied == 1, report.problems
    return code


@pytest.mark.parametrize("typed", [str.upper, str.lower])
def test_a_bearer_coupon_typed_into_the_scan_field_is_applied(
    qtbot: QtBot, window: MainWindow, till: TillContext, typed: object
) -> None:
    code = _bearer_coupon(till)
    assert classify_scan(code).kind is ScanKind.COUPON
    sign_in(qtbot, window)
    co = window.checkout
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(window), timeout=WAIT_MS)

    type_enter(qtbot, co.scan, typed(code))  # type: ignore[operator]
    qtbot.waitUntil(
        lambda: priced(window) and co.state.priced.quote.coupon_discount == 500,  # type: ignore[union-attr]
        timeout=WAIT_MS,
    )
    assert co.state.coupons == [code]
    assert [ln.sku for ln in co.state.lines] == [MILK]  # not taken for a product

"""The checkout fits the three common till screens: with a member identified and a cart
longer than the table, every visible button and the total lie inside the window, the
window inside the screen, no button is squeezed below its text or below 44 px, and no two
buttons overlap. Checked in English and in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.services.context import TillContext
from app.services.members import RegisterMember, register_member
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.i18n import Languages, ensure_qm
from ui.main_window import MainWindow

SCREENS = [(1024, 768), (1366, 768), (1920, 1080)]
TITLE_BAR = 32  # what a window manager's title bar takes from a maximized window
EXTRA = 24  # products beyond the fixture's, so the cart is longer than its table


def _more_products(till: TillContext) -> list[str]:
    from app.domain.ids import new_id
    from app.store import orm

    skus = [f"69100000{i:05d}" for i in range(EXTRA)]
    with till.uow() as uow:
        for i, sku in enumerate(skus):
            uow.session.add(
                orm.Product(
                    id=new_id(),
                    sku=sku,
                    name_zh=f"进口有机燕麦片 Oat flakes {i} 1kg",
                    name_en=f"Imported organic oat flakes {i} 1kg",
                    category="grain",
                    unit_price=2590 + i,
                    member_price=2290 + i,
                    active=True,
                )
            )
        uow.commit()
    return skus


def _rect_in(w: QWidget, top: QWidget) -> QRect:
    return QRect(w.mapTo(top, QPoint(0, 0)), w.size())


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_checkout_with_a_member_and_a_full_cart_fits_the_screen(  # type: ignore[no-untyped-def]
    qtbot: QtBot, tmp_path: Path, services, till, staff, products, size, language
) -> None:
    skus = [*products, *_more_products(till)]
    register_member(
        till,
        RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id, name="Chen"),
    )
    languages = Languages(ensure_qm(tmp_path / "qm"), language)
    languages.apply(language)
    w = MainWindow(services, languages)
    qtbot.addWidget(w)
    screen = QRect(0, 0, size[0], size[1])
    w.resize(size[0], size[1] - TITLE_BAR)
    w.show()
    try:
        sign_in(qtbot, w)
        co = w.checkout
        for sku in skus:
            type_enter(qtbot, co.scan, sku)
        type_enter(qtbot, co.scan, "13800138000")
        qtbot.waitUntil(lambda: co.state.member is not None and priced(w), timeout=WAIT_MS)
        key(qtbot, co.scan, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # the welcome coupon
        qtbot.waitUntil(lambda: priced(w) and bool(co.state.coupons), timeout=WAIT_MS)
        qtbot.keyClicks(co.scan, "5000")
        key(qtbot, co.scan, Qt.Key.Key_F8)  # a cash payment: the change line shows
        QApplication.processEvents()
        assert len(co.state.lines) == len(skus) and co.change_label.isVisible()

        assert (w.width(), w.height()) == (size[0], size[1] - TITLE_BAR), "the window grew"
        assert screen.contains(QRect(0, 0, w.width(), w.height() + TITLE_BAR))
        inside = w.rect()
        buttons = [b for b in co.findChildren(QPushButton) if b.isVisibleTo(w)]
        assert len(buttons) >= 19  # the bar, the tenders, the quick cash, pay, the coupon
        shown = [co.total_due, co.change_label, co.message, co.scan, co.tender_label, *buttons]
        for widget in shown:
            r = _rect_in(widget, w)
            assert inside.contains(r), (
                f"{widget.objectName()} {widget.text() if hasattr(widget, 'text') else ''!r} "
                f"at {r} is outside {inside}"
            )
        for b in buttons:
            assert b.height() >= 44, f"{b.text()!r} is {b.height()} px high"
            assert b.width() >= b.minimumSizeHint().width(), f"{b.text()!r} is clipped"
        assert co.total_due.width() >= co.total_due.sizeHint().width(), "the total is clipped"
        rects = [(b.text(), _rect_in(b, w)) for b in buttons]
        for i, (ta, ra) in enumerate(rects):
            for tb, rb in rects[i + 1 :]:
                assert not ra.intersects(rb), f"{ta!r} overlaps {tb!r}"
        status = _rect_in(w.statusBar(), w)
        assert inside.contains(status) and status.height() > 0
    finally:
        languages.apply("en")


def _fits(dialog: QWidget, frame: QRect) -> None:
    """Every visible button of `dialog` lies inside it (those in a scroll area inside its
    width: the area scrolls up and down), is at least 44 px high, not squeezed below its
    text, and overlaps no other; the dialog lies inside `frame`."""
    from PySide6.QtWidgets import QScrollArea

    assert frame.contains(QRect(dialog.mapTo(dialog.window(), QPoint(0, 0)), dialog.size())) or (
        dialog.width() <= frame.width() and dialog.height() <= frame.height()
    ), f"{dialog.objectName()} {dialog.size()} is larger than {frame.size()}"
    inside = dialog.rect()
    areas = dialog.findChildren(QScrollArea)
    buttons = [b for b in dialog.findChildren(QPushButton) if b.isVisibleTo(dialog)]
    assert buttons
    outside_areas = []
    for b in buttons:
        r = _rect_in(b, dialog)
        area = next((a for a in areas if a.isAncestorOf(b)), None)
        if area is None:
            assert inside.contains(r), f"{b.text()!r} at {r} is outside {inside}"
            outside_areas.append((b.text(), r))
        else:
            view = _rect_in(area.viewport(), dialog)
            assert view.left() <= r.left() and r.right() <= view.right(), f"{b.text()!r} is cut at the side"
        assert b.height() >= 44, f"{b.text()!r} is {b.height()} px high"
        assert b.width() >= b.minimumSizeHint().width(), f"{b.text()!r} is clipped"
    for i, (ta, ra) in enumerate(outside_areas):
        for tb, rb in outside_areas[i + 1 :]:
            assert not ra.intersects(rb), f"{ta!r} overlaps {tb!r}"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_refund_dialog_fits_1024x768(  # type: ignore[no-untyped-def]
    qtbot: QtBot, tmp_path: Path, services, till, staff, products, language
) -> None:
    from PySide6.QtWidgets import QLabel

    from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
    from ui.refund_dialog import RefundDialog
    from ui.services import new_sale_id

    skus = [*products, *_more_products(till)][:10]
    done = complete_sale(
        till,
        CompleteSale(
            new_sale_id(),
            staff["cashier"].id,
            Cart(tuple(CartLine(sku, 2) for sku in skus)),
            (Tender("cash", 10_000_000),),
        ),
    )
    languages = Languages(ensure_qm(tmp_path / "qm"), language)
    languages.apply(language)
    w = MainWindow(services, languages)
    qtbot.addWidget(w)
    size = (1024, 768)
    w.resize(size[0], size[1] - TITLE_BAR)
    w.show()
    try:
        sign_in(qtbot, w)
        co = w.checkout
        key(qtbot, co.scan, Qt.Key.Key_F6)
        d = co.dialog
        assert isinstance(d, RefundDialog)
        type_enter(qtbot, d.ref, done.receipt_no)
        qtbot.waitUntil(lambda: d.sale is not None, timeout=WAIT_MS)
        d.qty[0].setValue(1)
        d.reason.setCurrentIndex(d.reason.count() - 1)  # other: the note's placeholder changes
        qtbot.waitUntil(lambda: d.preview is not None, timeout=WAIT_MS)
        QApplication.processEvents()
        _fits(d, QRect(0, 0, size[0], size[1] - TITLE_BAR))
        assert d.lines.horizontalScrollBar().maximum() == 0, "the lines are wider than the dialog"
        for label in [d.preview_label, d.message, d.sale_label, *d.lines.findChildren(QLabel)]:
            if label.isVisibleTo(d) and label.text() and not label.wordWrap():
                assert label.width() >= label.sizeHint().width(), f"{label.text()!r} is clipped"
        assert _rect_in(d.preview_label, d).bottom() < _rect_in(d.ok, d).top()
    finally:
        languages.apply("en")

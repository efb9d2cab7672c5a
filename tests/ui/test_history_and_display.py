"""The member's purchase history from the member panel (lines on selection), and the
customer display following the checkout: lines, total, masked member, points, change due,
then the thanks, in the store's language whatever the cashier's screen shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.members import RegisterMember, register_member
from tests.integration.conftest import FEEDBACK_BASE, mark_enrolled, sell
from tests.ui.cashier import WAIT_MS, key, priced, sign_in, type_enter
from ui.display_text import mask_name
from ui.main_window import MainWindow

MILK, RICE, YOGURT = "6901234567892", "6903456789012", "6902345678901"
PHONE = "13800138000"
CTRL = Qt.KeyboardModifier.ControlModifier


def _window(qtbot: QtBot, services) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    w.start()
    sign_in(qtbot, w)
    return w


def test_purchase_history_from_the_member_panel(qtbot: QtBot, services, till, staff, products, clock) -> None:  # type: ignore[no-untyped-def]
    reg = register_member(
        till, RegisterMember(phone=PHONE, consent_given=True, staff_id=staff["cashier"].id, name="Chen")
    )
    sell(till, staff, ((MILK, 2),), member_id=reg.member.id)
    clock.advance(hours=2)
    sell(till, staff, ((RICE, 1), (YOGURT, 3)), member_id=reg.member.id)
    w = _window(qtbot, services)
    co = w.checkout
    key(qtbot, co.scan, Qt.Key.Key_H, CTRL)  # no member yet
    assert co.dialog is None and "Identify the member first" in co.message.text()
    type_enter(qtbot, co.scan, PHONE)
    qtbot.waitUntil(lambda: co.state.member is not None and co.panel.history.isVisible(), timeout=WAIT_MS)
    qtbot.mouseClick(co.panel.history, Qt.MouseButton.LeftButton)
    dialog = co.dialog
    assert dialog is not None and dialog.objectName() == "history"
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=WAIT_MS)
    assert "4 items" in dialog.list.item(0).text()  # the newest first
    assert [dialog.lines.item(i).text().split("   ")[0] for i in range(dialog.lines.count())] == [
        "大米 5kg",
        "酸奶 Yogurt",
    ]
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    assert dialog.lines.count() == 1 and "× 2" in dialog.lines.item(0).text()
    assert "2 visits" in dialog.summary.text()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: co.dialog is None, timeout=WAIT_MS)


def test_the_customer_display_follows_the_sale(qtbot: QtBot, services, till, staff, products) -> None:  # type: ignore[no-untyped-def]
    register_member(
        till, RegisterMember(phone=PHONE, consent_given=True, staff_id=staff["cashier"].id, name="陈小明")
    )
    w = _window(qtbot, services)
    co = w.checkout
    key(qtbot, co.scan, Qt.Key.Key_M, CTRL)
    display = co.customer_display
    assert display is not None and display.isVisible() and display.isWindow()
    assert display.welcome.text() == "欢迎光临"  # the store's language (zh_CN)
    type_enter(qtbot, co.scan, MILK)
    type_enter(qtbot, co.scan, MILK)
    type_enter(qtbot, co.scan, PHONE)
    qtbot.waitUntil(lambda: co.state.member is not None and priced(w), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: display.total.text() == "应付 ¥23.80", timeout=WAIT_MS)
    assert display.lines.count() == 1 and "× 2" in display.lines.item(0).text()
    assert display.member.text() == "会员 138****8000 · 陈**"
    assert "13800138000" not in display.member.text() and "小明" not in display.member.text()
    assert display.savings.text() == "共节省 ¥2.00"
    assert display.points.text().startswith("本单积分 +23")
    qtbot.keyClicks(co.scan, "50")
    key(qtbot, co.scan, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: display.change.text() == "找零 ¥26.20", timeout=WAIT_MS)
    assert display.paid.text() == "已收 ¥50.00"
    key(qtbot, co.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: co.last_sale is not None and not co.state.lines, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "谢谢惠顾" in display.thanks.text(), timeout=WAIT_MS)
    assert "找零 ¥26.20" in display.thanks.text() and "23" in display.thanks.text()
    key(qtbot, co.scan, Qt.Key.Key_L, CTRL)  # the cashier reads English; the customer still Chinese
    assert display.welcome.text() == "欢迎光临"
    key(qtbot, co.scan, Qt.Key.Key_M, CTRL)
    assert co.customer_display is None


def _decode(pixmap) -> list[str]:  # type: ignore[no-untyped-def]
    import numpy as np

    from hardware.scanner.decode import FrameDecoder

    image = pixmap.toImage().convertToFormat(pixmap.toImage().Format.Format_Grayscale8)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    gray = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(height, stride)[:, :width].copy()
    return [d.payload for d in FrameDecoder().decode(gray)]


def test_the_display_shows_the_sales_feedback_qr_once_the_till_is_enrolled(
    qtbot: QtBot, services, till, staff, products
) -> None:  # type: ignore[no-untyped-def]
    w = _window(qtbot, services)
    co = w.checkout
    key(qtbot, co.scan, Qt.Key.Key_M, CTRL)
    display = co.customer_display
    assert display is not None
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(w), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: "谢谢惠顾" in display.thanks.text(), timeout=WAIT_MS)
    assert not display.qr.isVisible()  # never enrolled: such a QR could not work; the hint only
    assert display.feedback.text() == "扫描小票二维码评价，赢积分"
    mark_enrolled(till)
    type_enter(qtbot, co.scan, MILK)
    qtbot.waitUntil(lambda: priced(w), timeout=WAIT_MS)
    key(qtbot, co.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: display.qr.isVisible(), timeout=WAIT_MS)
    last = co.last_sale
    assert last is not None and last.feedback_url.startswith(FEEDBACK_BASE)
    assert display.feedback.text() == "扫码评价本次购物，赢积分"
    assert _decode(display.qr.pixmap()) == [last.feedback_url]  # what a phone reads off the screen
    type_enter(qtbot, co.scan, MILK)  # the next sale begins: the QR goes
    qtbot.waitUntil(lambda: not display.qr.isVisible(), timeout=WAIT_MS)


def test_names_are_masked() -> None:
    assert mask_name("陈小明") == "陈**"
    assert mask_name("Chen") == "C***"
    assert mask_name("李") == "李*"
    assert mask_name(None) == "" and mask_name("  ") == ""

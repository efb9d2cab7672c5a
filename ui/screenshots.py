"""Pictures of every main screen, offscreen, in both languages (``till screenshots DIR``).

The screens are driven the way a cashier drives them (keys into the focused field), on a
till whose home the caller has filled with demo data; nothing here seeds or reads the store
directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from ui.i18n import QM_DIR_NAME, Languages, ensure_qm
from ui.main_window import MainWindow
from ui.ops import in_flight

SIZES = ((1024, 768), (1366, 768), (1920, 1080))  # the common till screens


@dataclass(frozen=True, slots=True)
class Script:
    """What to show: who signs in, which member, which items."""

    cashier: tuple[str, str]
    member_phone: str
    skus: tuple[str, ...]


def settle(until: Callable[[], bool] = lambda: True, timeout_s: float = 15.0) -> None:
    """Run the event loop until the background work is delivered and `until()` holds."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if in_flight() == 0 and until():
            QCoreApplication.processEvents()
            return
        time.sleep(0.01)
    raise TimeoutError("the screen did not settle")


def _type(field: QWidget, text: str, enter: bool = True) -> None:
    QTest.keyClicks(field, text)
    if enter:
        QTest.keyClick(field, Qt.Key.Key_Return)
    settle()


def _find_sale(dialog: Any, ref: str) -> None:
    _type(dialog.ref, ref)
    settle(lambda: dialog.receipt is not None or bool(dialog.message.text()))


def _refund_ready(dialog: Any, ref: str) -> None:
    """The refund as a cashier has it just before the supervisor's PIN: a sale found, its
    first line chosen, a reason, the preview of what is given back."""
    _find_sale(dialog, ref)
    if dialog.qty:
        dialog.qty[0].setValue(dialog.qty[0].maximum())
    dialog.reason.setCurrentIndex(1)
    settle(lambda: dialog.preview is not None or not dialog.lines.chosen())


def _save(widget: QWidget, path: Path) -> Path:
    settle()
    widget.grab().save(str(path))
    return path


def render_screens(
    home: Path, out: Path, script: Script, sizes: tuple[tuple[int, int], ...] = SIZES
) -> list[Path]:
    """Render login, checkout, the customer display, price change, purchase history, new
    member, refund and shift close, zh_CN then en, at each screen size (the window full
    screen; ``NAME-LANG-WxH.png``)."""
    from hardware.printer.factory import make_printer
    from ui.app import style_app
    from ui.services import open_services

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    style_app(app)
    out.mkdir(parents=True, exist_ok=True)
    services, close = open_services(home, make_printer)
    languages = Languages(ensure_qm(home / QM_DIR_NAME), "zh_CN")
    made: list[Path] = []
    try:
        for lang in ("zh_CN", "en"):
            languages.apply(lang)
            for size in sizes:
                made += _render_language(MainWindow(services, languages), out, lang, script, size)
    finally:
        languages.apply("en")
        close()
    return made


def _counter_screens(w: MainWindow, out: Path, lang: str) -> list[Path]:
    """The customer display, the price change (on the last line) and the member's history."""
    co = w.checkout
    made = []
    QTest.keyClick(co.scan, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    settle(lambda: co.customer_display is not None)
    display = co.customer_display
    assert display is not None
    display.resize(1024, 600)
    made.append(_save(display, out / f"customer-display-{lang}.png"))
    QTest.keyClick(co.scan, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)  # closed again
    for shortcut, name, prepare in (
        (Qt.Key.Key_D, "price-change", lambda d: _type(d.value, "10", enter=False)),
        (Qt.Key.Key_H, "history", lambda d: settle(lambda: d.list.count() > 0 or bool(d.message.text()))),
    ):
        QTest.keyClick(co.scan, shortcut, Qt.KeyboardModifier.ControlModifier)
        settle()
        dialog = co.dialog
        assert dialog is not None, name
        prepare(dialog)  # type: ignore[no-untyped-call]
        made.append(_save(dialog, out / f"{name}-{lang}.png"))
        dialog.reject()  # type: ignore[attr-defined]
        settle()
    return made


def _render_language(
    w: MainWindow, out: Path, lang: str, script: Script, size: tuple[int, int]
) -> list[Path]:
    made = []
    language = lang
    lang = f"{lang}-{size[0]}x{size[1]}"
    w.resize(*size)
    w.show()
    w.status.poll()
    settle()
    made.append(_save(w, out / f"login-{lang}.png"))
    login, pin = script.cashier
    _type(w.login.login, login)
    _type(w.login.pin, pin)
    settle(lambda: w.login.pages.currentIndex() == 1 or w.pages.currentWidget() is w.checkout)
    if w.pages.currentWidget() is not w.checkout:
        made.append(_save(w, out / f"shift-open-{lang}.png"))
        _type(w.login.float_field, "", enter=True)
    settle(lambda: w.pages.currentWidget() is w.checkout)
    co = w.checkout
    for sku in script.skus:
        _type(co.scan, sku)
    _type(co.scan, script.member_phone)
    settle(lambda: co.state.member is not None and co.state.priced is not None)
    if co.panel.coupon_code(1):
        QTest.keyClick(co.scan, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        settle(lambda: co.state.priced is not None)
    QTest.keyClick(co.scan, Qt.Key.Key_F5)  # the redemption shown
    QTest.keyClick(co.scan, Qt.Key.Key_F5)  # and applied
    settle(lambda: co.state.priced is not None)
    QTest.keyClicks(co.scan, "500")
    QTest.keyClick(co.scan, Qt.Key.Key_F8)
    made.append(_save(w, out / f"checkout-{lang}.png"))
    made += _counter_screens(w, out, lang)

    for key, name, prepare in (
        (Qt.Key.Key_F4, "new-member", lambda d: _type(d.phone, "139 0013 90", enter=False)),
        (Qt.Key.Key_F6, "refund", lambda d: _refund_ready(d, w.checkout.last_receipt or "last")),
        (Qt.Key.Key_F11, "shift-close", lambda d: settle(lambda: d.report is not None)),
    ):
        if key == Qt.Key.Key_F11:
            co.state.clear()  # a shift closes with no sale open
        QTest.keyClick(co.scan, key)
        settle()
        dialog = co.dialog
        assert dialog is not None
        prepare(dialog)  # type: ignore[no-untyped-call]
        made.append(_save(dialog, out / f"{name}-{lang}.png"))
        if key == Qt.Key.Key_F11 and dialog.report is not None:  # type: ignore[attr-defined]
            made += _slips(w, dialog.report, out, language)  # type: ignore[attr-defined]
        dialog.reject()  # type: ignore[attr-defined]
        settle()
    w.close()
    return made


def _slips(w: MainWindow, report: Any, out: Path, language: str) -> list[Path]:
    """The printed slips in the profile of `language` (80 mm, as the demo printer prints them):
    the newest refund's slip and the X report of the shift on screen. Once per language."""
    from hardware.printer.png_render import render_png

    services = w.services
    chinese = language == "zh_CN"
    made = []
    docs = [("slip-x-report", services.shift_report_slip(report, language=language))]
    refund_id = services.last_refund_id()
    if refund_id is not None:
        docs.insert(0, ("slip-refund", services.refund_slip(refund_id, language=language)))
    for name, doc in docs:
        path = out / f"{name}-{language}.png"
        if not path.exists():
            path.write_bytes(render_png(doc, 80, chinese))
            made.append(path)
    return made

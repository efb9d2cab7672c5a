"""Offscreen: the member panel's profile and "often bought with" lines (from pulled intel),
redrawn when new intel arrives for the same member, in both languages; and the gift dialog
driven as a cashier would (Ctrl+G, Enter hands a gift over, Del gives it back)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.ids import MemberId
from app.services.checkout import Cart, CartLine, CompleteSale, Tender, complete_sale
from app.services.members import RegisterMember, Suggestion, member_code, member_view, register_member
from app.store import orm
from tests.ui.cashier import WAIT_MS, key, sign_in, type_enter
from ui.gift_dialog import GiftDialog
from ui.i18n import Languages, ensure_qm
from ui.main_window import MainWindow
from ui.member_panel import MemberPanel
from ui.services import new_sale_id

WINE = "6904567890123"


def _member(till, staff) -> MemberId:  # type: ignore[no-untyped-def]
    reg = register_member(
        till, RegisterMember(phone="13800138000", consent_given=True, staff_id=staff["cashier"].id)
    )
    cart = Cart((CartLine(WINE, 2),), member_id=reg.member.id)  # ¥256: 256 points
    complete_sale(till, CompleteSale(new_sale_id(), staff["cashier"].id, cart, (Tender("card", 25_600),)))
    return reg.member.id


def _pulled(till, member: MemberId) -> None:  # type: ignore[no-untyped-def]
    """What a pull leaves in the store (sync.apply stores exactly these rows)."""
    with till.uow() as uow:
        s = uow.session
        s.add(
            orm.MemberIntel(
                id=member,
                segment="core",
                lifecycle="active",
                tags=["scene:birthday_month", "dyn:baby", "tier:basic", "age:25-34"],
                suggestions=[{"sku": "6901234567892", "name_zh": "牛奶", "name_en": "Milk"}],
                as_of=None,
            )
        )
        s.add(orm.Gift(id="G100", name_zh="小礼品", name_en="Small gift", points=100, stock=2, active=True))
        s.add(orm.Gift(id="G500", name_zh="礼盒", name_en="Gift box", points=500, stock=3, active=True))
        s.add(orm.Gift(id="G050", name_zh="贴纸", name_en="Sticker", points=50, stock=0, active=True))
        s.add(orm.Gift(id="OLD", name_zh="旧", name_en="Old", points=10, stock=9, active=False))
        uow.commit()


def test_panel_shows_intel_and_redraws_when_it_changes(  # type: ignore[no-untyped-def]
    qtbot: QtBot, till, staff, products, tmp_path: Path
) -> None:
    member = _member(till, staff)
    panel = MemberPanel(lambda _code: None)
    qtbot.addWidget(panel)
    view = member_view(till, member)
    panel.show_member(view)
    assert not panel.intel.isVisibleTo(panel) and not panel.suggest.isVisibleTo(panel)  # nothing pulled yet

    _pulled(till, member)
    view = member_view(till, member)
    assert view.segment == "core" and view.suggestions == (Suggestion("6901234567892", "牛奶", "Milk"),)
    panel.show_member(view)  # the same member, new intel: redrawn
    assert panel.intel.text() == "Profile: core customer · birthday this month · buys baby products · Basic"
    assert panel.suggest.text() == "Often bought with: Milk"

    changed = dataclasses.replace(view, suggestions=(Suggestion("6902345678901", "酸奶", "Yogurt"),))
    panel.show_member(changed)
    assert panel.suggest.text() == "Often bought with: Yogurt"

    languages = Languages(ensure_qm(tmp_path / "qm"), "en")
    try:
        assert languages.apply("zh_CN")
        qtbot.waitUntil(lambda: panel.suggest.text() == "常一起买：酸奶", timeout=WAIT_MS)
        assert panel.intel.text() == "画像：核心客户 · 本月生日 · 母婴购买 · 普通会员"
    finally:
        languages.uninstall()


def test_gift_dialog_hands_a_gift_over_and_takes_it_back(  # type: ignore[no-untyped-def]
    qtbot: QtBot, services, till, staff, products
) -> None:
    member = _member(till, staff)
    _pulled(till, member)
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.start()
    sign_in(qtbot, window)
    co = window.checkout

    key(qtbot, co.scan, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)  # no member yet
    assert co.dialog is None

    type_enter(qtbot, co.scan, member_code(till, member))
    qtbot.waitUntil(lambda: co.state.member is not None, timeout=WAIT_MS)
    assert co.panel.suggest.text() == "Often bought with: Milk"
    key(qtbot, co.scan, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    dialog = co.dialog
    assert isinstance(dialog, GiftDialog)
    qtbot.waitUntil(lambda: dialog.list.count() == 3, timeout=WAIT_MS)  # the inactive one is not offered
    assert [g.id for g in dialog.gifts] == ["G050", "G100", "G500"]
    # 256 points: the sticker is out of stock, the box too dear; the small gift is chosen.
    assert [dialog.can_take(g) for g in dialog.gifts] == [False, True, False]
    assert dialog.list.currentRow() == 1
    assert "256 points" in dialog.points.text()

    key(qtbot, dialog.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "handed over" in dialog.message.text(), timeout=WAIT_MS)
    assert "156 points" in dialog.message.text()
    qtbot.waitUntil(lambda: dialog.given_list.count() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "156 points" in co.panel.points.text(), timeout=WAIT_MS)  # the panel too
    with till.uow(write=False) as uow:
        gift = uow.session.get(orm.Gift, "G100")
        assert gift is not None and gift.stock == 1
        ev = uow.session.query(orm.OutboxEvent).filter(orm.OutboxEvent.type == "gift.redeemed").one()
        assert ev.payload["gift_id"] == "G100" and ev.payload["points"] == 100

    dialog.given_list.setCurrentRow(0)
    dialog.given_list.setFocus()
    key(qtbot, dialog.given_list, Qt.Key.Key_Delete)  # points come back: a supervisor approves
    approval = dialog.approval
    assert approval is not None and "100 points return" in approval.what.text()
    type_enter(qtbot, approval.login, "1001")  # the cashier cannot approve their own give-back
    type_enter(qtbot, approval.pin, "1234")
    qtbot.waitUntil(lambda: bool(approval.message.text()), timeout=WAIT_MS)
    assert approval.isVisible() and not dialog.given[0].reversed
    approval.login.clear()
    type_enter(qtbot, approval.login, "2001")
    type_enter(qtbot, approval.pin, "5678")
    qtbot.waitUntil(lambda: "given back" in dialog.message.text(), timeout=WAIT_MS)
    assert dialog.approval is None
    qtbot.waitUntil(lambda: "256 points" in co.panel.points.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.given and dialog.given[0].reversed, timeout=WAIT_MS)
    key(qtbot, dialog.given_list, Qt.Key.Key_Delete)  # once only
    with till.uow(write=False) as uow:
        assert uow.session.query(orm.OutboxEvent).filter(orm.OutboxEvent.type == "gift.reversed").count() == 1
        gift = uow.session.get(orm.Gift, "G100")
        assert gift is not None and gift.stock == 2

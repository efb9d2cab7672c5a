"""Points for gifts (积分兑换), Ctrl+G with a member identified: HQ's gifts this store holds,
cheapest first, each with its points and stock (the ones the member cannot afford or that are
out of stock are shown but cannot be chosen); Enter hands the chosen gift over. Below, the
gifts this till gave the member; Del gives the chosen one back (its points return), approved
by a supervisor's number and PIN as a refund is."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.domain.clock import local_time
from app.domain.ids import StaffId
from ui.approval_dialog import ApprovalDialog
from ui.i18n import N_, translator
from ui.ops import Op
from ui.services import GiftView, MemberView, RedemptionView, TillServices
from ui.widgets import KeyButton, KeyMap

tr = translator("Gifts")

_ERRORS = {
    "no_gift": N_("This gift is no longer offered."),
    "gift_out_of_stock": N_("This gift is out of stock in this store."),
    "not_enough_points": N_("The member does not have enough points for this gift."),
    "already_reversed": N_("This gift was given back already."),
    "no_redemption": N_("This gift was not handed over at this till."),
}


class GiftDialog(QDialog):
    """``done(balance)`` runs after each redemption or reversal with the member's new balance."""

    def __init__(
        self,
        parent: QWidget,
        services: TillServices,
        member: MemberView,
        staff_id: StaffId,
        done: Callable[[int], None],
        english: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gifts")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.services, self.member, self.staff_id, self._done = services, member, staff_id, done
        self.english = english
        self.balance = member.points_balance
        self.zone = ZoneInfo(services.config.store.timezone)
        self.gifts: list[GiftView] = []
        self.given: list[RedemptionView] = []
        self.busy = False
        self.approval: ApprovalDialog | None = None  # open while a supervisor approves a give-back
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.points = QLabel()
        self.points.setObjectName("memberPoints")
        self.list = QListWidget()
        self.list.setObjectName("giftList")
        self.given_title = QLabel()
        self.given_list = QListWidget()
        self.given_list.setObjectName("givenList")
        self.given_list.setMaximumHeight(120)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.ok = KeyButton("Enter")
        self.ok.clicked.connect(self.redeem)
        self.back = KeyButton("Del")
        self.back.clicked.connect(self.give_back)
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        col = QVBoxLayout(self)
        col.addWidget(self.title)
        col.addWidget(self.points)
        col.addWidget(self.list, 1)
        col.addWidget(self.given_title)
        col.addWidget(self.given_list)
        col.addWidget(self.message)
        row = QHBoxLayout()
        for b in (self.ok, self.back, self.cancel):
            row.addWidget(b)
        col.addLayout(row)
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_Return, self.redeem)
        keys.bind(Qt.Key.Key_Enter, self.redeem)
        keys.bind(Qt.Key.Key_Delete, self.give_back)
        keys.watch(self.list)
        keys.watch(self.given_list)
        self.resize(560, 480)
        self.retranslate()
        self.reload()
        self.list.setFocus()

    # ------------------------------------------------------------ loading

    def reload(self) -> None:
        member_id = self.member.id
        Op(self, self.services.gifts).success(self._gifts_loaded).run()
        Op(self, lambda: self.services.member_gifts(member_id)).success(self._given_loaded).run()

    def _name(self, zh: str, en: str) -> str:
        return en if self.english else zh

    def _gifts_loaded(self, gifts: tuple[GiftView, ...]) -> None:
        self.gifts = list(gifts)
        self.list.clear()
        first = -1
        for i, g in enumerate(self.gifts):
            text = tr("{name} · {points} points · {stock} in stock").format(
                name=self._name(g.name_zh, g.name_en), points=f"{g.points:,}", stock=g.stock
            )
            item = QListWidgetItem(text)
            if not self.can_take(g):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
            elif first < 0:
                first = i
            self.list.addItem(item)
        if first >= 0:
            self.list.setCurrentRow(first)
        if not self.gifts:
            self.message.setText(tr("No gifts in this store's catalogue."))

    def _given_loaded(self, given: tuple[RedemptionView, ...]) -> None:
        self.given = list(given)
        self.given_list.clear()
        for r in self.given:
            at = local_time(r.at, self.zone).strftime("%m-%d %H:%M")
            mark = tr("given back") if r.reversed else ""
            self.given_list.addItem(
                f"{at}  {self._name(r.gift_name_zh, r.gift_name_en)}  −{r.points:,}  {mark}".rstrip()
            )
        self.given_title.setVisible(bool(self.given))
        self.given_list.setVisible(bool(self.given))

    def can_take(self, g: GiftView) -> bool:
        return g.stock > 0 and g.points <= self.balance

    # ------------------------------------------------------------ actions

    def redeem(self) -> None:
        row = self.list.currentRow()
        if self.busy or not 0 <= row < len(self.gifts) or not self.can_take(self.gifts[row]):
            return
        gift = self.gifts[row]
        self.busy = True
        member_id, staff_id = self.member.id, self.staff_id
        name = self._name(gift.name_zh, gift.name_en)

        def ok(balance: int) -> None:
            self.message.setText(
                tr("{name} handed over. Balance: {points} points.").format(name=name, points=f"{balance:,}")
            )
            self._changed(balance)

        Op(self, lambda: self.services.redeem_gift(member_id, gift.id, staff_id)).success(ok).failure(
            self._failed
        ).finally_(self._idle).run()

    def give_back(self) -> None:
        """The chosen gift came back: a supervisor approves (its points return to the member)."""
        row = self.given_list.currentRow()
        if (
            self.busy
            or self.approval is not None
            or not 0 <= row < len(self.given)
            or self.given[row].reversed
        ):
            return
        red = self.given[row]
        staff_id, services = self.staff_id, self.services
        name = self._name(red.gift_name_zh, red.gift_name_en)

        def ok(balance: int) -> None:
            self.message.setText(
                tr("Gift given back: {points} points returned.").format(points=f"{red.points:,}")
            )
            self._changed(balance)

        def work(login: str, pin: str) -> int:
            return services.reverse_gift(red.id, staff_id, login, pin)

        what = tr("Give back {name}: {points} points return to the member. A supervisor approves.").format(
            name=name, points=f"{red.points:,}"
        )
        self.approval = ApprovalDialog(self, what, work, ok)
        self.approval.finished.connect(self._approval_closed)
        self.approval.open()

    def _approval_closed(self) -> None:
        if self.approval is not None:
            self.approval.deleteLater()
        self.approval = None
        self.given_list.setFocus()

    def _changed(self, balance: int) -> None:
        self.balance = balance
        self.points.setText(self._points_text())
        self._done(balance)
        self.reload()

    def _failed(self, exc: BaseException, message: str) -> None:
        code = getattr(exc, "code", None)
        self.message.setText(tr(_ERRORS[code]) if isinstance(code, str) and code in _ERRORS else message)

    def _idle(self) -> None:
        self.busy = False

    # ------------------------------------------------------------ words

    def _points_text(self) -> str:
        return tr("{phone}: {points} points").format(
            phone=self.member.masked_phone, points=f"{self.balance:,}"
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Gifts for points"))
        self.title.setText(tr("Gifts for points"))
        self.points.setText(self._points_text())
        self.given_title.setText(tr("Given to this member"))
        self.ok.set_label(tr("Hand over"))
        self.back.set_label(tr("Give back"))
        self.cancel.set_label(tr("Close"))

"""Signing in (staff number and PIN, typed or on the keypad) and opening the shift."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import ShiftId
from ui.i18n import parse_yuan, translator
from ui.ops import Op
from ui.services import StaffMember, TillServices
from ui.widgets import KeyButton, KeyMap, Keypad

tr = translator("Login")


class LoginView(QWidget):
    """Emits ``signed_in(staff, shift_id)`` once a staff member is in and a shift is open."""

    signed_in = Signal(object, object)
    language_toggled = Signal()

    def __init__(self, services: TillServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.staff: StaffMember | None = None
        self.busy = False

        self.title = QLabel()
        self.title.setObjectName("title")
        self.store = QLabel()
        self.store.setObjectName("subtitle")
        self.pages = QStackedWidget()

        # -- page 0: staff number and PIN
        sign = QWidget()
        self.login = QLineEdit()
        self.login.setObjectName("login")
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.keypad = Keypad()
        self.keypad.target = self.login
        self.sign_button = KeyButton("Enter")
        self.sign_button.clicked.connect(self.submit)
        self.language_button = KeyButton("Ctrl+L")
        self.language_button.clicked.connect(self.language_toggled.emit)
        self.form = QFormLayout()
        self.login_label = QLabel()
        self.form.addRow(self.login_label, self.login)
        self.pin_label = QLabel()
        self.form.addRow(self.pin_label, self.pin)
        col = QVBoxLayout(sign)
        col.addLayout(self.form)
        col.addWidget(self.keypad)
        row = QHBoxLayout()
        row.addWidget(self.sign_button)
        row.addWidget(self.language_button)
        col.addLayout(row)

        # -- page 1: opening float
        shift = QWidget()
        self.float_field = QLineEdit()
        self.float_field.setObjectName("float")
        self.float_field.setText("0")
        self.open_button = KeyButton("Enter")
        self.open_button.clicked.connect(self.submit)
        self.float_label = QLabel()
        self.hello = QLabel()
        scol = QVBoxLayout(shift)
        scol.addWidget(self.hello)
        scol.addWidget(self.float_label)
        scol.addWidget(self.float_field)
        scol.addWidget(self.open_button)
        scol.addStretch(1)

        self.pages.addWidget(sign)
        self.pages.addWidget(shift)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)

        outer = QVBoxLayout(self)
        outer.addWidget(self.title, alignment=Qt.AlignmentFlag.AlignHCenter)
        outer.addWidget(self.store, alignment=Qt.AlignmentFlag.AlignHCenter)
        box = QWidget()
        box.setMaximumWidth(420)
        QVBoxLayout(box).addWidget(self.pages)
        outer.addWidget(box, alignment=Qt.AlignmentFlag.AlignHCenter)
        outer.addWidget(self.message, alignment=Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)

        keys = KeyMap(self)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            keys.bind(key, self.submit)
        keys.bind(Qt.Key.Key_Escape, self.reset)
        keys.bind(Qt.Key.Key_L, self.language_toggled.emit, Qt.KeyboardModifier.ControlModifier)
        keys.watch(self.login, self.pin, self.float_field)
        self.login.installEventFilter(self)
        self.pin.installEventFilter(self)
        self.retranslate()

    # ------------------------------------------------------------ behaviour

    def eventFilter(self, watched: object, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in (self.login, self.pin):
            self.keypad.target = watched
        return False

    def reset(self) -> None:
        """Back to an empty sign-in form (after signing out, or Esc)."""
        self.staff = None
        self.login.clear()
        self.pin.clear()
        self.float_field.setText("0")
        self.pages.setCurrentIndex(0)
        self.message.clear()
        self.login.setFocus()

    def focus(self) -> None:
        (self.login if self.pages.currentIndex() == 0 else self.float_field).setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        if self.pages.currentIndex() == 1:
            self._open_shift()
            return
        login, pin = self.login.text().strip(), self.pin.text()
        if not login:
            self.login.setFocus()
            return
        if not pin:
            self.pin.setFocus()
            self.keypad.target = self.pin
            return
        self._busy(True)
        services = self.services
        Op(self, lambda: services.sign_in(login, pin)).success(self._signed).failure(self._refused).finally_(
            lambda: self._busy(False)
        ).run()

    def _signed(self, staff: StaffMember) -> None:
        self.staff = staff
        self.pin.clear()
        self.message.clear()
        self._busy(True)
        Op(self, self.services.current_shift).success(self._shift_known).finally_(
            lambda: self._busy(False)
        ).run()

    def _shift_known(self, shift_id: ShiftId | None) -> None:
        assert self.staff is not None
        if shift_id is not None:
            self.signed_in.emit(self.staff, shift_id)
            return
        self.hello.setText(tr("Hello, {name}. No shift is open on this till.").format(name=self.staff.name))
        self.pages.setCurrentIndex(1)
        self.float_field.setFocus()
        self.float_field.selectAll()

    def _open_shift(self) -> None:
        assert self.staff is not None
        fen = parse_yuan(self.float_field.text())
        if fen is None:
            self.message.setText(tr("Type the cash float in yuan, for example 200 or 200.50."))
            return
        staff_id, services = self.staff.id, self.services
        self._busy(True)
        Op(self, lambda: services.open_shift(staff_id, fen)).success(
            lambda shift_id: self.signed_in.emit(self.staff, shift_id)
        ).failure(lambda exc, text: self.message.setText(text)).finally_(lambda: self._busy(False)).run()

    def _refused(self, exc: BaseException, text: str) -> None:
        self.message.setText(text)
        self.pin.clear()
        code = getattr(exc, "code", "")
        (self.pin if code == "wrong_pin" else self.login).setFocus()
        if code in ("no_staff", "locked_out"):
            self.login.selectAll()

    def _busy(self, busy: bool) -> None:
        self.busy = busy
        self.sign_button.setEnabled(not busy)
        self.open_button.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.message.setText(text)

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(tr("Loyalty Till — sign in"))
        cfg = self.services.config
        name = cfg.store.name_zh if cfg.terminal.language == "zh_CN" else cfg.store.name_en
        self.store.setText(
            tr("{name} · store {store} · till {till}").format(
                name=name, store=cfg.store.store_id, till=cfg.terminal.terminal_id
            )
        )
        self.login.setPlaceholderText(tr("Staff number"))
        self.pin.setPlaceholderText(tr("PIN"))
        self.login_label.setText(tr("Staff number"))
        self.pin_label.setText(tr("PIN"))
        self.sign_button.set_label(tr("Sign in"))
        self.language_button.set_label(tr("中文 / English"))
        self.float_label.setText(tr("Cash float in the drawer (¥)"))
        self.open_button.set_label(tr("Open shift"))

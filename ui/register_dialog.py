"""Registering a walk-in member: phone (checked as it is typed), consent, optional profile."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.members import InvalidPhone, normalize_phone
from ui.errors import message_for
from ui.i18n import translator
from ui.member_panel import tier_name
from ui.ops import Op
from ui.services import MemberView, RegisterMember, Registration, TillServices, new_member_id
from ui.widgets import KeyButton, KeyMap

tr = translator("Register")


class RegisterDialog(QDialog):
    """On success (or when the cashier takes the member who already has this phone),
    ``use_member(view)`` attaches the member to the sale."""

    def __init__(
        self,
        parent: QWidget,
        services: TillServices,
        staff_id: object,
        use_member: Callable[[MemberView], None],
        on_registered: Callable[[Registration], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("register")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.services, self.staff_id, self.use_member = services, staff_id, use_member
        self.on_registered = on_registered
        self.existing: MemberView | None = None
        self.registration: Registration | None = None
        self.member_id: object = None  # kept across retries: registering twice stores one member
        self.phone = QLineEdit()
        self.phone.setObjectName("phone")
        self.phone_state = QLabel()
        self.phone_state.setObjectName("phoneState")
        self.consent = QCheckBox()
        self.consent.setObjectName("consent")
        self.policy = QLabel()
        self.policy.setWordWrap(True)
        self.policy.setObjectName("policy")
        self.marketing = QCheckBox()
        self.name = QLineEdit()
        self.has_birthday = QCheckBox()
        self.birthday = QDateEdit()
        self.birthday.setDisplayFormat("yyyy-MM-dd")
        self.birthday.setDate(QDate(1990, 1, 1))
        self.birthday.setEnabled(False)
        self.has_birthday.toggled.connect(self.birthday.setEnabled)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.ok = KeyButton("Enter")
        self.ok.clicked.connect(self.submit)
        self.use_existing = KeyButton("F1")
        self.use_existing.clicked.connect(self.take_existing)
        self.use_existing.hide()
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        self.form = QFormLayout()
        self.phone_label = QLabel()
        self.form.addRow(self.phone_label, self.phone)
        self.form.addRow(self.phone_state)
        self.form.addRow(self.policy)
        self.form.addRow(self.consent)
        self.form.addRow(self.marketing)
        self.name_label = QLabel()
        self.form.addRow(self.name_label, self.name)
        bday = QHBoxLayout()
        bday.addWidget(self.has_birthday)
        bday.addWidget(self.birthday, 1)
        self.form.addRow(bday)
        col = QVBoxLayout(self)
        col.addLayout(self.form)
        col.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.ok)
        row.addWidget(self.use_existing)
        row.addWidget(self.cancel)
        col.addLayout(row)
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_Return, self.submit)
        keys.bind(Qt.Key.Key_Enter, self.submit)
        keys.bind(Qt.Key.Key_F1, self.take_existing)
        keys.bind(Qt.Key.Key_Space, self.consent.toggle, Qt.KeyboardModifier.ControlModifier)
        keys.watch(self.phone, self.name, self.consent, self.marketing)
        self.phone.textChanged.connect(self._check_phone)
        self.busy = False
        self.retranslate()
        self.phone.setFocus()

    def _check_phone(self) -> bool:
        """Validate as the cashier types (a pure check, no lookup)."""
        text = self.phone.text()
        if not text.strip():
            self.phone_state.setText("")
            return False
        try:
            normalize_phone(text)
        except InvalidPhone as exc:
            self.phone_state.setProperty("error", True)
            self.phone_state.setText(message_for(_Coded(f"phone_{exc.reason}")))
            return False
        self.phone_state.setProperty("error", False)
        self.phone_state.setText(tr("✓ Valid mobile number"))
        return True

    def submit(self) -> None:
        if self.busy:
            return
        if self.registration is not None:
            self.accept()
            return
        if not self._check_phone():
            self.message.setText(self.phone_state.text() or tr("Enter the member's mobile number."))
            self.phone.setFocus()
            return
        if not self.consent.isChecked():
            self.message.setText(tr("The customer must accept the privacy policy to join."))
            return
        self.member_id = self.member_id or new_member_id()
        cmd = RegisterMember(
            phone=self.phone.text(),
            consent_given=True,
            staff_id=self.staff_id,  # type: ignore[arg-type]
            marketing_opt_in=self.marketing.isChecked(),
            name=self.name.text().strip() or None,
            birthday=self.birthday.date().toPython() if self.has_birthday.isChecked() else None,  # type: ignore[arg-type]
            member_id=self.member_id,  # type: ignore[arg-type]
        )
        self.busy = True
        services = self.services
        Op(self, lambda: services.register_member(cmd)).success(self._registered).failure(
            self._refused
        ).finally_(self._idle).run()

    def _idle(self) -> None:
        self.busy = False

    def _registered(self, reg: Registration) -> None:
        self.registration = reg
        text = tr("Welcome! Member card {card}.").format(card=reg.member.card_no)
        if reg.welcome_coupon:
            text += " " + tr("Welcome coupon {code} is on the member's account.").format(
                code=reg.welcome_coupon
            )
        self.message.setText(text + " " + tr("Press Enter to continue the sale."))
        self.ok.set_label(tr("Continue"))
        self.use_member(reg.member)
        if self.on_registered is not None:
            self.on_registered(reg)  # the welcome slip

    def _refused(self, exc: BaseException, text: str) -> None:
        existing = getattr(exc, "existing", None)
        if existing is not None:
            self.existing = existing
            self.message.setText(
                tr("{phone} is already a member ({tier}). Press F1 to use this member.").format(
                    phone=existing.masked_phone, tier=tier_name(existing.tier)
                )
            )
            self.use_existing.show()
            return
        self.message.setText(text)

    def take_existing(self) -> None:
        if self.existing is not None:
            self.use_member(self.existing)
            self.accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("New member"))
        self.phone_label.setText(tr("Mobile number"))
        self.name_label.setText(tr("Name (optional)"))
        self.phone.setPlaceholderText(tr("11-digit mobile number"))
        version = self.services.program.consent_policy_version
        self.policy.setText(
            tr(
                "Privacy policy {version}: the store keeps your phone number, purchases and points to run "
                "the membership, and never sells them. You may ask to see or delete your data at the "
                "service desk at any time."
            ).format(version=version)
        )
        self.consent.setText(tr("The customer accepts the privacy policy (required) — Ctrl+Space"))
        self.marketing.setText(tr("The customer agrees to receive offers (optional)"))
        self.has_birthday.setText(tr("Birthday (optional)"))
        self.ok.set_label(tr("Continue") if self.registration else tr("Register"))
        self.use_existing.set_label(tr("Use this member"))
        self.cancel.set_label(tr("Cancel"))


class _Coded(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

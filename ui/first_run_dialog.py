"""The first-run screen: a till started for the first time asks for its server and the
one-time enrolment code from HQ, or sets up the demo store.

Shown before a language has been chosen, so every text is in Chinese and English at once
(not through the translation files). The work (`enrol`, `demo`) is given by the caller and
runs on the worker thread (ui/ops.py); each returns None when done or the message to show.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.enrolment import BadEnrolQR, looks_like_enrol_qr, read_enrol_qr
from ui.ops import Op

Work = Callable[[], str | None]


class FirstRunDialog(QDialog):
    """`choice` is "enrolled" or "demo" once accepted; the dialog stays open on an error."""

    def __init__(
        self, enrol: Callable[[str, str], str | None], demo: Work, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._enrol, self._demo = enrol, demo
        self.choice: str | None = None
        self.setWindowTitle("乐忠收银台 · 首次启动 / Loyalty Till · first start")
        intro = QLabel(
            "请输入总部服务器地址和一次性登记码。\n"
            "Enter the HQ server's address and the one-time enrolment code."
            "\n或用扫码枪扫描总部后台显示的登记二维码。\n"
            "Or scan the enrolment QR the HQ console shows into the server field."
        )
        self.url = QLineEdit("https://")
        self.url.setPlaceholderText("https://hq.example.com")
        self.url.returnPressed.connect(self._qr_scanned)
        self.code = QLineEdit()
        self.code.setPlaceholderText("ABCD-1234-EFGH")
        form = QFormLayout()
        form.addRow("服务器 / Server", self.url)
        form.addRow("登记码 / Enrolment code", self.code)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("error")
        buttons = QDialogButtonBox()
        self.enrol_button = QPushButton("登记 / Enrol")
        self.demo_button = QPushButton("演示店 / Demo store")
        self.quit_button = QPushButton("退出 / Quit")
        buttons.addButton(self.enrol_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.enrol_button.clicked.connect(self._on_enrol)
        self.demo_button.clicked.connect(self._on_demo)
        self.quit_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(560, 260)

    def _busy(self, busy: bool, text: str = "") -> None:
        for w in (self.enrol_button, self.demo_button, self.url, self.code):
            w.setEnabled(not busy)
        self.message.setText(text)

    def _run(self, work: Work, choice: str, waiting: str) -> None:
        self._busy(True, waiting)

        def done(problem: str | None) -> None:
            self._busy(False, problem or "")
            if problem is None:
                self.choice = choice
                self.accept()

        def failed(_exc: BaseException, message: str) -> None:
            self._busy(False, message)

        Op(self, work).success(done).failure(failed).run()

    def _qr_scanned(self) -> None:
        if looks_like_enrol_qr(self.url.text()):  # a reader typed it and its Enter
            self._on_enrol()

    def _on_enrol(self) -> None:
        url, code = self.url.text().strip(), self.code.text().strip()
        try:
            qr = read_enrol_qr(url) or read_enrol_qr(code)
        except BadEnrolQR:
            self.message.setText(
                "这个登记二维码无法使用：请在总部后台重新生成登记码后再扫描。\n"
                "That enrolment QR cannot be used: show a new code in the HQ console and scan it again."
            )
            return
        if qr is not None:  # scanned from the HQ console: it holds both
            url, code = qr.server, qr.code
            self.url.setText(url)
            self.code.setText(code)
        if not url.startswith(("http://", "https://")) or len(url) < 10 or not code:
            self.message.setText(
                "请填写服务器地址（https://…）和登记码。\n"
                "Fill in the server address (https://...) and the enrolment code."
            )
            return
        self._run(lambda: self._enrol(url, code), "enrolled", "正在登记… / Enrolling...")

    def _on_demo(self) -> None:
        self._run(self._demo, "demo", "正在建立演示店… / Setting up the demo store...")

"""The customer display: a second window, on the second screen when one is attached (Ctrl+M
opens or closes it), that follows the checkout (``show_state`` on every change). Large type,
no controls; in the store's language (``ui/display_text.py``). After a sale it shows the
thanks and, when the till's feedback QR can work (it was enrolled), the sale's feedback QR
for the customer to scan from the screen, as the receipt prints it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QVBoxLayout, QWidget

from ui.display_text import DisplayState, word


def _label(name: str, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def qr_pixmap(text: str, side: int) -> QPixmap:
    """`text` as a QR code (error correction M, a 4-module quiet zone), about `side` px square,
    each module a whole number of pixels so a phone camera reads it off the screen."""
    import qrcode  # only when a sale's QR is shown

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    image = QImage(n, n, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    black = QColor("black").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.setPixel(x, y, black)
    scale = max(1, side // n)
    return QPixmap.fromImage(
        image.scaled(n * scale, n * scale, mode=Qt.TransformationMode.FastTransformation)
    )


class CustomerDisplay(QWidget):
    """A top-level window; ``language`` is the store's (``[terminal] language``)."""

    def __init__(self, store_name: str, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)  # its own window; goes with the checkout
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # the till quits without it
        self.setObjectName("customerDisplay")
        self.language = language
        self.setWindowTitle(store_name)
        self.store = _label("displayStore")
        self.store.setText(store_name)
        self.welcome = _label("displayWelcome")
        self.member = _label("displayMember")
        self.lines = QListWidget()
        self.lines.setObjectName("displayLines")
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.savings = _label("displaySavings")
        self.points = _label("displayPoints")
        self.progress = _label("displayProgress")
        self.total = _label("displayTotal", wrap=False)
        self.paid = _label("displayPaid")
        self.change = _label("displayChange")
        self.thanks = _label("displayThanks")
        self.feedback = _label("displayFeedback")
        self.qr = QLabel()  # the sale's feedback QR, after the sale (when the till's QR can work)
        self.qr.setObjectName("displayQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setVisible(False)
        self.state: DisplayState | None = None
        col = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.store, 1)
        top.addWidget(self.welcome)
        col.addLayout(top)
        col.addWidget(self.member)
        col.addWidget(self.lines, 1)
        for w in (self.savings, self.points, self.progress):
            col.addWidget(w)
        due = QHBoxLayout()
        sums = QVBoxLayout()
        sums.addWidget(self.paid)
        sums.addWidget(self.change)
        due.addLayout(sums, 1)
        due.addWidget(self.total, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        col.addLayout(due)
        col.addWidget(self.thanks)
        after = QHBoxLayout()
        after.addWidget(self.feedback, 1)
        after.addWidget(self.qr)
        col.addLayout(after)
        self.setStyleSheet(
            "#customerDisplay { font-size: 22px; }"
            " #displayStore { font-size: 26px; font-weight: bold; }"
            " #displayTotal { font-size: 56px; font-weight: bold; }"
            " #displayChange { font-size: 36px; font-weight: bold; color: #1b5e20; }"
            " #displayThanks { font-size: 32px; font-weight: bold; color: #1b5e20; }"
            " #displaySavings { color: #b71c1c; }"
            " #displayFeedback { font-size: 26px; }"
            " #displayLines { font-size: 22px; }"
        )
        self.resize(800, 600)

    def place(self) -> None:
        """Full screen on the second screen when there is one, else a window."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.setScreen(screens[1])
            self.setGeometry(screens[1].geometry())
            self.showFullScreen()
        else:
            self.show()

    def show_state(self, state: DisplayState) -> None:
        if state == self.state:
            return
        self.state = state
        lang = self.language
        self.welcome.setText(word("welcome", lang))
        self.member.setText(state.member)
        self.member.setVisible(bool(state.member))
        self.lines.clear()
        for ln in state.lines:
            self.lines.addItem(f"{ln.name}    {ln.qty}    {ln.amount}")
        if state.lines:
            self.lines.scrollToBottom()
        self.savings.setText(state.savings)
        self.points.setText(state.points)
        self.progress.setText(state.progress)
        self.total.setText(f"{word('total', lang)} {state.total}")
        self.paid.setText(state.paid)
        self.change.setText(state.change)
        self.thanks.setText(state.thanks)
        if state.feedback_url:
            self.feedback.setText(word("feedback_qr", lang))
            self.qr.setPixmap(qr_pixmap(state.feedback_url, 200))
        else:
            self.feedback.setText(word("feedback", lang) if state.thanks else "")
            self.qr.clear()
        self.qr.setVisible(bool(state.feedback_url))
        for w in (
            self.savings,
            self.points,
            self.progress,
            self.paid,
            self.change,
            self.thanks,
            self.feedback,
        ):
            w.setVisible(bool(w.text()))

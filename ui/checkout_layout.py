"""The checkout's widgets, keys and layout, made to fit a 1024×768 screen as well as a
1920×1080 one: nothing grows with the member panel (it scrolls), buttons are at least
44 px high, and the message area sits under the scan field where it is always seen.

    ┌ scan field ─────────────────────────┬ cashier ┐
    │ message area (red: refused, green: done)      │
    ├ cart ──────────────────────────┬ member panel   ┤
    │                                │ (scrolls)      │
    ├ totals ─────── Total ¥… (big) ─┤ Cash Card Mob. │
    │              Pay by … · Change │ Exact ¥50 ¥100 │
    │                                │ Pay F12        │
    ├ F1 … F7 ─── F11, Esc, Ctrl+F, Ctrl+S, Ctrl+L ──┤
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.camera_preview import CameraPreview
from ui.i18n import translator
from ui.member_panel import MemberPanel
from ui.widgets import KeyButton, KeyMap

tr = translator("Checkout")

Action = tuple[str, str, Callable[[], None]]  # name, key label, what it does
BAR_COLUMNS = 9
SIDE_MIN, SIDE_MAX = 330, 460


def _label(name: str, wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class CheckoutLayout(QWidget):
    """Makes the widgets; :meth:`build` lays them out with the view's actions and keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scan = QLineEdit()
        self.scan.setObjectName("scan")
        self.cashier_label = _label("cashier")
        self.message = _label("message", wrap=True)
        self.message.setMinimumHeight(44)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.table = QTableView()
        self.table.setObjectName("cart")
        self.totals = _label("totals")
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.total_due = _label("totalDue")
        self.tender_label = _label("tender", wrap=True)
        self.change_label = _label("change")
        self.reprint_button = KeyButton("F7")
        self.reprint_button.setObjectName("reprint")
        self.panel = MemberPanel(self.toggle_coupon)
        self.preview = CameraPreview()  # shown once the camera sends frames
        self.buttons: dict[str, KeyButton] = {}
        self.keys = KeyMap(self)

    def toggle_coupon(self, code: str) -> None:
        raise NotImplementedError

    def build(
        self,
        bar: list[Action],
        paying: list[Action],
        quick: list[Action],
        keys: list[tuple[Qt.Key, Qt.KeyboardModifier, Callable[[], None]]],
    ) -> None:
        self._setup_table()
        fkeys = {f"F{i}": getattr(Qt.Key, f"Key_F{i}") for i in range(1, 13)}
        quick_names = {n for n, _, _ in quick}
        for name, key, action in (*bar, *paying, *quick):
            b = KeyButton(key)
            b.setObjectName("pay" if name == "pay" else "quick" if name in quick_names else "action")
            b.clicked.connect(action)
            self.buttons[name] = b
            if key in fkeys:
                self.keys.bind(fkeys[key], action)
        for k, mods, action in keys:
            self.keys.bind(k, action, mods)
        self.keys.watch(self.scan)
        self.reprint_button.clicked.connect(self.buttons["reprint"].click)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 4)
        outer.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(self.scan, 1)
        top.addWidget(self.cashier_label)
        outer.addLayout(top)
        note = QHBoxLayout()
        note.addWidget(self.message, 1)
        note.addWidget(self.reprint_button)
        outer.addLayout(note)
        middle = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        sums = QHBoxLayout()
        sums.addWidget(self.totals, 0, Qt.AlignmentFlag.AlignTop)
        due = QVBoxLayout()
        due.setSpacing(0)
        due.addWidget(self.total_due, alignment=Qt.AlignmentFlag.AlignRight)
        due.addWidget(self.tender_label, alignment=Qt.AlignmentFlag.AlignRight)
        due.addWidget(self.change_label, alignment=Qt.AlignmentFlag.AlignRight)
        due.addStretch(1)
        sums.addLayout(due, 1)
        left.addLayout(sums)
        middle.addLayout(left, 1)
        middle.addWidget(self._side(paying, quick))
        outer.addLayout(middle, 1)
        outer.addLayout(self._grid([self.buttons[n] for n, _, _ in bar], BAR_COLUMNS))
        self.reprint_button.hide()

    def _setup_table(self) -> None:
        t = self.table
        t.setModel(self.model)  # type: ignore[attr-defined]
        t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setDefaultSectionSize(40)
        header = t.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font, not ResizeToContents: that measures every cell of every
        # row on each change (a 100-line cart took 0.3 s per scan).
        fm = t.fontMetrics()
        for c, sample in ((1, "999"), (2, "¥9,999.99"), (3, "-¥9,999.99"), (4, "¥99,999.99")):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(c, fm.horizontalAdvance(sample) + 24)

    def _side(self, paying: list[Action], quick: list[Action]) -> QWidget:
        scroll = QScrollArea()
        scroll.setObjectName("memberScroll")
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        col = QVBoxLayout()
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.preview, alignment=Qt.AlignmentFlag.AlignHCenter)
        col.addWidget(scroll, 1)
        tenders = [self.buttons[n] for n, _, _ in paying if n != "pay"]
        col.addLayout(self._grid(tenders + [self.buttons[n] for n, _, _ in quick], 3))
        col.addWidget(self.buttons["pay"])
        side = QWidget()
        side.setObjectName("side")
        side.setLayout(col)
        side.setMinimumWidth(SIDE_MIN)
        side.setMaximumWidth(SIDE_MAX)
        return side

    @staticmethod
    def _grid(buttons: list[KeyButton], columns: int) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(6)
        for i, b in enumerate(buttons):
            grid.addWidget(b, i // columns, i % columns)
        return grid

    def retranslate_labels(self) -> None:
        self.scan.setPlaceholderText(tr("Scan or type a barcode, member code, phone or coupon — Enter"))
        labels = {
            "member": tr("Member"),
            "qty": tr("Quantity"),
            "remove": tr("Remove line"),
            "register": tr("New member"),
            "points": tr("Use points"),
            "refund": tr("Refund"),
            "reprint": tr("Reprint"),
            "cash": tr("Cash"),
            "card": tr("Card"),
            "mobile": tr("Mobile pay"),
            "close": tr("Close shift"),
            "pay": tr("Pay"),
            "clear": tr("Clear"),
            "language": tr("中文 / English"),
            "lookup": tr("Find member"),
            "settings": tr("Settings"),
            "exact": tr("Exact cash"),
            "cash50": "¥50",
            "cash100": "¥100",
            "void": tr("Void sale"),
            "hold": tr("Hold / recall"),
            "pricecheck": tr("Price check"),
            "item": tr("Find item"),
            "price": tr("Change price"),
        }
        for name, b in self.buttons.items():
            b.set_label(labels.get(name, name))
        self.reprint_button.set_label(tr("Reprint receipt"))

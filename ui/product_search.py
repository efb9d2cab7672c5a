"""Find an item without its barcode: type a name, pinyin initials ("nn" for 牛奶) or part
of the sku; Up/Down choose, Enter adds it to the cart, Esc closes. The search runs on the
worker; an answer for older text is dropped."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QVBoxLayout, QWidget

from ui.i18n import money, translator
from ui.ops import Op
from ui.services import ProductHit, TillServices
from ui.widgets import KeyButton, KeyMap

tr = translator("ProductSearch")


class ProductSearchDialog(QDialog):
    """``add(sku)`` runs with the chosen product; the dialog closes."""

    def __init__(
        self, parent: QWidget, services: TillServices, add: Callable[[str], None], english: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("productSearch")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.services, self._add, self.english = services, add, english
        self.hits: list[ProductHit] = []
        self._asked = 0  # the number of the newest search sent
        self.field = QLineEdit()
        self.field.setObjectName("productQuery")
        self.list = QListWidget()
        self.list.setObjectName("productHits")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.ok = KeyButton("Enter")
        self.ok.clicked.connect(self.choose)
        self.cancel = KeyButton("Esc")
        self.cancel.clicked.connect(self.reject)
        self.list.itemActivated.connect(lambda _: self.choose())
        col = QVBoxLayout(self)
        col.addWidget(self.field)
        col.addWidget(self.list, 1)
        col.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.ok)
        row.addWidget(self.cancel)
        col.addLayout(row)
        keys = KeyMap(self)
        keys.bind(Qt.Key.Key_Return, self.choose)
        keys.bind(Qt.Key.Key_Enter, self.choose)
        keys.bind(Qt.Key.Key_Up, lambda: self._move(-1))
        keys.bind(Qt.Key.Key_Down, lambda: self._move(1))
        keys.watch(self.field)
        self.field.textChanged.connect(self.search)
        self.resize(560, 440)
        self.retranslate()
        self.field.setFocus()

    def search(self, text: str) -> None:
        self._asked += 1
        asked, services = self._asked, self.services
        if not text.strip():
            self._found(asked, [])
            return
        Op(self, lambda: services.search_products(text)).success(lambda hits: self._found(asked, hits)).run()

    def _found(self, asked: int, hits: list[ProductHit]) -> None:
        if asked != self._asked:
            return  # typed on since: a newer answer is coming
        self.hits = hits
        self.list.clear()
        for h in hits:
            name = h.name_en if self.english else h.name_zh
            price = money(h.unit_price)
            if h.member_price is not None and h.member_price < h.unit_price:
                price += " · " + tr("member {price}").format(price=money(h.member_price))
            self.list.addItem(f"{name}   {price}   {h.sku}")
        if hits:
            self.list.setCurrentRow(0)
        typed = bool(self.field.text().strip())
        self.message.setText(tr("Nothing found.") if typed and not hits else "")

    def _move(self, step: int) -> None:
        if self.hits:
            row = self.list.currentRow() + step
            self.list.setCurrentRow(max(0, min(len(self.hits) - 1, row)))

    def choose(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.hits):
            sku = self.hits[row].sku
            self.accept()
            self._add(sku)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Find an item"))
        self.field.setPlaceholderText(tr("Name, pinyin initials (nn = 牛奶) or barcode digits"))
        self.ok.set_label(tr("Add to cart"))
        self.cancel.set_label(tr("Cancel"))

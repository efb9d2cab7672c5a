"""Find an item without its barcode: type a name, pinyin initials ("nn" for 牛奶) or part
of the sku; Up/Down choose, Enter adds it to the cart, Esc closes. The search runs on the
worker; an answer for older text is dropped."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from ui.i18n import money, translator
from ui.ops import Op
from ui.services import ProductHit, TillServices
from ui.widgets import ListDialog

tr = translator("ProductSearch")


class ProductSearchDialog(ListDialog):
    """``add(sku)`` runs with the chosen product; the dialog closes."""

    def __init__(
        self, parent: QWidget, services: TillServices, add: Callable[[str], None], english: bool = False
    ) -> None:
        super().__init__(parent, "productSearch", "productHits")
        self.services, self._add, self.english = services, add, english
        self.hits: list[ProductHit] = []
        self._asked = 0  # the number of the newest search sent
        self.field = QLineEdit()
        self.field.setObjectName("productQuery")
        self.content.insertWidget(0, self.field)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keys.watch(self.field)
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
        rows = []
        for h in hits:
            name = h.name_en if self.english else h.name_zh
            price = money(h.unit_price)
            if h.member_price is not None and h.member_price < h.unit_price:
                price += " · " + tr("member {price}").format(price=money(h.member_price))
            rows.append(f"{name}   {price}   {h.sku}")
        typed = bool(self.field.text().strip())
        self.show_rows(rows, tr("Nothing found.") if typed else "")

    def chosen(self, row: int) -> None:
        sku = self.hits[row].sku
        self.accept()
        self._add(sku)

    def choose(self) -> None:
        self.submit()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Find an item"))
        self.field.setPlaceholderText(tr("Name, pinyin initials (nn = 牛奶) or barcode digits"))
        self.ok.set_label(tr("Add to cart"))
        self.cancel.set_label(tr("Cancel"))

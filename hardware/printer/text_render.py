"""The receipt as plain text: the printer's layout, with QR codes as their text."""

from __future__ import annotations

from app.domain.receipt import Receipt
from hardware.printer.document import ImageBlock, QRBlock, TextLine, compose
from hardware.printer.layout import DISPLAY, Metrics, center, hard_split


def render_text(
    receipt: Receipt, paper_mm: int = 80, chinese: bool = True, metrics: Metrics = DISPLAY
) -> str:
    """Lines of at most 32 (58 mm) or 48 (80 mm) display columns, newline-terminated.

    Counted with East Asian Width by default, as a terminal shows them; pass
    `Metrics.printer()` for the exact lines the printer prints."""
    doc = compose(receipt, paper_mm, chinese, metrics=metrics)
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, TextLine):
            out.append(block.text.rstrip())
        elif isinstance(block, QRBlock):
            out.append(center("[QR]", doc.columns, metrics))
            out.extend(hard_split(block.data, doc.columns, metrics))
        elif isinstance(block, ImageBlock):
            continue
    return "\n".join(out) + "\n"

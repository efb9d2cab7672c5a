"""The receipt as a PNG: the preview the UI shows and the demo printer's output.

Drawn on the printer's grid (12 dots a column, 384 dots on 58 mm, 576 on 80 mm) from the same
layout the printer gets, so the preview wraps and aligns exactly as the paper will. Chinese
needs a CJK font (Noto Sans Mono CJK SC from fonts-noto-cjk, or another listed below, or
`$TILL_RECEIPT_FONT`); without one the receipt still renders, Chinese as boxes, and a warning
is logged once. The font is loaded on the first render, not at import.
"""

from __future__ import annotations

import io
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.receipt import Receipt
from hardware.printer.document import ImageBlock, QRBlock, TextLine, compose
from hardware.printer.escpos_render import EscposOptions, logo_image, qr_image
from hardware.printer.layout import Metrics

if TYPE_CHECKING:
    from PIL import Image, ImageFont

log = logging.getLogger(__name__)

COLUMN_PX = 12
FONT_PX = 24
MARGIN_PX = 16

# (path, preferred face names): the first face found wins.
FONT_CANDIDATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", ("Noto Sans Mono CJK SC", "Noto Sans CJK SC")),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", ("Noto Sans Mono CJK SC", "Noto Sans CJK SC")),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        ("Noto Sans Mono CJK SC", "Noto Sans CJK SC"),
    ),
    ("/usr/share/fonts/opentype/noto/NotoSansMonoCJK-Regular.ttc", ("Noto Sans Mono CJK SC",)),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", ("WenQuanYi Micro Hei Mono",)),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", ("WenQuanYi Zen Hei Mono",)),
    ("/System/Library/Fonts/PingFang.ttc", ()),
    ("C:/Windows/Fonts/msyh.ttc", ()),
    ("C:/Windows/Fonts/simsun.ttc", ()),
)


def _open_face(path: str, names: tuple[str, ...], size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    faces: dict[str, ImageFont.FreeTypeFont] = {}
    for index in range(16):
        try:
            f = ImageFont.truetype(path, size, index=index)
        except OSError:
            break
        faces.setdefault(f.getname()[0] or "", f)
    for name in names:
        if name in faces:
            return faces[name]
    if not faces:
        raise OSError(f"no font face in {path}")
    return next(iter(faces.values()))


@lru_cache(maxsize=4)
def receipt_font(size: int = FONT_PX) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A CJK font at `size` pixels, or Pillow's default font (with a warning) if none is found."""
    from PIL import ImageFont

    override = os.environ.get("TILL_RECEIPT_FONT")
    candidates = ((override, ()), *FONT_CANDIDATES) if override else FONT_CANDIDATES
    for path, names in candidates:
        if path and Path(path).is_file():
            try:
                return _open_face(path, names, size)
            except OSError as exc:
                log.warning("receipt font %s cannot be used: %s", path, exc)
    log.warning(
        "No CJK font found for receipt previews (tried %s); Chinese will show as boxes. "
        "Install fonts-noto-cjk or set TILL_RECEIPT_FONT to a .ttf/.ttc file.",
        ", ".join(p for p, _ in candidates if p),
    )
    return ImageFont.load_default(size=size)


def _line_image(
    text: str,
    m: Metrics,
    width_px: int,
    bold: bool,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    line_px: int,
) -> Image.Image:
    from PIL import Image, ImageDraw

    img = Image.new("L", (width_px, line_px), 255)
    draw = ImageDraw.Draw(img)
    baseline = (line_px + FONT_PX) // 2 - 3
    col = 0
    for run in text.split(" "):
        cols = m.width(run)
        if run:
            # A run whose glyph advances match the grid (a monospaced CJK font) is drawn in one
            # call; otherwise each character goes to its own column.
            if abs(font.getlength(run) - cols * COLUMN_PX) < 0.5:
                pieces = [(col, run)]
            else:
                pieces, c = [], col
                for ch in run:
                    pieces.append((c, ch))
                    c += m.char(ch)
            for c, piece in pieces:
                x = c * COLUMN_PX
                draw.text((x, baseline), piece, font=font, fill=0, anchor="ls")
                if bold:
                    draw.text((x + 1, baseline), piece, font=font, fill=0, anchor="ls")
        col += cols + 1
    return img


def render_png_image(
    receipt: Receipt, paper_mm: int = 80, chinese: bool = True, logo: Path | None = None
) -> Image.Image:
    """The receipt as a grayscale Pillow image the width of the paper's printable dots."""
    from PIL import Image

    opts = EscposOptions(paper_mm=paper_mm, chinese=chinese, logo=logo)
    doc = compose(receipt, paper_mm, chinese, logo)
    font = receipt_font()
    width = opts.dots
    line_px = FONT_PX + 6
    parts: list[Image.Image] = []
    for block in doc.blocks:
        if isinstance(block, TextLine):
            img = _line_image(block.text, doc.metrics, width, block.bold, font, line_px)
            if block.tall:
                img = img.resize((width, line_px * 2), Image.Resampling.BICUBIC)
            parts.append(img)
        elif isinstance(block, QRBlock):
            parts.append(qr_image(block.data, opts.qr_module, border=4).convert("L"))
        elif isinstance(block, ImageBlock):
            try:
                parts.append(logo_image(block.path, width).convert("1").convert("L"))
            except OSError as exc:
                log.warning("store logo %s cannot be drawn: %s", block.path, exc)
    height = sum(p.size[1] for p in parts) + 2 * MARGIN_PX
    page = Image.new("L", (width, height), 255)
    y = MARGIN_PX
    for p in parts:
        page.paste(p, ((width - p.size[0]) // 2, y))
        y += p.size[1]
    return page


def render_png(receipt: Receipt, paper_mm: int = 80, chinese: bool = True, logo: Path | None = None) -> bytes:
    """The receipt as PNG file bytes."""
    buf = io.BytesIO()
    render_png_image(receipt, paper_mm, chinese, logo).save(buf, format="PNG")
    return buf.getvalue()

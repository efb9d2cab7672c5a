"""A receipt as ESC/POS bytes, built here rather than through python-escpos's `text()`.

Why by hand: `Escpos.text()` sends Chinese as bare GB18030 without `FS &` and falls back to
`?` for full-width punctuation (see the project's escpos notes). Here every line that is not
pure ASCII goes as `FS &` + GB18030 + `FS .`, so it prints on printers that start in
single-byte mode too; the English-only profile sends ASCII alone.

Commands used: ESC @ (initialise), ESC t 0 (PC437, English-only), ESC E (bold), GS ! (double
height), ESC a (alignment, for QR and images), GS ( k (native QR: model 2, module size, error
level M, store, print), GS v 0 (raster image: the QR fallback and the logo), ESC d + GS V
(feed and partial cut), ESC p (drawer kick).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.receipt import Receipt
from hardware.printer.document import ImageBlock, QRBlock, ReceiptLayout, TextLine, compose
from hardware.printer.layout import PAPER_DOTS

if TYPE_CHECKING:
    from PIL import Image

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
LF = b"\n"
INIT = ESC + b"@"
CODEPAGE_PC437 = ESC + b"t\x00"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
ALIGN_LEFT = ESC + b"a\x00"
ALIGN_CENTER = ESC + b"a\x01"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
SIZE_NORMAL, SIZE_TALL = GS + b"!\x00", GS + b"!\x01"
FEED_AND_CUT = ESC + b"d\x03" + GS + b"V\x42\x00"  # feed to the cutter, partial cut
# Pin 2, 50 ms on, 240 ms off: within what drawer solenoids expect, and all bytes below 0x80.
DRAWER_KICK = ESC + b"p\x00\x19\x78"
QR_STORE_PREFIX = GS + b"(k"  # ... pL pH 31 50 30 data
RASTER_MAX_ROWS = 960  # taller images go in parts, as python-escpos does


@dataclass(frozen=True, slots=True)
class EscposOptions:
    """How to speak to one printer. `chinese=False` is the English-only profile; `native_qr`
    False sends the QR as a raster image (for profiles without GS ( k)."""

    paper_mm: int = 80
    chinese: bool = True
    native_qr: bool = True
    logo: Path | None = None
    cut: bool = True
    kick_drawer: bool = False
    width_dots: int | None = None  # printable dots; default 384 (58 mm) or 576 (80 mm)

    @property
    def dots(self) -> int:
        return self.width_dots or PAPER_DOTS[self.paper_mm]

    @property
    def qr_module(self) -> int:
        return 6 if self.paper_mm >= 80 else 5


def qr_native(data: str, module: int = 6, error_level: str = "M") -> bytes:
    """GS ( k: select model 2, module size, error correction, store the data, print it."""
    payload = data.encode("utf-8")
    if len(payload) > 7089:
        raise ValueError("too much data for a QR code")
    n = len(payload) + 3
    level = {"L": 48, "M": 49, "Q": 50, "H": 51}[error_level]
    return b"".join(
        (
            GS,
            b"(k\x04\x00\x31\x41\x32\x00",
            GS,
            b"(k\x03\x00\x31\x43",
            bytes((max(1, min(16, module)),)),
            GS,
            b"(k\x03\x00\x31\x45",
            bytes((level,)),
            GS,
            b"(k",
            bytes((n & 0xFF, n >> 8)),
            b"\x31\x50\x30",
            payload,
            GS,
            b"(k\x03\x00\x31\x51\x30",
        )
    )


def raster(img: Image.Image) -> bytes:
    """GS v 0 for a Pillow image (any mode): dark pixels print."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    if img.mode != "1":
        img = img.convert("L").convert("1")  # Floyd-Steinberg dithering
    # In mode "1" a set bit is white; on the printer a set bit is a dot.
    img = ImageOps.invert(img.convert("L")).convert("1", dither=PILImage.Dither.NONE)
    w, h = img.size
    wb = (w + 7) // 8
    out = []
    for top in range(0, h, RASTER_MAX_ROWS):
        part = img.crop((0, top, w, min(h, top + RASTER_MAX_ROWS)))
        ph = part.size[1]
        out.append(GS + b"v0\x00" + bytes((wb & 0xFF, wb >> 8, ph & 0xFF, ph >> 8)) + part.tobytes())
    return b"".join(out)


def qr_image(data: str, module: int, border: int = 4) -> Image.Image:
    """The QR code as a black-on-white image, `module` pixels a module, with a quiet zone."""
    import qrcode
    from PIL import Image as PILImage

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    img = PILImage.new("1", (n, n), 1)
    img.putdata([0 if cell else 1 for row in matrix for cell in row])
    return img.resize((n * module, n * module), PILImage.Resampling.NEAREST)


@lru_cache(maxsize=32)
def _qr_raster(data: str, module: int) -> bytes:
    return raster(qr_image(data, module, border=0))


def logo_image(path: Path, max_width: int, max_height: int = 240) -> Image.Image:
    from PIL import Image as PILImage

    with PILImage.open(path) as src:
        img = src.convert("RGBA")
    bg = PILImage.new("RGBA", img.size, (255, 255, 255, 255))
    img = PILImage.alpha_composite(bg, img).convert("L")
    img.thumbnail((max_width, max_height))
    return img


@lru_cache(maxsize=8)
def _logo_raster(path: Path, mtime_ns: int, max_width: int) -> bytes:
    return raster(logo_image(path, max_width))


def encode_line(text: str, chinese: bool) -> bytes:
    """One printed line: ASCII as is; anything else inside FS & ... FS . as GB18030."""
    if text.isascii():
        return text.encode("ascii") + LF
    if chinese:
        return CHINESE_ON + text.encode("gb18030") + CHINESE_OFF + LF
    return text.encode("ascii", "replace") + LF


class _Style:
    """Bold and double height as the printer has them now: a command only when they change."""

    def __init__(self, out: list[bytes]) -> None:
        self.out, self.bold, self.tall = out, False, False

    def set(self, bold: bool, tall: bool) -> None:
        if bold != self.bold:
            self.out.append(BOLD_ON if bold else BOLD_OFF)
        if tall != self.tall:
            self.out.append(SIZE_TALL if tall else SIZE_NORMAL)
        self.bold, self.tall = bold, tall

    def reset(self) -> None:
        if self.bold or self.tall:
            self.out.append(BOLD_OFF + SIZE_NORMAL)
            self.bold = self.tall = False


def _picture(block: QRBlock | ImageBlock, opts: EscposOptions) -> bytes:
    """A QR code (native or raster) or the logo, centred; b"" for a logo that cannot be read."""
    if isinstance(block, QRBlock):
        code = (
            qr_native(block.data, opts.qr_module)
            if opts.native_qr
            else _qr_raster(block.data, opts.qr_module)
        )
        return ALIGN_CENTER + code + LF + ALIGN_LEFT
    try:
        st = block.path.stat()
        return ALIGN_CENTER + _logo_raster(block.path, st.st_mtime_ns, opts.dots) + ALIGN_LEFT
    except OSError:
        return ALIGN_CENTER + ALIGN_LEFT  # a missing or unreadable logo leaves the receipt without one


def render_layout(doc: ReceiptLayout, opts: EscposOptions) -> bytes:
    out: list[bytes] = [INIT]
    if not opts.chinese:
        out.append(CODEPAGE_PC437)
    style = _Style(out)
    for block in doc.blocks:
        if isinstance(block, TextLine):
            style.set(block.bold, block.tall)
            out.append(encode_line(block.text, opts.chinese))
        else:
            style.reset()
            out.append(_picture(block, opts))
    style.reset()
    if opts.cut:
        out.append(FEED_AND_CUT)
    if opts.kick_drawer:
        out.append(DRAWER_KICK)
    return b"".join(out)


def render_escpos(receipt: Receipt, opts: EscposOptions | None = None) -> bytes:
    """The receipt as the bytes to send to the printer."""
    opts = opts or EscposOptions()
    doc = compose(receipt, opts.paper_mm, opts.chinese, opts.logo)
    return render_layout(doc, opts)

"""Making the configured receipt printer. Nothing is opened here: transports open per job."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app.ports import ReceiptPrinter
from hardware.printer.escpos_render import EscposOptions
from hardware.printer.printers import EscposPrinter, FilePrinter, NullPrinter
from hardware.printer.profiles import capabilities
from hardware.printer.queue import PrintQueue, QueuedPrinter
from hardware.printer.transports import (
    CupsTransport,
    FileTransport,
    NetworkTransport,
    SerialTransport,
    Transport,
    UsbTransport,
    Win32RawTransport,
)

if TYPE_CHECKING:
    from app.config import PrinterConfig

log = logging.getLogger(__name__)

LOGO_NAME = "logo.png"


def escpos_options(config: PrinterConfig, home: Path | None = None) -> EscposOptions:
    """Rendering options from the configuration: paper, Chinese or English-only, whether the
    profile has native QR (GS ( k), and `home/logo.png` as the store logo if present."""
    try:
        caps = capabilities(config.profile)
        native_qr, dots = caps.native_qr, caps.width_dots
    except KeyError as exc:
        log.warning("%s; assuming native QR", exc)
        native_qr, dots = True, None
    logo = home / LOGO_NAME if home is not None and (home / LOGO_NAME).is_file() else None
    from hardware.printer.layout import PAPER_DOTS

    width = min(dots, PAPER_DOTS[config.paper_mm]) if dots else None
    return EscposOptions(
        paper_mm=config.paper_mm, chinese=config.chinese, native_qr=native_qr, logo=logo, width_dots=width
    )


def make_transport(config: PrinterConfig) -> Transport:
    k, t = config.kind, config.timeout_s
    if k == "network":
        return NetworkTransport(config.host, config.port, t)
    if k == "serial":
        return SerialTransport(config.device, config.baudrate, t)
    if k == "usb":
        return UsbTransport(config.usb_vendor, config.usb_product, t)
    if k == "cups":
        return CupsTransport(config.cups_name)
    if k == "win32raw":
        return Win32RawTransport(config.cups_name or config.device)
    if k == "file" and config.device:
        return FileTransport(config.device, t)
    raise ValueError(f"printer kind {k!r} has no byte transport")


def make_printer(config: PrinterConfig, home: Path) -> ReceiptPrinter:
    """The configured printer, with failed receipts going to `home/print-queue`.

    kind "file" without a device: PNG and ESC/POS files in `home/<out_dir>` (the demo
    default); with a device: the bytes written to that path. "none": printing does nothing."""
    if config.kind == "none":
        return NullPrinter()
    opts = escpos_options(config, home)
    inner: ReceiptPrinter
    if config.kind == "file" and not config.device:
        out = Path(config.out_dir)
        inner = FilePrinter(out if out.is_absolute() else home / out, opts)
    else:
        inner = EscposPrinter(lambda: make_transport(config), opts, check_status=config.check_status)
    return QueuedPrinter(inner, PrintQueue(home))

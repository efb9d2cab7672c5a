"""ReceiptPrinter implementations: ESC/POS over a transport, the demo folder printer, none."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from app.domain.receipt import Receipt
from app.ports import PrintError, PrinterState
from hardware.printer.escpos_render import DRAWER_KICK, EscposOptions, render_escpos
from hardware.printer.status import parse_status, query_status, read_status
from hardware.printer.transports import Transport

log = logging.getLogger(__name__)

_NOT_READY = {
    PrinterState.PAPER_OUT: "is out of paper",
    PrinterState.COVER_OPEN: "has its cover open",
    PrinterState.OFFLINE: "is offline",
}


class EscposPrinter:
    """A receipt printer speaking ESC/POS over a transport made per job.

    `print_receipt` blocks for up to the transport's timeout (call it off the GUI thread) and
    raises PrintError with reason "offline", "timeout", "paper_out" or "cover_open". Jobs are
    serialised by a lock, so a drawer kick never lands inside a receipt. With `check_status`
    the printer is asked (DLE EOT) before each job, so paper out is reported as such rather
    than as a timeout; a printer that does not answer is printed to anyway."""

    def __init__(
        self,
        transport: Callable[[], Transport],
        options: EscposOptions | None = None,
        check_status: bool = False,
        status_timeout_s: float = 1.0,
    ) -> None:
        self._transport = transport
        self.options = options or EscposOptions()
        self.check_status = check_status
        self.status_timeout_s = status_timeout_s
        self._lock = threading.Lock()

    def render(self, receipt: Receipt) -> bytes:
        return render_escpos(receipt, self.options)

    def print_receipt(self, receipt: Receipt) -> None:
        self.send(self.render(receipt))

    def send(self, data: bytes) -> None:
        """Send raw bytes as one job: open, (check status,) write, close."""
        with self._lock:
            t = self._transport()
            t.open()
            try:
                if self.check_status and t.bidirectional:
                    state = parse_status(read_status(t, self.status_timeout_s))
                    if state in _NOT_READY:
                        raise PrintError(state.value, f"Printer {t.name} {_NOT_READY[state]}.")
                t.write(data)
            finally:
                t.close()

    def status(self) -> PrinterState:
        with self._lock:
            return query_status(self._transport(), self.status_timeout_s)

    def kick_drawer(self) -> None:
        self.send(DRAWER_KICK)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def safe_name(receipt_no: str) -> str:
    """A file name for a receipt number (they are letters, digits and dashes already)."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in receipt_no) or "receipt"


class FilePrinter:
    """The demo printer: each receipt becomes `<receipt_no>.png` (the preview the UI shows and
    reprints from) and `<receipt_no>.bin` (the exact ESC/POS bytes) in `out_dir`. Files are
    written whole (temporary file, then rename), so a reader never sees half a receipt."""

    def __init__(self, out_dir: Path, options: EscposOptions | None = None) -> None:
        self.out_dir = out_dir
        self.options = options or EscposOptions()

    def png_path(self, receipt_no: str) -> Path:
        return self.out_dir / f"{safe_name(receipt_no)}.png"

    def bin_path(self, receipt_no: str) -> Path:
        return self.out_dir / f"{safe_name(receipt_no)}.bin"

    def print_receipt(self, receipt: Receipt) -> None:
        from hardware.printer.png_render import render_png

        data = render_escpos(receipt, self.options)
        png = render_png(receipt, self.options.paper_mm, self.options.chinese, self.options.logo)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.bin_path(receipt.receipt_no), data)
            _write_atomic(self.png_path(receipt.receipt_no), png)
        except OSError as exc:
            raise PrintError(
                "offline", f"Receipts folder {self.out_dir} cannot be written ({exc.strerror or exc})."
            ) from exc

    def status(self) -> PrinterState:
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return PrinterState.OFFLINE
        return PrinterState.ONLINE if os.access(self.out_dir, os.W_OK) else PrinterState.OFFLINE

    def kick_drawer(self) -> None:
        log.info("cash drawer kick (the file printer has no drawer)")


class NullPrinter:
    """`kind = "none"`: the till has no printer; printing does nothing."""

    def print_receipt(self, receipt: Receipt) -> None:
        return None

    def status(self) -> PrinterState:
        return PrinterState.UNKNOWN

    def kick_drawer(self) -> None:
        return None

"""Real-time printer status: DLE EOT n, over transports that can read the printer's answer.

The printer answers each query with one byte, even while it holds unprinted data (the
commands are executed on receipt). Bits 1 and 4 of an answer are always 1, bits 0 and 7
always 0; an answer that is not shaped like that is ignored.

- n=1 printer status:     bit 3 offline
- n=2 offline cause:      bit 2 cover open, bit 5 stopped for paper end, bit 6 error
- n=4 roll paper sensor:  bits 2-3 paper near end, bits 5-6 paper end
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.ports import PrintError, PrinterState
from hardware.printer.transports import Transport

DLE_EOT = b"\x10\x04"
QUERY_PRINTER, QUERY_OFFLINE, QUERY_PAPER = DLE_EOT + b"\x01", DLE_EOT + b"\x02", DLE_EOT + b"\x04"


def is_status_byte(b: int) -> bool:
    return b & 0b1001_0011 == 0b0001_0010


@dataclass(frozen=True, slots=True)
class StatusBytes:
    printer: int | None = None
    offline: int | None = None
    paper: int | None = None

    @property
    def paper_near_end(self) -> bool:
        return self.paper is not None and bool(self.paper & 0b0000_1100)


def parse_status(s: StatusBytes) -> PrinterState:
    """The one state a cashier should hear about, worst first: cover open, paper out,
    offline; ONLINE when the printer answered and reported nothing; UNKNOWN when it did not
    answer at all."""
    valid = [b for b in (s.printer, s.offline, s.paper) if b is not None and is_status_byte(b)]
    if not valid:
        return PrinterState.UNKNOWN
    if s.offline is not None and is_status_byte(s.offline):
        if s.offline & 0b0000_0100:
            return PrinterState.COVER_OPEN
        if s.offline & 0b0010_0000:
            return PrinterState.PAPER_OUT
    if s.paper is not None and is_status_byte(s.paper) and s.paper & 0b0110_0000:
        return PrinterState.PAPER_OUT
    if s.printer is not None and is_status_byte(s.printer) and s.printer & 0b0000_1000:
        return PrinterState.OFFLINE
    if s.offline is not None and is_status_byte(s.offline) and s.offline & 0b0100_0000:
        return PrinterState.OFFLINE
    return PrinterState.ONLINE


def _ask(t: Transport, query: bytes, deadline: float) -> int | None:
    t.write(query)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        data = t.read(1, left)
        if not data:
            return None
        if is_status_byte(data[0]):
            return data[0]
        # anything else (ASB bytes, stray data) is skipped


def read_status(t: Transport, timeout_s: float) -> StatusBytes:
    """Ask the three DLE EOT questions on an open bidirectional transport; a question not
    answered within what is left of `timeout_s` stays None (and later ones are not asked)."""
    if not t.bidirectional:
        return StatusBytes()
    deadline = time.monotonic() + timeout_s
    printer = _ask(t, QUERY_PRINTER, deadline)
    if printer is None:
        return StatusBytes()
    offline = _ask(t, QUERY_OFFLINE, deadline)
    paper = _ask(t, QUERY_PAPER, deadline) if offline is not None else None
    return StatusBytes(printer, offline, paper)


def query_status(t: Transport, timeout_s: float) -> PrinterState:
    """Open `t`, read its status, close it. OFFLINE if it cannot be opened; UNKNOWN if the
    transport cannot read or the printer does not answer."""
    if not t.bidirectional:
        return PrinterState.UNKNOWN
    try:
        t.open()
    except PrintError:
        return PrinterState.OFFLINE
    try:
        return parse_status(read_status(t, timeout_s))
    except PrintError:
        return PrinterState.OFFLINE
    finally:
        t.close()

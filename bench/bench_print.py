"""Benchmark receipt printing: render an 80 mm receipt to ESC/POS and send it to a network
printer played by a loopback TCP server that drains what it gets (so the printer's own speed
is excluded). Target: render + send under 20 ms.

Run: python bench/bench_print.py [runs]. Prints p50/p99 milliseconds of: render alone, render +
send (connect, write, close) with native QR, the same with a raster QR (profiles without
GS ( k), and the PNG preview for comparison.
"""

from __future__ import annotations

import itertools
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hardware.printer.escpos_render import EscposOptions, render_escpos
from hardware.printer.png_render import render_png
from hardware.printer.printers import EscposPrinter
from hardware.printer.sample import SAMPLE_ITEMS, sample_receipt
from hardware.printer.transports import NetworkTransport


class DrainServer:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                while chunk := conn.recv(65536):
                    self.received += len(chunk)

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(min(20, runs)):
        fn()  # warm-up: fonts, QR tables, capability database, caches
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    items = SAMPLE_ITEMS * 4  # 20 lines, some long and Chinese
    receipt = sample_receipt(items=items)
    server = DrainServer()
    try:
        native = EscposPrinter(
            lambda: NetworkTransport("127.0.0.1", server.port, 3.0), EscposOptions(paper_mm=80)
        )
        raster = EscposPrinter(
            lambda: NetworkTransport("127.0.0.1", server.port, 3.0),
            EscposOptions(paper_mm=80, native_qr=False),
        )
        fresh = (replace(receipt, feedback_url=f"{receipt.feedback_url}{i}") for i in itertools.count())
        t = time.perf_counter()
        native.print_receipt(receipt)
        first = (time.perf_counter() - t) * 1000
        size = len(render_escpos(receipt, native.options))
        rows = [
            ("render ESC/POS (80 mm, 20 lines)", lambda: render_escpos(receipt, native.options)),
            ("render + send, native QR", lambda: native.print_receipt(receipt)),
            # a new feedback URL each time, as each sale has: no cached QR image
            ("render + send, raster QR", lambda: raster.print_receipt(next(fresh))),
        ]
        print(
            f"receipt: {len(items)} lines, {size} bytes (native QR), "
            f"{len(render_escpos(receipt, raster.options))} bytes (raster QR); {runs} runs"
        )
        print(f"  {'first render + send in the process':34s} {first:7.2f} ms")
        for name, fn in rows:
            p50, p99 = timed(fn, runs)
            print(f"  {name:34s} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
        p50, p99 = timed(lambda: render_png(receipt, 80), max(10, runs // 10))
        print(f"  {'PNG preview (for comparison)':34s} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
    finally:
        server.close()


if __name__ == "__main__":
    main()
